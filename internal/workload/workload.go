package workload

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/focalgo/focal"
)

// Workload is the benchmark input: n float32 logits ~ N(0, 3²) and hard
// targets with 1% positives (torch_bench.py draws the same distribution),
// with loss and gradient destinations; for the C = Classes forms, one label
// per row of Classes logits: Sparse (5% of rows positive, the rest
// background) and Softmax (a class for every row).
//
// Its calls compute what a training step needs and what PyTorch's forward
// + backward gives: the reduced loss and the gradient per logit (12 bytes
// per element moved: logit and target in, gradient out, as the triad).
// FocalElementwise also writes the loss per element (16 bytes).
type Workload struct {
	X, Y, Loss, Grad []float32
	Sparse, Softmax  []int32
	Total            float64 // the reduced loss of the last call

	// Made by the forms that need them, on their first call: the Hessian,
	// the soft targets, the float64 data, and the weights and ignore mask.
	Hess, Soft       []float32
	X64, Y64, Grad64 []float64
	W, YIgnored      []float32
	Ignore           []bool
}

// Classes is the class count of the sparse and softmax workloads.
const Classes = 80

// NewWorkload returns the workload of n elements.
func NewWorkload(n int) *Workload {
	rng := rand.New(rand.NewPCG(1, 1))
	w := &Workload{X: make([]float32, n), Y: make([]float32, n), Loss: make([]float32, n), Grad: make([]float32, n)}
	for i := range w.X {
		w.X[i] = float32(3 * rng.NormFloat64())
		if rng.IntN(100) == 0 {
			w.Y[i] = 1
		}
	}
	rows := n / Classes
	w.Sparse, w.Softmax = make([]int32, rows), make([]int32, rows)
	for r := range rows {
		w.Softmax[r] = int32(rng.IntN(Classes))
		w.Sparse[r] = focal.Background
		if rng.IntN(20) == 0 {
			w.Sparse[r] = w.Softmax[r]
		}
	}
	return w
}

// The settings every form of the workload runs with: the paper's sigmoid
// focal loss (α = 0.25, γ = 2, normalised by the positives) and a softmax
// focal loss with γ = 2 and PyTorch's ignore index, averaged.
var (
	paper        = focal.Sigmoid{Alpha: 0.25, Gamma: 2}
	paperOptions = focal.Options{Reduction: focal.Positives}
	softmax      = focal.Softmax{Gamma: 2, IgnoreIndex: focal.DefaultIgnoreIndex}
)

// SparseFocal runs focal.SparseLoss (the paper's setting, C = Classes) on
// the whole rows of the workload, computing the reduced loss and the
// gradient.
func (w *Workload) SparseFocal() error {
	n := w.RowElems()
	return w.record(focal.SparseLoss(paper, paperOptions, focal.Outputs[float32]{Grad: w.Grad[:n]},
		focal.SparseInput[float32, int32]{Logits: w.X[:n], Classes: Classes, Labels: w.Sparse}))
}

// SoftmaxFocal runs focal.SoftmaxLoss (γ = 2, class axis last,
// C = Classes) on the whole rows of the workload, computing the reduced
// loss and the gradient.
func (w *Workload) SoftmaxFocal() error { return w.softmaxRows(softmax) }

// softmaxRows runs focal.SoftmaxLoss of s on the whole rows of the
// workload, class axis last.
func (w *Workload) softmaxRows(s focal.Softmax) error {
	n := w.RowElems()
	return w.record(focal.SoftmaxLoss(s, focal.Options{}, focal.Outputs[float32]{Grad: w.Grad[:n]},
		focal.SoftmaxInput[float32, int32]{Logits: w.X[:n], Layout: focal.ClassLast(len(w.Softmax), Classes), Labels: w.Softmax}))
}

// SoftmaxFocalNCHW is SoftmaxFocal with the class axis second, as
// PyTorch lays out segmentation logits: [N, C, H, W] with H·W =
// SpatialNCHW (the workload's rows split into N images, the labels read
// as [N, H, W]).
func (w *Workload) SoftmaxFocalNCHW() error {
	n := w.NCHWElems()
	return w.record(focal.SoftmaxLoss(softmax, focal.Options{}, focal.Outputs[float32]{Grad: w.Grad[:n]},
		focal.SoftmaxInput[float32, int32]{Logits: w.X[:n], Layout: focal.ClassSecond(n/(Classes*SpatialNCHW), Classes, SpatialNCHW),
			Labels: w.Softmax[:n/Classes]}))
}

// SpatialNCHW is H·W of SoftmaxFocalNCHW's images (32×32).
const SpatialNCHW = 1024

// RowElems is the logits SparseFocal and SoftmaxFocal take: whole rows of
// Classes.
func (w *Workload) RowElems() int { return len(w.Softmax) * Classes }

// NCHWElems is the logits SoftmaxFocalNCHW takes: whole [Classes, 32, 32]
// images (none when n is smaller than one).
func (w *Workload) NCHWElems() int { return len(w.Softmax) / SpatialNCHW * SpatialNCHW * Classes }

// Form is one call of the workload: its table name, a short key for
// benchmark names and JSON, the call, the elements it takes (0: none at
// this size), the bytes it streams per element, which set its floor (the
// triad's time for as many bytes; the triad moves 12 per element), and
// its goal, if it has one.
type Form struct {
	Name, Key string
	Run       func() error
	Elems     int
	Bytes     int
	Goal      Goal
}

// A Goal bounds a form's time per element: at most Max times that of the
// form Ref of the same size and kernel ("triad": the triad's; "floor":
// the row's own floor). Max 0 is no goal.
type Goal struct {
	Ref string  `json:"ref"`
	Max float64 `json:"max"`
}

// SigmoidForm is the headline form: Focal, the paper's sigmoid focal loss
// with its gradient, whose goal is 1.3 times the triad (the AVX2 kernel's
// 1.5: see Forms).
func (w *Workload) SigmoidForm() Form {
	return Form{"focal.Loss", "sigmoid", w.Focal, len(w.X), 12, Goal{"triad", 1.3}}
}

// ClassForms returns the C = Classes forms: sparse labels, and softmax
// with the class axis last and second. Each streams a logit in and a
// gradient out per element (its labels add a few per cent).
func (w *Workload) ClassForms() []Form {
	return []Form{
		{"focal.SparseLoss C=80", "sparse", w.SparseFocal, w.RowElems(), 8, Goal{}},
		{"focal.SoftmaxLoss C=80", "softmax", w.SoftmaxFocal, w.RowElems(), 8, Goal{}},
		{"focal.SoftmaxLoss C=80 NCHW", "softmax-nchw", w.SoftmaxFocalNCHW, w.NCHWElems(), 8, Goal{"softmax", 1.5}},
	}
}

// Forms returns every form of the workload: the headline sigmoid, its
// Hessian, soft-target, non-integer-γ and float64 forms, each other member
// of the family (its default parameters, on the same data), the C = 80
// forms and the softmax with label smoothing. Each computes the reduced
// loss and the gradient (and the Hessian where named), what a training
// step needs.
func (w *Workload) Forms() []Form {
	n := len(w.X)
	fs := []Form{
		w.SigmoidForm(),
		{"focal.Loss +Hessian", "sigmoid-hess", w.FocalHessian, n, 16, Goal{"sigmoid", 2}},
		{"focal.Loss soft targets", "sigmoid-soft", w.FocalSoft, n, 12, Goal{}},
		{"focal.Loss γ = 2.5", "sigmoid-gamma2.5", w.FocalGamma, n, 12, Goal{}},
		{"focal.Loss float64", "sigmoid-f64", w.Focal64, n, 24, Goal{"floor", 2}},
		{"focal.Loss weights", "sigmoid-weighted", w.FocalWeighted, n, 16, Goal{}},
		{"focal.Loss ignore mask", "sigmoid-masked", w.FocalMasked, n, 13, Goal{}},
	}
	for _, k := range focal.Kinds() {
		if k == focal.KindFocal {
			continue
		}
		m := k.Default()
		fs = append(fs, Form{"focal.Loss " + string(k), "member-" + string(k), func() error { return w.Member(m) }, n, 12, Goal{"sigmoid", 2}})
	}
	fs = append(fs, w.ClassForms()...)
	return append(fs, Form{"focal.SoftmaxLoss C=80 ε = 0.1", "softmax-smooth", w.SoftmaxSmooth, w.RowElems(), 8, Goal{"softmax", 2}})
}

// Focal runs focal.Loss with the paper's setting (α = 0.25, γ = 2,
// normalised by the positives) computing the reduced loss and the
// gradient.
func (w *Workload) Focal() error {
	return sigmoidLoss(w, paper, focal.Outputs[float32]{Grad: w.Grad}, w.X, w.Y)
}

// Member runs focal.Loss of member m with the paper's options on the
// workload, computing the reduced loss and the gradient. (Through the
// Member interface, Loss allocates its form once per call.)
func (w *Workload) Member(m focal.Member) error {
	return sigmoidLoss(w, m, focal.Outputs[float32]{Grad: w.Grad}, w.X, w.Y)
}

// FocalElementwise is Focal writing the loss of every element as well.
func (w *Workload) FocalElementwise() error {
	return sigmoidLoss(w, paper, focal.Outputs[float32]{Loss: w.Loss, Grad: w.Grad}, w.X, w.Y)
}

// FocalHessian is Focal computing the Hessian diagonal as well.
func (w *Workload) FocalHessian() error {
	if w.Hess == nil {
		w.Hess = make([]float32, len(w.X))
	}
	return sigmoidLoss(w, paper, focal.Outputs[float32]{Grad: w.Grad, Hess: w.Hess}, w.X, w.Y)
}

// FocalSoft is Focal on soft targets: the workload's, with every target
// moved 0.1 toward ½ (label smoothing of binary targets).
func (w *Workload) FocalSoft() error {
	if w.Soft == nil {
		w.Soft = make([]float32, len(w.Y))
		for i, y := range w.Y {
			w.Soft[i] = 0.9*y + 0.05
		}
	}
	return sigmoidLoss(w, paper, focal.Outputs[float32]{Grad: w.Grad}, w.X, w.Soft)
}

// FocalGamma is Focal with γ = 2.5, which no kernel computes by
// multiplication (the focalexp kernel's case).
func (w *Workload) FocalGamma() error {
	return sigmoidLoss(w, focal.Sigmoid{Alpha: 0.25, Gamma: 2.5}, focal.Outputs[float32]{Grad: w.Grad}, w.X, w.Y)
}

// Focal64 is Focal on the workload's data as float64.
func (w *Workload) Focal64() error {
	if w.X64 == nil {
		w.X64, w.Y64, w.Grad64 = make([]float64, len(w.X)), make([]float64, len(w.X)), make([]float64, len(w.X))
		for i := range w.X {
			w.X64[i], w.Y64[i] = float64(w.X[i]), float64(w.Y[i])
		}
	}
	return sigmoidLoss(w, paper, focal.Outputs[float64]{Grad: w.Grad64}, w.X64, w.Y64)
}

// FocalWeighted is Focal with a weight per element, uniform in [0.5, 1.5)
// (per-anchor weights of a detector).
func (w *Workload) FocalWeighted() error {
	w.weightsAndMask()
	return w.record(focal.Loss(paper, paperOptions, focal.Outputs[float32]{Grad: w.Grad}, focal.Input[float32]{Logits: w.X, Targets: w.Y, Weights: w.W}))
}

// FocalMasked is Focal with one element in ten ignored at random (the
// anchors a detector neither matches nor counts as background), their
// targets set to −1, which the check must not look at.
func (w *Workload) FocalMasked() error {
	w.weightsAndMask()
	return w.record(focal.Loss(paper, paperOptions, focal.Outputs[float32]{Grad: w.Grad}, focal.Input[float32]{Logits: w.X, Targets: w.YIgnored, Ignore: w.Ignore}))
}

// weightsAndMask makes W, Ignore and YIgnored on the first call.
func (w *Workload) weightsAndMask() {
	if w.W != nil {
		return
	}
	rng := rand.New(rand.NewPCG(1, 2))
	w.W, w.Ignore, w.YIgnored = make([]float32, len(w.X)), make([]bool, len(w.X)), slices.Clone(w.Y)
	for i := range w.W {
		w.W[i] = float32(0.5 + rng.Float64())
		if w.Ignore[i] = rng.IntN(10) == 0; w.Ignore[i] {
			w.YIgnored[i] = -1
		}
	}
}

// SoftmaxSmooth is SoftmaxFocal with label smoothing ε = 0.1.
func (w *Workload) SoftmaxSmooth() error {
	s := softmax
	s.LabelSmoothing = 0.1
	return w.softmaxRows(s)
}

// sigmoidLoss runs focal.Loss of member m with the paper's options on
// logits x and targets y, writing out, and records the Total. (Generic in
// the member, so that each form calls the Loss of its member's type, as a
// caller would.)
func sigmoidLoss[T focal.Float, M focal.Member](w *Workload, m M, out focal.Outputs[T], x, y []T) error {
	return w.record(focal.Loss(m, paperOptions, out, focal.Input[T]{Logits: x, Targets: y}))
}

// record keeps the reduced loss of a call's Total and passes on its error.
func (w *Workload) record(t focal.Total, err error) error {
	w.Total = t.Value()
	return err
}

// Triad runs the streaming triad over the workload's arrays
// (Loss = X + 0.5·Y).
func (w *Workload) Triad() { Triad(w.Loss, w.X, w.Y, 0.5) }

// Times calls fn warmup + repeats times and returns the wall time of each
// of the last repeats calls.
func Times(fn func() error, warmup, repeats int) ([]time.Duration, error) {
	var ts []time.Duration
	for i := range warmup + repeats {
		start := time.Now()
		if err := fn(); err != nil {
			return nil, err
		}
		if d := time.Since(start); i >= warmup {
			ts = append(ts, d)
		}
	}
	return ts, nil
}

// TimesPaired is Times for fn with a reference ref timed in turn: every
// call of fn (warm-up included) follows one of ref, so that both meet the
// same state of a shared machine. It returns the times of fn and of ref.
func TimesPaired(fn, ref func() error, warmup, repeats int) (ts, refs []time.Duration, err error) {
	for i := range warmup + repeats {
		for j, f := range []func() error{ref, fn} {
			start := time.Now()
			if err := f(); err != nil {
				return nil, nil, err
			}
			if d := time.Since(start); i >= warmup && j == 0 {
				refs = append(refs, d)
			} else if i >= warmup {
				ts = append(ts, d)
			}
		}
	}
	return ts, refs, nil
}

// Median returns the median of ts (the mean of the middle two for an even
// count); 0 for none.
func Median(ts []time.Duration) time.Duration {
	if len(ts) == 0 {
		return 0
	}
	s := slices.Clone(ts)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

package bench

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
	t, err := focal.SparseLoss(paper, paperOptions, focal.Outputs[float32]{Grad: w.Grad[:n]},
		focal.SparseInput[float32, int32]{Logits: w.X[:n], Classes: Classes, Labels: w.Sparse})
	w.Total = t.Value()
	return err
}

// SoftmaxFocal runs focal.SoftmaxLoss (γ = 2, class axis last,
// C = Classes) on the whole rows of the workload, computing the reduced
// loss and the gradient.
func (w *Workload) SoftmaxFocal() error {
	n := w.RowElems()
	t, err := focal.SoftmaxLoss(softmax, focal.Options{}, focal.Outputs[float32]{Grad: w.Grad[:n]},
		focal.SoftmaxInput[float32, int32]{Logits: w.X[:n], Layout: focal.ClassLast(len(w.Softmax), Classes), Labels: w.Softmax})
	w.Total = t.Value()
	return err
}

// SoftmaxFocalNCHW is SoftmaxFocal with the class axis second, as
// PyTorch lays out segmentation logits: [N, C, H, W] with H·W =
// SpatialNCHW (the workload's rows split into N images, the labels read
// as [N, H, W]).
func (w *Workload) SoftmaxFocalNCHW() error {
	n := w.NCHWElems()
	t, err := focal.SoftmaxLoss(softmax, focal.Options{}, focal.Outputs[float32]{Grad: w.Grad[:n]},
		focal.SoftmaxInput[float32, int32]{Logits: w.X[:n], Layout: focal.ClassSecond(n/(Classes*SpatialNCHW), Classes, SpatialNCHW),
			Labels: w.Softmax[:n/Classes]})
	w.Total = t.Value()
	return err
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
// this size) and the bytes it streams per element, which set its floor:
// the triad's time for as many bytes (the triad moves 12 per element).
type Form struct {
	Name, Key string
	Run       func() error
	Elems     int
	Bytes     int
}

// SigmoidForm is the headline form: Focal, the paper's sigmoid focal loss
// with its gradient.
func (w *Workload) SigmoidForm() Form {
	return Form{"focal.Loss", "sigmoid", w.Focal, len(w.X), 12}
}

// ClassForms returns the C = Classes forms: sparse labels, and softmax
// with the class axis last and second. Each streams a logit in and a
// gradient out per element (its labels add a few per cent).
func (w *Workload) ClassForms() []Form {
	return []Form{
		{"focal.SparseLoss C=80", "sparse", w.SparseFocal, w.RowElems(), 8},
		{"focal.SoftmaxLoss C=80", "softmax", w.SoftmaxFocal, w.RowElems(), 8},
		{"focal.SoftmaxLoss C=80 NCHW", "softmax-nchw", w.SoftmaxFocalNCHW, w.NCHWElems(), 8},
	}
}

// Focal runs focal.Loss with the paper's setting (α = 0.25, γ = 2,
// normalised by the positives) computing the reduced loss and the
// gradient.
func (w *Workload) Focal() error {
	t, err := focal.Loss(paper, paperOptions, focal.Outputs[float32]{Grad: w.Grad}, focal.Input[float32]{Logits: w.X, Targets: w.Y})
	w.Total = t.Value()
	return err
}

// FocalElementwise is Focal writing the loss of every element as well.
func (w *Workload) FocalElementwise() error {
	t, err := focal.Loss(paper, paperOptions, focal.Outputs[float32]{Loss: w.Loss, Grad: w.Grad}, focal.Input[float32]{Logits: w.X, Targets: w.Y})
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

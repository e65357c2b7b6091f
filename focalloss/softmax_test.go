package focalloss

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/train/loss"
)

const nClasses = 4

// softmaxInputs returns [n, nClasses] logits — extreme rows (ties, margins
// that saturate float32 and float64, ±1e30) then random ones — and a label
// per row, every class and the ignore index included.
func softmaxInputs[T float](rng *rand.Rand, random int) (x []T, labels []int64) {
	rows := [][]float64{
		{0, 0, 0, 0},
		{1e-7, 0, -1e-7, 0},
		{5, 5, -1, 0},
		{40, 0, 0, 0},
		{0, 90, -3, 1},
		{800, 0, 1, 2},
		{1e30, 0, 0, 0},
		{-1e30, 0, 1, 0},
		{1e30, -1e30, 0, 1e30},
		{-50, -60, -70, -55},
	}
	for j := range random {
		r := make([]float64, nClasses)
		for i := range r {
			r[i] = wideLogit(rng, j)
		}
		rows = append(rows, r)
	}
	for _, r := range rows {
		for lab := range nClasses + 1 {
			for _, v := range r {
				x = append(x, T(v))
			}
			if lab == nClasses {
				labels = append(labels, focal.DefaultIgnoreIndex)
			} else {
				labels = append(labels, int64(lab))
			}
		}
	}
	return x, labels
}

// softmaxCases cover every reduction, α off, scalar and per class, label
// smoothing, integer, fractional and zero γ, and γ schedules (FLSD).
var softmaxCases = []struct {
	name string
	s    focal.Softmax
	o    focal.Options
}{
	{"γ=2 mean", focal.Softmax{Gamma: 2, IgnoreIndex: focal.DefaultIgnoreIndex}, focal.Options{Reduction: focal.Mean}},
	{"sum γ=2 per-class α", focal.Softmax{Alpha: []float64{0.1, 0.5, 1, 2}, Gamma: 2, IgnoreIndex: -100}, focal.Options{Reduction: focal.Sum}},
	{"none γ=0.5", focal.Softmax{Gamma: 0.5, IgnoreIndex: -100}, focal.Options{Reduction: focal.None}},
	{"mean γ=0.1 scalar α", focal.Softmax{Alpha: []float64{0.25}, Gamma: 0.1, IgnoreIndex: -100}, focal.Options{Reduction: focal.Mean}},
	{"positives γ=1.5 smoothing", focal.Softmax{Gamma: 1.5, LabelSmoothing: 0.1, IgnoreIndex: -100}, focal.Options{Reduction: focal.Positives}},
	{"none γ=2 smoothing α", focal.Softmax{Alpha: []float64{1, 0.5, 0, 2}, Gamma: 2, LabelSmoothing: 0.2, IgnoreIndex: -100}, focal.Options{Reduction: focal.None}},
	{"CE γ=0", focal.Softmax{IgnoreIndex: -100}, focal.Options{Reduction: focal.Mean}},
	{"γ=3 background 2", focal.Softmax{Gamma: 3, IgnoreIndex: 255, Background: 2}, focal.Options{Reduction: focal.Positives}},
	{"normalizer", focal.Softmax{Gamma: 2.5, IgnoreIndex: -100}, focal.Options{Reduction: focal.Mean, Normalizer: 5}},
	{"γ=5 smoothing sum", focal.Softmax{Gamma: 5, LabelSmoothing: 0.05, IgnoreIndex: -100}, focal.Options{Reduction: focal.Sum}},
	{"flsd-53 mean", focal.Softmax{Schedule: focal.FLSD53(), IgnoreIndex: -100}, focal.Options{Reduction: focal.Mean}},
	{"flsd-53 none per-class α", focal.Softmax{Alpha: []float64{0.1, 0.5, 1, 2}, Schedule: focal.FLSD53(), IgnoreIndex: -100}, focal.Options{Reduction: focal.None}},
	{"schedule γ=0 piece sum", focal.Softmax{Schedule: focal.GammaSchedule{Below: []float64{0.25, 0.6}, Gammas: []float64{4, 0}, Else: 1.5}, IgnoreIndex: -100}, focal.Options{Reduction: focal.Sum}},
	{"schedule γ=0 else positives", focal.Softmax{Alpha: []float64{0.25}, Schedule: focal.GammaSchedule{Below: []float64{0.3}, Gammas: []float64{2.5}, Else: 0}, IgnoreIndex: 255, Background: 1}, focal.Options{Reduction: focal.Positives}},
}

func TestSoftmaxFocalLossEqualsCore(t *testing.T) {
	inBothFloats(t, testSoftmaxEqualsCore[float64], testSoftmaxEqualsCore[float32])
}

func testSoftmaxEqualsCore[T float](t *testing.T) {
	rng := newRand(5, 9)
	x, labels := softmaxInputs[T](rng, 30)
	n := len(labels)
	dims := []int{n, nClasses}
	w, mask := randomWeightsAndMask[T](rng, n)
	for _, c := range softmaxCases {
		t.Run(c.name, func(t *testing.T) {
			ign := int64(c.s.IgnoreIndex)
			lab := make([]int64, n)
			for i, v := range labels {
				lab[i] = v
				if v == focal.DefaultIgnoreIndex {
					lab[i] = ign
				}
			}
			val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Softmax(in[0], in[1], c.s, c.o) },
				x, dims, tensorOf(lab, n))
			wantVal, wantGrad := coreSoftmax(t, c.s, c.o, x, lab, nil)
			compare(t, "loss", val, wantVal, 0)
			compare(t, "grad", grad, wantGrad, gradAbs)

			// A masked position is an ignored one in the core.
			masked := make([]int64, n)
			for i := range lab {
				masked[i] = lab[i]
				if !mask[i] {
					masked[i] = ign
				}
			}
			val, grad = evalGrad(t, func(in []*graph.Node) *graph.Node {
				return Softmax(in[0], in[1], c.s, c.o, wm(in[2], in[3])...)
			}, x, dims, tensorOf(lab, n, 1), tensorOf(w, n), tensorOf(mask, n))
			wantVal, wantGrad = coreSoftmax(t, c.s, c.o, x, masked, w)
			compare(t, "weighted loss", val, wantVal, 0)
			compare(t, "weighted grad", grad, wantGrad, gradAbs)
		})
	}
}

// Logits of rank 3 ([batch, positions, C], a segmentation head) with
// per-image weights equal the core on the flattened [batch·positions, C].
func TestSoftmaxHigherRankWithPrefixWeights(t *testing.T) {
	rng := newRand(7, 7)
	const b, p = 3, 5
	var x, w, rw []float64
	var labels []int32
	var lab64 []int64
	for i := range b {
		rw = append(rw, rng.Float64())
		for range p {
			for range nClasses {
				x = append(x, rng.NormFloat64()*2)
			}
			l := int32(rng.IntN(nClasses))
			labels, lab64, w = append(labels, l), append(lab64, int64(l)), append(w, rw[i])
		}
	}
	s, o := focal.Softmax{Alpha: []float64{0.5}, Gamma: 2, IgnoreIndex: -1}, focal.Options{Reduction: focal.Mean}
	val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Softmax(in[0], in[1], s, o, wm(in[2], nil)...) },
		x, []int{b, p, nClasses}, tensorOf(labels, b, p), tensorOf(rw, b))
	wantVal, wantGrad := coreSoftmax(t, s, o, x, lab64, w)
	compare(t, "loss", val, wantVal, 0)
	compare(t, "grad", grad, wantGrad, gradAbs)
}

// For 0 < γ < 1, the most likely class's (1 − p)^(γ−1) is Inf at huge
// margins; the gradient must stay finite and equal the core's.
func TestSoftmaxFractionalGammaSaturatedGradientIsFinite(t *testing.T) {
	x := []float64{40, 0, 0, 0, 800, 0, 1, 2, 1e30, 0, 0, 0, 1e30, -1e30, 0, 0}
	labels := []int64{0, 0, 0, 1}
	for _, g := range []float64{0.1, 0.5, 0.9} {
		for _, eps := range []float64{0, 0.1} {
			s, o := focal.Softmax{Gamma: g, LabelSmoothing: eps, IgnoreIndex: -100}, focal.Options{Reduction: focal.Sum}
			val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Softmax(in[0], in[1], s, o) },
				x, []int{4, 4}, tensorOf(labels, 4))
			for i, d := range grad {
				if math.IsNaN(d) || math.IsInf(d, 0) {
					t.Errorf("γ = %v, ε = %v: gradient[%d] = %v", g, eps, i, d)
				}
			}
			wantVal, wantGrad := coreSoftmax(t, s, o, x, labels, nil)
			compare(t, "loss", val, wantVal, 0)
			compare(t, "grad", grad, wantGrad, gradAbs)
		}
	}
}

// Masked and ignored positions may hold garbage logits and labels.
func TestSoftmaxIgnoredGarbageIsInert(t *testing.T) {
	x := []float64{1, 2, 3, math.NaN(), 0, 0, 1, 2, math.Inf(1), 5, 5, 5}
	labels := []int64{2, -100, 9, 1}
	mask := []bool{true, true, false, true}
	s, o := focal.Softmax{Gamma: 0.5, IgnoreIndex: -100}, focal.Options{Reduction: focal.Mean}
	val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Softmax(in[0], in[1], s, o, wm(nil, in[2])...) },
		x, []int{4, 3}, tensorOf(labels, 4), tensorOf(mask, 4))
	keep := []float64{1, 2, 3, 5, 5, 5}
	wantVal, wantGrad := coreSoftmax(t, s, o, keep, []int64{2, 1}, nil)
	compare(t, "loss", val, wantVal, 0)
	compare(t, "grad", append(grad[:3:3], grad[9:]...), wantGrad, gradAbs)
	for i := 3; i < 9; i++ {
		if grad[i] != 0 {
			t.Errorf("gradient[%d] = %v at an ignored position, want 0", i, grad[i])
		}
	}
}

// With γ = 0, no α and no smoothing the loss is GoMLX's sparse categorical
// cross-entropy.
func TestSoftmaxFocalGammaZeroEqualsGoMLXSparseCrossEntropy(t *testing.T) {
	rng := newRand(8, 8)
	const n = 9
	var x []float32
	var labels []int32
	mask := make([]bool, n)
	for i := range n {
		for range nClasses {
			x = append(x, float32(rng.NormFloat64()*3))
		}
		labels = append(labels, int32(rng.IntN(nClasses)))
		mask[i] = i%3 != 0
	}
	fn := MakeSoftmax(focal.Softmax{IgnoreIndex: -100}, focal.Options{Reduction: focal.Mean})
	for _, extras := range [][]any{{tensorOf(labels, n, 1)}, {tensorOf(labels, n, 1), tensorOf(mask, n)}} {
		got, gotGrad := evalGrad(t, func(in []*graph.Node) *graph.Node { return fn(in[1:], in[:1]) }, x, []int{n, nClasses}, extras...)
		want, wantGrad := evalGrad(t, func(in []*graph.Node) *graph.Node { return loss.SparseCategoricalCrossEntropyLogits(in[1:], in[:1]) },
			x, []int{n, nClasses}, extras...)
		// GoMLX computes in float32: compare at float32 precision.
		for i := range got {
			if !close(float64(got[i]), float64(want[i]), 1e-5, 0) {
				t.Errorf("loss = %v, GoMLX %v", got[i], want[i])
			}
		}
		for i := range gotGrad {
			if !close(float64(gotGrad[i]), float64(wantGrad[i]), 1e-5, 1e-7) {
				t.Errorf("grad[%d] = %v, GoMLX %v", i, gotGrad[i], wantGrad[i])
			}
		}
	}
}

func TestSoftmaxBadArgumentsAreErrors(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6}
	okLabels := tensorOf([]int64{0, 2}, 2)
	for _, c := range []struct {
		name   string
		s      focal.Softmax
		o      focal.Options
		labels any
		want   error
	}{
		{"alpha per class count", focal.Softmax{Alpha: []float64{1, 2}, IgnoreIndex: -100}, focal.Options{}, okLabels, focal.ErrAlpha},
		{"negative gamma", focal.Softmax{Gamma: -2, IgnoreIndex: -100}, focal.Options{}, okLabels, focal.ErrGamma},
		{"smoothing 1", focal.Softmax{LabelSmoothing: 1, IgnoreIndex: -100}, focal.Options{}, okLabels, focal.ErrSmoothing},
		{"float labels", focal.Softmax{Gamma: 2, IgnoreIndex: -100}, focal.Options{}, tensorOf([]float64{0, 2}, 2), focal.ErrLabel},
		{"label shape", focal.Softmax{Gamma: 2, IgnoreIndex: -100}, focal.Options{}, tensorOf([]int64{0, 2, 1}, 3), focal.ErrLength},
		{"schedule not increasing", focal.Softmax{Schedule: focal.GammaSchedule{Below: []float64{0.5, 0.2}, Gammas: []float64{1, 2}}, IgnoreIndex: -100}, focal.Options{}, okLabels, focal.ErrParam},
		{"schedule with smoothing", focal.Softmax{Schedule: focal.FLSD53(), LabelSmoothing: 0.1, IgnoreIndex: -100}, focal.Options{}, okLabels, focal.ErrSmoothing},
		{"bad reduction", focal.Softmax{Gamma: 2, IgnoreIndex: -100}, focal.Options{Reduction: 9}, okLabels, focal.ErrReduction},
	} {
		_, _, err := tryEvalGrad(func(in []*graph.Node) *graph.Node { return Softmax(in[0], in[1], c.s, c.o) }, x, []int{2, 3}, c.labels)
		wantErr(t, c.name, err, c.want)
	}
	wantErr(t, "constructor panic", panicErr(func() { MakeSoftmax(focal.Softmax{Gamma: math.Inf(1)}, focal.Options{}) }), focal.ErrGamma)
}

// A −Inf logit masks its class out: the loss and gradient stay those of the
// core (p = 0 for that class), not NaN. With label smoothing the masked
// class carries weight and its loss saturates, as in the core; only the
// gradient with respect to the −Inf logit itself differs (0 here).
func TestSoftmaxNegativeInfinityLogitsMaskClasses(t *testing.T) {
	inf := math.Inf(-1)
	x := []float64{inf, 1, 2, 0.5, 3, inf, inf, -1, inf, 4, 0, 0}
	labels := []int64{1, 0, 1}
	for _, c := range []struct {
		s         focal.Softmax
		o         focal.Options
		skipInfDx bool
	}{
		{focal.Softmax{Gamma: 2, IgnoreIndex: -100}, focal.Options{Reduction: focal.Sum}, false},
		{focal.Softmax{Gamma: 0.5, Alpha: []float64{1, 2, 0.5, 0}, IgnoreIndex: -100}, focal.Options{Reduction: focal.None}, false},
		{focal.Softmax{Gamma: 2, LabelSmoothing: 0.1, IgnoreIndex: -100}, focal.Options{Reduction: focal.None}, true},
	} {
		val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Softmax(in[0], in[1], c.s, c.o) },
			x, []int{3, 4}, tensorOf(labels, 3))
		wantVal, wantGrad := coreSoftmax(t, c.s, c.o, x, labels, nil)
		compare(t, "loss", val, wantVal, 0)
		for i := range grad {
			if math.IsInf(x[i], -1) && c.skipInfDx {
				if grad[i] != 0 {
					t.Errorf("ε > 0: gradient at the −Inf logit %d = %v, want 0", i, grad[i])
				}
				continue
			}
			if !close(grad[i], wantGrad[i], 1e-9, gradAbs) {
				t.Errorf("γ = %v, ε = %v: grad[%d] = %v, want %v (core)", c.s.Gamma, c.s.LabelSmoothing, i, grad[i], wantGrad[i])
			}
		}
	}
}

// A γ schedule picks γ(p_y) per position: on rows whose p_y falls in each
// piece of the schedule (a γ = 0 piece included), the loss of every
// position is the fixed-γ loss with γ = schedule.At(p_y), and value and
// gradient equal the core's, in float32 and float64.
func TestSoftmaxScheduleEqualsCore(t *testing.T) {
	inBothFloats(t, testSoftmaxScheduleEqualsCore[float64], testSoftmaxScheduleEqualsCore[float32])
}

func testSoftmaxScheduleEqualsCore[T float](t *testing.T) {
	// Row i has p_y = py[i] for its label 0: logits log p_y and three times
	// log((1 − p_y)/3). Each p_y is at least 0.05 from every threshold.
	py := []float64{0.01, 0.05, 0.14, 0.3, 0.42, 0.55, 0.7, 0.9, 0.999}
	var x []T
	labels := make([]int64, len(py))
	for _, p := range py {
		x = append(x, T(math.Log(p)))
		for range nClasses - 1 {
			x = append(x, T(math.Log((1-p)/(nClasses-1))))
		}
	}
	n := len(py)
	dims := []int{n, nClasses}
	for _, sched := range []focal.GammaSchedule{
		focal.FLSD53(),
		{Below: []float64{0.25, 0.6}, Gammas: []float64{4, 0}, Else: 1.5},
		{Below: []float64{0.35}, Gammas: []float64{2.5}, Else: 0},
	} {
		s := focal.Softmax{Schedule: sched, IgnoreIndex: -100}
		for _, o := range []focal.Options{{Reduction: focal.None}, {Reduction: focal.Mean}, {Reduction: focal.Sum}} {
			val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Softmax(in[0], in[1], s, o) },
				x, dims, tensorOf(labels, n))
			wantVal, wantGrad := coreSoftmax(t, s, o, x, labels, nil)
			compare(t, o.Reduction.String()+" loss", val, wantVal, 0)
			compare(t, o.Reduction.String()+" grad", grad, wantGrad, gradAbs)
			if o.Reduction != focal.None {
				continue
			}
			for i, p := range py {
				fixed := focal.Softmax{Gamma: sched.At(p), IgnoreIndex: -100}
				want, _ := coreSoftmax(t, fixed, o, x[i*nClasses:(i+1)*nClasses], labels[i:i+1], nil)
				compare(t, "loss at γ(p_y)", val[i:i+1], want, 0)
			}
		}
	}
}

// One-hot targets are integer labels: Categorical equals the core's
// SoftmaxLoss on the labels (ignored labels masked), for every softmax
// case — label smoothing included, which Keras applies to the one-hot
// targets as the core applies LabelSmoothing — with the class axis last or
// second.
func TestCategoricalOneHotEqualsCore(t *testing.T) {
	rng := newRand(21, 4)
	rows, labels := softmaxInputs[float64](rng, 30) // 200 positions
	const n, h, w = 2, 10, 10
	N := len(labels)
	onehot := make([]float64, N*nClasses)
	keep := make([]bool, N)
	for i, l := range labels {
		if l >= 0 && l < nClasses {
			onehot[i*nClasses+int(l)] = 1
			keep[i] = true
		}
	}
	for _, c := range softmaxCases {
		t.Run(c.name, func(t *testing.T) {
			lab := make([]int64, N)
			for i, v := range labels {
				lab[i] = v
				if !keep[i] {
					lab[i] = int64(c.s.IgnoreIndex)
				}
			}
			wantVal, wantGrad := coreSoftmax(t, c.s, c.o, rows, lab, nil)
			val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node {
				return Categorical(in[0], in[1], c.s, c.o, Mask(in[2]))
			}, rows, []int{N, nClasses}, tensorOf(onehot, N, nClasses), tensorOf(keep, N))
			compare(t, "class-last loss", val, wantVal, 0)
			compare(t, "class-last grad", grad, wantGrad, gradAbs)

			val, grad = evalGrad(t, func(in []*graph.Node) *graph.Node {
				return Categorical(in[0], in[1], c.s, c.o, Mask(in[2]), ClassAxis(1))
			}, toNCHW(rows, n, nClasses, h*w), []int{n, nClasses, h, w},
				tensorOf(toNCHW(onehot, n, nClasses, h*w), n, nClasses, h, w), tensorOf(keep, n, h, w))
			compare(t, "class-second loss", val, wantVal, 0)
			compare(t, "class-second grad", fromNCHW(grad, n, nClasses, h*w), wantGrad, gradAbs)
		})
	}
}

// categoricalInputs returns n random rows of C logits and their target
// distributions.
func categoricalInputs(rng *rand.Rand, n, C int) (x, targets []float64) {
	x = make([]float64, n*C)
	for i := range x {
		x[i] = rng.NormFloat64() * 2
	}
	return x, targetDistributions(rng, n, C)
}

// targetDistributions returns n random target distributions over C classes, some
// one-hot, some with an exact 0.
func targetDistributions(rng *rand.Rand, n, c int) []float64 {
	t := make([]float64, n*c)
	for i := range n {
		row := t[i*c : (i+1)*c]
		switch i % 4 {
		case 0:
			row[rng.IntN(c)] = 1
		default:
			sum := 0.0
			for j := range row {
				if i%4 == 3 && j == 0 {
					continue
				}
				row[j] = rng.ExpFloat64()
				sum += row[j]
			}
			for j := range row {
				row[j] /= sum
			}
		}
	}
	return t
}

// categoricalFormula is Keras' CategoricalFocalCrossentropy written out
// directly: per position Σ_c α_c q_c (1 − p_c)^γ (−log p_c) with
// q = (1 − ε)t + ε/C and p the softmax of the row (log-sum-exp), γ = γ(p_t)
// for a schedule, p_t = Σ_c t_c p_c; then reduced.
func categoricalFormula(x, t []float64, C int, s focal.Softmax, o focal.Options) []float64 {
	n := len(x) / C
	per := make([]float64, n)
	sum, positives := 0.0, 0
	for i := range n {
		xr, tr := x[i*C:(i+1)*C], t[i*C:(i+1)*C]
		m := math.Inf(-1)
		for _, v := range xr {
			m = max(m, v)
		}
		se := 0.0
		for _, v := range xr {
			se += math.Exp(v - m)
		}
		lse := m + math.Log(se)
		gamma := s.Gamma
		if len(s.Schedule.Below) > 0 {
			pt := 0.0
			for c := range C {
				pt += tr[c] * math.Exp(xr[c]-lse)
			}
			gamma = s.Schedule.At(pt)
		}
		top := 0
		for c := range C {
			lp := xr[c] - lse
			q := (1-s.LabelSmoothing)*tr[c] + s.LabelSmoothing/float64(C)
			a := 1.0
			switch len(s.Alpha) {
			case 1:
				a = s.Alpha[0]
			case C:
				a = s.Alpha[c]
			}
			per[i] += a * q * math.Pow(1-math.Exp(lp), gamma) * -lp
			if tr[c] > tr[top] {
				top = c
			}
		}
		sum += per[i]
		if top != s.Background {
			positives++
		}
	}
	switch o.Reduction {
	case focal.None:
		return per
	case focal.Sum:
		return []float64{sum}
	case focal.Positives:
		return []float64{sum / math.Max(1, float64(positives))}
	}
	return []float64{sum / float64(n)}
}

// Soft labels: Categorical's value is Keras' formula, written out
// independently, and its autodiff gradient the finite differences of its
// value, for scalar and per-class α, label smoothing, integer, fractional
// and zero γ, a γ schedule, and every reduction.
func TestCategoricalSoftLabelsMatchFormula(t *testing.T) {
	const n, C = 8, 4
	x, tg := categoricalInputs(newRand(4, 21), n, C)
	for _, c := range []struct {
		name string
		s    focal.Softmax
		o    focal.Options
	}{
		{"Keras defaults", focal.Softmax{Alpha: []float64{0.25}, Gamma: 2}, focal.Options{}},
		{"per-class α γ=0.5 smoothing sum", focal.Softmax{Alpha: []float64{1, 0.5, 2, 0.25}, Gamma: 0.5, LabelSmoothing: 0.1}, focal.Options{Reduction: focal.Sum}},
		{"γ=0 none", focal.Softmax{}, focal.Options{Reduction: focal.None}},
		{"γ=3 positives background 2", focal.Softmax{Gamma: 3, Background: 2}, focal.Options{Reduction: focal.Positives}},
		{"flsd-53 mean", focal.Softmax{Schedule: focal.FLSD53()}, focal.Options{Reduction: focal.Mean}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fn := func(in []*graph.Node) *graph.Node { return Categorical(in[0], in[1], c.s, c.o) }
			val, grad := evalGrad(t, fn, x, []int{n, C}, tensorOf(tg, n, C))
			compare(t, "loss", val, categoricalFormula(x, tg, C, c.s, c.o), 0)
			fd := finiteDifferences(t, fn, x, []int{n, C}, 1e-6, tensorOf(tg, n, C))
			for i := range grad {
				if !close(grad[i], fd[i], 1e-6, 1e-8) {
					t.Errorf("grad[%d] = %v, finite differences %v", i, grad[i], fd[i])
				}
			}
		})
	}
}

// The ready-made CategoricalFocal is Keras' default; with γ = 0 and no α
// the loss function is GoMLX's CategoricalCrossEntropyLogits, mask included.
func TestCategoricalLossFunctions(t *testing.T) {
	const n, C = 6, 3
	x, tg := categoricalInputs(newRand(17, 2), n, C)
	mask := []bool{true, false, true, true, false, true}
	val, _ := evalGrad(t, func(in []*graph.Node) *graph.Node { return CategoricalFocal(in[1:], in[:1]) },
		x, []int{n, C}, tensorOf(tg, n, C))
	compare(t, "CategoricalFocal", val, categoricalFormula(x, tg, C, focal.Softmax{Alpha: []float64{0.25}, Gamma: 2}, focal.Options{}), 0)

	ce := MakeCategorical(focal.Softmax{}, focal.Options{})
	for _, extras := range [][]any{{tensorOf(tg, n, C)}, {tensorOf(tg, n, C), tensorOf(mask, n)}} {
		got, gotGrad := evalGrad(t, func(in []*graph.Node) *graph.Node { return ce(in[1:], in[:1]) }, x, []int{n, C}, extras...)
		want, wantGrad := evalGrad(t, func(in []*graph.Node) *graph.Node { return loss.CategoricalCrossEntropyLogits(in[1:], in[:1]) },
			x, []int{n, C}, extras...)
		compare(t, "loss", got, want, 0)
		compare(t, "grad", gotGrad, wantGrad, gradAbs)
	}
}

package focalloss

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train/loss"
)

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

// finiteDifferences returns the central differences of the sum of fn's
// value with respect to x, with step h·max(1, |x_i|).
func finiteDifferences(t *testing.T, fn func(in []*graph.Node) *graph.Node, x []float64, dims []int, h float64, rest ...any) []float64 {
	t.Helper()
	e, err := graph.NewExec(backend(), func(in []*graph.Node) *graph.Node { return graph.ReduceAllSum(fn(in)) })
	if err != nil {
		t.Fatal(err)
	}
	defer e.Finalize()
	at := func(xs []float64) float64 {
		out, err := e.Call(append([]any{tensors.FromFlatDataAndDimensions(xs, dims...)}, rest...)...)
		if err != nil {
			t.Fatal(err)
		}
		return tensors.MustCopyFlatData[float64](out[0])[0]
	}
	grad := make([]float64, len(x))
	xs := append([]float64(nil), x...)
	for i := range x {
		d := h * math.Max(1, math.Abs(x[i]))
		xs[i] = x[i] + d
		up := at(xs)
		xs[i] = x[i] - d
		down := at(xs)
		xs[i] = x[i]
		grad[i] = (up - down) / (2 * d)
	}
	return grad
}

// Soft labels: Categorical's value is Keras' formula, written out
// independently, and its autodiff gradient the finite differences of its
// value, for scalar and per-class α, label smoothing, integer, fractional
// and zero γ, a γ schedule, and every reduction.
func TestCategoricalSoftLabelsMatchFormula(t *testing.T) {
	rng := newRand(4, 21)
	const n, C = 8, 4
	x := make([]float64, n*C)
	for i := range x {
		x[i] = rng.NormFloat64() * 2
	}
	tg := targetDistributions(rng, n, C)
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
	rng := newRand(17, 2)
	const n, C = 6, 3
	x := make([]float64, n*C)
	for i := range x {
		x[i] = rng.NormFloat64() * 2
	}
	tg := targetDistributions(rng, n, C)
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

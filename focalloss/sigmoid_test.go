package focalloss

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// extremeLogits are the logits every equivalence test includes besides
// random ones: exact 0 (the Max and |x| ties), tiny, moderate, saturated in
// float32 and float64, and ±1e30.
var extremeLogits = []float64{0, 1e-7, -1e-7, 0.5, -0.5, 3, -3, 17, -17, 40, -40, 90, -90, 750, -750, 1e30, -1e30}

// sigmoidInputs returns logits and targets as the cross product of the
// extreme logits plus n random ones with hard, soft and random targets.
func sigmoidInputs[T float](rng *rand.Rand, n int) (x, y []T) {
	xs := append([]float64(nil), extremeLogits...)
	for i := range n {
		xs = append(xs, wideLogit(rng, i))
	}
	for _, v := range xs {
		for _, t := range []float64{0, 1, 0.5, 0.3, 0.97, rng.Float64()} {
			x = append(x, T(v))
			y = append(y, T(t))
		}
	}
	return x, y
}

// wideLogit returns a random logit: normal (σ = 4) for even i, else with a
// log-uniform magnitude in [1e-8, 1e30] and a random sign.
func wideLogit(rng *rand.Rand, i int) float64 {
	if i%2 == 0 {
		return rng.NormFloat64() * 4
	}
	v := math.Pow(10, -8+38*rng.Float64())
	if rng.IntN(2) == 0 {
		v = -v
	}
	return v
}

// retinaNet is the paper's sigmoid focal loss, α = 0.25 and γ = 2 (the
// default of KindFocal), used with the Positives reduction.
var retinaNet = focal.Sigmoid{Alpha: 0.25, Gamma: 2}

// sigmoidCases are parameter sets covering every reduction, α on and off,
// and integer, fractional and zero γ.
var sigmoidCases = []struct {
	name string
	s    focal.Sigmoid
	o    focal.Options
}{
	{"default", focal.KindFocal.Default().(focal.Sigmoid), focal.Options{Reduction: focal.Positives}},
	{"mean γ=2", focal.Sigmoid{Alpha: 0.25, Gamma: 2}, focal.Options{Reduction: focal.Mean}},
	{"sum γ=1", focal.Sigmoid{Alpha: 0.75, Gamma: 1}, focal.Options{Reduction: focal.Sum}},
	{"none γ=2.5", focal.Sigmoid{Alpha: 0.25, Gamma: 2.5}, focal.Options{Reduction: focal.None}},
	{"none γ=0.5 no α", focal.Sigmoid{Gamma: 0.5}, focal.Options{Reduction: focal.None}},
	{"mean γ=0.1", focal.Sigmoid{Alpha: 0.4, Gamma: 0.1}, focal.Options{Reduction: focal.Mean}},
	{"positives γ=5", focal.Sigmoid{Alpha: 0.25, Gamma: 5}, focal.Options{Reduction: focal.Positives}},
	{"BCE γ=0", focal.Sigmoid{Gamma: 0}, focal.Options{Reduction: focal.Mean}},
	{"balanced BCE α=1", focal.Sigmoid{Alpha: 1, Gamma: 0}, focal.Options{Reduction: focal.Sum}},
	{"no α γ=3 positives", focal.Sigmoid{Alpha: 0, Gamma: 3}, focal.Options{Reduction: focal.Positives}},
	{"normalizer mean", focal.Sigmoid{Alpha: 0.25, Gamma: 2}, focal.Options{Reduction: focal.Mean, Normalizer: 7}},
	{"normalizer positives γ=1.5", focal.Sigmoid{Alpha: 0.25, Gamma: 1.5}, focal.Options{Reduction: focal.Positives, Normalizer: 3}},
}

func TestSigmoidFocalLossEqualsCore(t *testing.T) {
	inBothFloats(t, testSigmoidEqualsCore[float64], testSigmoidEqualsCore[float32])
}

func testSigmoidEqualsCore[T float](t *testing.T) {
	rng := newRand(4, 1)
	x, y := sigmoidInputs[T](rng, 40)
	dims := []int{len(x) / 6, 6} // a row per logit: its six targets
	w, mask := randomWeightsAndMask[T](rng, len(x))
	for i := 0; i < len(w); i += 5 {
		w[i] = 0 // zero weights too
	}
	for _, c := range sigmoidCases {
		t.Run(c.name, func(t *testing.T) {
			val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Sigmoid(in[0], in[1], c.s, c.o) },
				x, dims, tensorOf(y, dims...))
			wantVal, wantGrad := coreFamily(t, c.s, c.o, x, y, nil, nil)
			compare(t, "loss", val, wantVal, 0)
			compare(t, "grad", grad, wantGrad, gradAbs)

			val, grad = evalGrad(t, func(in []*graph.Node) *graph.Node {
				return Sigmoid(in[0], in[1], c.s, c.o, wm(in[2], in[3])...)
			}, x, dims, tensorOf(y, dims...), tensorOf(w, dims...), tensorOf(mask, dims...))
			wantVal, wantGrad = coreFamily(t, c.s, c.o, x, y, w, not(mask))
			compare(t, "weighted loss", val, wantVal, 0)
			compare(t, "weighted grad", grad, wantGrad, gradAbs)
		})
	}
}

// The derivative at x = 0 is where GoMLX's tie rules for Max and Abs
// decide: with γ = 0 and no α it is exactly σ(0) − y = ½ − y.
func TestSigmoidGradientAtZeroIsExact(t *testing.T) {
	ys := []float64{0, 1, 0.25, 0.5}
	x := make([]float64, len(ys))
	s, sum := focal.Sigmoid{Gamma: 0}, focal.Options{Reduction: focal.Sum}
	_, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Sigmoid(in[0], in[1], s, sum) },
		x, []int{len(x)}, tensorOf(ys, len(ys)))
	for i, v := range ys {
		if want := 0.5 - v; grad[i] != want {
			t.Errorf("y = %v: ∂L/∂x(0) = %v, want %v", v, grad[i], want)
		}
	}
	// And for γ = 2.5 (log-space factor) and γ = 2 (product factor),
	// against the core.
	for _, g := range []float64{2, 2.5, 0.5} {
		s := focal.Sigmoid{Alpha: 0.25, Gamma: g}
		_, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Sigmoid(in[0], in[1], s, sum) },
			x, []int{len(x)}, tensorOf(ys, len(ys)))
		_, want := coreFamily(t, s, sum, x, ys, nil, nil)
		compare(t, "grad at 0", grad, want, gradAbs)
	}
}

// For 0 < γ < 1, pow(1 − pₜ, γ − 1) is Inf at saturated logits; the loss
// must still have a finite gradient there, equal to the core's.
func TestSigmoidFractionalGammaSaturatedGradientIsFinite(t *testing.T) {
	var x, y []float64
	for _, v := range []float64{40, -40, 750, -750, 1e30, -1e30} {
		for _, tg := range []float64{0, 1, 0.5} {
			x, y = append(x, v), append(y, tg)
		}
	}
	for _, g := range []float64{0.1, 0.5, 0.9, 1.5} {
		s, o := focal.Sigmoid{Alpha: 0.25, Gamma: g}, focal.Options{Reduction: focal.Sum}
		val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Sigmoid(in[0], in[1], s, o) },
			x, []int{len(x)}, tensorOf(y, len(y)))
		for i, d := range grad {
			if math.IsNaN(d) || math.IsInf(d, 0) {
				t.Errorf("γ = %v, x = %v, y = %v: gradient %v", g, x[i], y[i], d)
			}
		}
		wantVal, wantGrad := coreFamily(t, s, o, x, y, nil, nil)
		compare(t, "loss", val, wantVal, 0)
		compare(t, "grad", grad, wantGrad, gradAbs)
	}
}

// Infinite logits give the core's limits; NaN gives NaN.
func TestSigmoidNonFiniteLogits(t *testing.T) {
	inf := math.Inf(1)
	x := []float64{inf, inf, -inf, -inf, math.NaN(), math.NaN()}
	y := []float64{1, 0, 1, 0, 1, 0}
	for _, g := range []float64{0, 2, 0.5} {
		s, o := focal.Sigmoid{Alpha: 0.25, Gamma: g}, focal.Options{Reduction: focal.None}
		val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Sigmoid(in[0], in[1], s, o) },
			x, []int{len(x)}, tensorOf(y, len(y)))
		wantVal, wantGrad := coreFamily(t, s, o, x, y, nil, nil)
		compare(t, "loss", val, wantVal, 0)
		for i := range grad {
			if w := wantGrad[i]; !math.IsNaN(w) && !math.IsInf(w, 0) && !close(grad[i], w, 1e-9, gradAbs) {
				t.Errorf("γ = %v, x = %v, y = %v: gradient %v, want %v", g, x[i], y[i], grad[i], w)
			}
		}
	}
}

// Masked elements may hold padding garbage (NaN logits, targets out of
// range): they must not reach the loss, the counts or the gradient.
func TestSigmoidMaskedGarbageIsInert(t *testing.T) {
	x := []float64{1, math.NaN(), -2, math.Inf(1)}
	y := []float64{1, 7, 0, -3}
	mask := []bool{true, false, true, false}
	s, o := focal.Sigmoid{Alpha: 0.25, Gamma: 0.5}, focal.Options{Reduction: focal.Mean}
	val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Sigmoid(in[0], in[1], s, o, wm(nil, in[2])...) },
		x, []int{4}, tensorOf(y, 4), tensorOf(mask, 4))
	wantVal, wantGrad := coreFamily(t, s, o, []float64{1, -2}, []float64{1, 0}, nil, nil)
	compare(t, "loss", val, wantVal, 0)
	compare(t, "grad", []float64{grad[0], grad[2]}, wantGrad, gradAbs)
	if grad[1] != 0 || grad[3] != 0 {
		t.Errorf("gradient at masked elements = %v, %v, want 0", grad[1], grad[3])
	}
}

// Per-example weights and masks of shape [N] apply to every element of
// their row of [N, C] logits.
func TestSigmoidPrefixWeightsBroadcast(t *testing.T) {
	rng := newRand(2, 2)
	const n, c = 5, 3
	x, y, w, ign := make([]float64, n*c), make([]float64, n*c), make([]float64, n*c), make([]bool, n*c)
	rw, rm := make([]float64, n), make([]bool, n)
	for i := range n {
		rw[i], rm[i] = rng.Float64(), i != 2
	}
	for i := range x {
		x[i], y[i] = rng.NormFloat64()*3, float64(rng.IntN(2))
		w[i], ign[i] = rw[i/c], !rm[i/c]
	}
	s, o := retinaNet, focal.Options{Reduction: focal.Positives}
	val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Sigmoid(in[0], in[1], s, o, wm(in[2], in[3])...) },
		x, []int{n, c}, tensorOf(y, n, c), tensorOf(rw, n), tensorOf(rm, n))
	wantVal, wantGrad := coreFamily(t, s, o, x, y, w, ign)
	compare(t, "loss", val, wantVal, 0)
	compare(t, "grad", grad, wantGrad, gradAbs)
}

// Targets may be bool or integer, and of another shape of the same size.
func TestSigmoidTargetDTypes(t *testing.T) {
	x := []float32{-1, 0.5, 2, -3}
	yf := []float32{0, 1, 1, 0}
	s, o := retinaNet, focal.Options{Reduction: focal.Positives}
	want, _ := coreFamily(t, s, o, x, yf, nil, nil)
	for _, tg := range []any{
		tensorOf([]bool{false, true, true, false}, 4),
		tensorOf([]int32{0, 1, 1, 0}, 4),
		tensorOf(yf, 4, 1),
	} {
		val, _ := evalGrad(t, func(in []*graph.Node) *graph.Node { return Sigmoid(in[0], in[1], s, o) }, x, []int{4}, tg)
		compare(t, "loss", val, want, 0)
	}
}

// Bad parameters and shapes are errors of the graph's execution, wrapping
// the core package's sentinels.
func TestSigmoidBadArgumentsAreErrors(t *testing.T) {
	x := []float64{1, 2, 3}
	for _, c := range []struct {
		name string
		s    focal.Sigmoid
		o    focal.Options
		y    any
		want error
	}{
		{"negative gamma", focal.Sigmoid{Alpha: 0.25, Gamma: -1}, focal.Options{}, tensorOf([]float64{0, 1, 0}, 3), focal.ErrGamma},
		{"alpha above 1", focal.Sigmoid{Alpha: 1.5, Gamma: 2}, focal.Options{}, tensorOf([]float64{0, 1, 0}, 3), focal.ErrAlpha},
		{"bad reduction", focal.Sigmoid{Alpha: 0.25}, focal.Options{Reduction: 9}, tensorOf([]float64{0, 1, 0}, 3), focal.ErrReduction},
		{"target size", retinaNet, focal.Options{Reduction: focal.Positives}, tensorOf([]float64{0, 1}, 2), focal.ErrLength},
	} {
		_, _, err := tryEvalGrad(func(in []*graph.Node) *graph.Node { return Sigmoid(in[0], in[1], c.s, c.o) }, x, []int{3}, c.y)
		wantErr(t, c.name, err, c.want)
	}
	_, _, err := tryEvalGrad(func(in []*graph.Node) *graph.Node {
		return Sigmoid(in[0], in[1], retinaNet, focal.Options{Reduction: focal.Positives}, wm(in[2], nil)...)
	}, x, []int{3}, tensorOf([]float64{0, 1, 0}, 3), tensorOf([]float64{1, 1}, 2))
	wantErr(t, "weights shape", err, focal.ErrLength)
}

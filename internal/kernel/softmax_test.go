package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSoftmaxHardMatchesGeneral: without label smoothing the specialised
// kernel agrees with the general one (float64: 1e-13 relative; float32:
// within float32 rounding), on random and extreme logits, any γ, α per
// class, NCHW strides, weights and ignored positions.
func TestSoftmaxHardMatchesGeneral(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	const outer, C, inner = 7, 5, 6
	n := outer * C * inner
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64() * 5
		if rng.IntN(10) == 0 {
			x[i] = []float64{1e30, -1e30, 800, -800, 0, math.MaxFloat32}[rng.IntN(6)]
		}
	}
	labels := make([]int32, outer*inner)
	w := make([]float64, len(labels))
	for i := range labels {
		labels[i] = int32(rng.IntN(C))
		w[i] = rng.Float64() * 2
	}
	labels[4] = -100
	for _, g := range []float64{0, 0.5, 2, 3.3} {
		p := &SoftmaxParams{Classes: C, Inner: inner, Alpha: []float64{0.1, 1, 2, 0.5, 0.25}, Gamma: g, Scale: 0.3, HasIgnore: true, Ignore: -100}
		l1, g1, h1 := make([]float64, len(labels)), make([]float64, n), make([]float64, n)
		l2, g2, h2 := make([]float64, len(labels)), make([]float64, n), make([]float64, n)
		// two ranges of positions, to exercise first > 0
		s1 := softmaxHard(p, l1[:17], g1, h1, x, labels[:17], w[:17], 0) + softmaxHard(p, l1[17:], g1, h1, x, labels[17:], w[17:], 17)
		s2 := softmaxGeneral(p, l2, g2, h2, x, labels, w, 0)
		if !near(s1, s2, 1e-13) {
			t.Fatalf("γ %v: sum %v vs %v", g, s1, s2)
		}
		for i := range l1 {
			if !near(l1[i], l2[i], 1e-13) {
				t.Fatalf("γ %v: loss[%d] %v vs %v", g, i, l1[i], l2[i])
			}
		}
		for i := range g1 {
			if !near(g1[i], g2[i], 1e-12) || !near(h1[i], h2[i], 1e-12) {
				t.Fatalf("γ %v: [%d] grad %v vs %v, hess %v vs %v", g, i, g1[i], g2[i], h1[i], h2[i])
			}
		}
		// float32: the hard path uses the 1e-9 exp polynomial.
		x32 := make([]float32, n)
		for i := range x {
			x32[i] = float32(max(min(x[i], math.MaxFloat32), -math.MaxFloat32))
		}
		w32 := make([]float32, len(w))
		for i := range w {
			w32[i] = float32(w[i])
		}
		f1, fg1 := make([]float32, len(labels)), make([]float32, n)
		f2, fg2 := make([]float32, len(labels)), make([]float32, n)
		softmaxHard(p, f1, fg1, nil, x32, labels, w32, 0)
		softmaxGeneral(p, f2, fg2, nil, x32, labels, w32, 0)
		for i := range f1 {
			if !near(float64(f1[i]), float64(f2[i]), 1e-6) {
				t.Fatalf("float32 γ %v: loss[%d] %v vs %v", g, i, f1[i], f2[i])
			}
		}
		for i := range fg1 {
			if math.Abs(float64(fg1[i]-fg2[i])) > 1e-6*math.Abs(float64(fg2[i]))+1e-30 {
				t.Fatalf("float32 γ %v: grad[%d] %v vs %v", g, i, fg1[i], fg2[i])
			}
		}
	}
}

func near(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol*max(1, math.Abs(b))
}

package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFloat32PathMatchesExact: the float32 fast path (hard targets
// branch-free, soft targets through sigmoidElem32) agrees with SigmoidElem
// in float64 to a few float32 ulps, over random and extreme logits.
func TestFloat32PathMatchesExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	var x, y []float32
	for _, v := range []float32{0, -0, 1e-45, -1e-45, 1e-20, 1, -1, 15, -15, 88, -88, 104, -104, 200, -200, 1e30, -1e30, math.MaxFloat32, -math.MaxFloat32} {
		for _, t := range []float32{0, 1, 0.3} {
			x, y = append(x, v), append(y, t)
		}
	}
	for range 3000 {
		x = append(x, float32(rng.NormFloat64()*8))
		t := float32(0)
		switch rng.IntN(3) {
		case 0:
			t = 1
		case 1:
			t = rng.Float32()
		}
		y = append(y, t)
	}
	n := len(x)
	for _, g := range []float64{0, 0.5, 1, 2, 3, 2.7} {
		for _, hasAlpha := range []bool{false, true} {
			p := &SigmoidParams{Alpha: 0.25, HasAlpha: hasAlpha, Gamma: g, Scale: 0.5}
			l, gr, h := make([]float32, n), make([]float32, n), make([]float32, n)
			sum := SigmoidGo(p, l, gr, h, x, y, nil, nil)
			var want float64
			for i := range x {
				el, eg, eh := SigmoidElem(float64(x[i]), float64(y[i]), p)
				want += el
				for _, c := range [...]struct {
					name  string
					got   float32
					exact float64
				}{{"loss", l[i], el}, {"grad", gr[i], eg * p.Scale}, {"hess", h[i], eh * p.Scale}} {
					// 4 ulps of the float32 result, or 1e-37 absolute (the
					// polynomial's 1e-9 relative error can matter only there).
					tol := max(4*ulp32(float32(c.exact)), 1e-37)
					if math.Abs(float64(c.got)-c.exact) > tol {
						t.Fatalf("γ %v α %v x %v y %v: %s %v, exact %v", g, hasAlpha, x[i], y[i], c.name, c.got, c.exact)
					}
				}
			}
			if math.Abs(sum-want) > 1e-7*math.Abs(want) {
				t.Fatalf("γ %v: sum %v, exact %v", g, sum, want)
			}
		}
	}
}

func ulp32(v float32) float64 {
	a := math.Abs(float64(v))
	return float64(math.Nextafter32(float32(a), math.MaxFloat32)) - a
}

package focal_test

import (
	"math"
	"testing"

	"github.com/focalgo/focal"
)

// FuzzFamily asserts, for arbitrary logits, targets and exponents, that
// every member's loss, gradient and Hessian are finite for a finite logit,
// that losses are ≥ 0 where the member is non-negative, and the identities
// Poly-1(ε = 0) = FL, QFL(hard y) = FL(γ = β) and Gaussian(y = 1) = FL
// without α.
func FuzzFamily(f *testing.F) {
	f.Add(0.0, 1.0, 2.0, 0.25)
	f.Add(1e30, 0.0, 0.5, 0.05)
	f.Add(-745.5, 0.3, 0.01, 0.9)
	f.Add(math.MaxFloat64, 1.0, 7.0, 0.0)
	f.Add(5e-324, 0.5, 1.5, 0.5)
	f.Fuzz(func(t *testing.T, x, y, gamma, param float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) || !(y >= 0 && y <= 1) || !(gamma >= 0 && gamma <= 20) || !(param >= 0 && param < 1) {
			t.Skip()
		}
		hard := math.Round(y)
		members := []struct {
			m    focal.Member
			y    float64
			sign bool // loss ≥ 0
		}{
			{focal.Poly1{Alpha: param, Gamma: gamma, Epsilon: 1}, y, true},
			{focal.Asymmetric{GammaPos: gamma, GammaNeg: gamma + 1, Margin: param}, hard, true},
			{focal.Asymmetric{GammaPos: gamma, GammaNeg: gamma, Margin: param, DetachWeight: true}, hard, true},
			{focal.Quality{Beta: gamma}, y, true},
			{focal.Varifocal{Alpha: param, Gamma: gamma, IoUWeighted: true}, y, true},
			{focal.FLStar{Alpha: param, Gamma: gamma + 0.1, Beta: param*4 - 2}, hard, true},
			{focal.Scheduled{Alpha: param, Schedule: focal.GammaSchedule{Below: []float64{param}, Gammas: []float64{gamma}, Else: 1}}, y, true},
			{focal.Reduced{Alpha: param, Gamma: min(gamma, 5), Threshold: max(param, 1e-3)}, y, true},
			{focal.Gaussian{Gamma: gamma, Beta: param * 8}, y, true},
		}
		for _, c := range members {
			for _, T32 := range []bool{false, true} {
				xv, yv := x, c.y
				if T32 {
					if math.Abs(x) > math.MaxFloat32 {
						continue
					}
					xv, yv = float64(float32(x)), float64(float32(c.y))
					if c.y == hard {
						yv = hard
					}
				}
				var l, g, h float64
				if T32 {
					o := focal.Outputs[float32]{Loss: make([]float32, 1), Grad: make([]float32, 1), Hess: make([]float32, 1)}
					if _, err := focal.Loss(c.m, none, o, focal.Input[float32]{Logits: []float32{float32(xv)}, Targets: []float32{float32(yv)}}); err != nil {
						t.Fatal(err)
					}
					l, g, h = float64(o.Loss[0]), float64(o.Grad[0]), float64(o.Hess[0])
				} else {
					o := focal.Outputs[float64]{Loss: make([]float64, 1), Grad: make([]float64, 1), Hess: make([]float64, 1)}
					if _, err := focal.Loss(c.m, none, o, focal.Input[float64]{Logits: []float64{xv}, Targets: []float64{yv}}); err != nil {
						t.Fatal(err)
					}
					l, g, h = o.Loss[0], o.Grad[0], o.Hess[0]
				}
				for _, v := range []float64{l, g, h} {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("%v (float32 %v) at x = %v, y = %v: loss %v, grad %v, hess %v", c.m, T32, xv, yv, l, g, h)
					}
				}
				if c.sign && l < 0 {
					t.Fatalf("%v: negative loss %v at x = %v, y = %v", c.m, l, xv, yv)
				}
			}
		}
		for _, id := range []struct{ a, b focal.Member }{
			{focal.Poly1{Alpha: param, Gamma: gamma}, focal.Sigmoid{Alpha: param, Gamma: gamma}},
			{focal.Quality{Beta: gamma}, focal.Sigmoid{Gamma: gamma}},
			{focal.Gaussian{Gamma: gamma, Beta: param * 8}, focal.Sigmoid{Gamma: gamma}},
		} {
			yy := y
			switch id.a.Kind() {
			case focal.KindQFL:
				yy = hard
			case focal.KindGaussian:
				yy = 1
			}
			la, ga, ha := id.a.Elem(x, yy)
			lb, gb, hb := id.b.Elem(x, yy)
			for _, p := range [][2]float64{{la, lb}, {ga, gb}, {ha, hb}} {
				if !closeTo(p[0], p[1], 1e-12) && !(math.IsInf(p[0], 0) && p[0] == p[1]) {
					t.Fatalf("%v ≠ %v at x = %v, y = %v: %v vs %v", id.a, id.b, x, yy, p[0], p[1])
				}
			}
		}
	})
}

package focal_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
)

// familyMembers are members with a spread of parameters, including
// 0 < γ < 1 and non-integer exponents, each named.
var familyMembers = []struct {
	name string
	m    focal.Member
}{
	{"focal/default", focal.DefaultSigmoid},
	{"focal/g0.5/noalpha", focal.Sigmoid{Alpha: focal.NoAlpha, Gamma: 0.5}},
	{"poly1/default", focal.DefaultPoly1},
	{"poly1/g0.5/e-0.7/noalpha", focal.Poly1{Alpha: focal.NoAlpha, Gamma: 0.5, Epsilon: -0.7}},
	{"poly1/g2.5/e3/a0.6", focal.Poly1{Alpha: 0.6, Gamma: 2.5, Epsilon: 3}},
	{"asl/g1/g4/m0.05", focal.Asymmetric{GammaPos: 1, GammaNeg: 4, Margin: 0.05}},
	{"asl/g0.5/g0.7/m0.2", focal.Asymmetric{GammaPos: 0.5, GammaNeg: 0.7, Margin: 0.2}},
	{"asl/g2/g3/m0", focal.Asymmetric{GammaPos: 2, GammaNeg: 3}},
	{"qfl/b2", focal.Quality{Beta: 2}},
	{"qfl/b1.5", focal.Quality{Beta: 1.5}},
	{"qfl/b0.5", focal.Quality{Beta: 0.5}},
	{"qfl/b3.3", focal.Quality{Beta: 3.3}},
	{"varifocal/default", focal.DefaultVarifocal},
	{"varifocal/g0.5/plain", focal.Varifocal{Alpha: 0.4, Gamma: 0.5}},
	{"flstar/default", focal.DefaultFLStar},
	{"flstar/g0.3/b-2", focal.FLStar{Alpha: focal.NoAlpha, Gamma: 0.3, Beta: -2}},
	{"flsd/53", focal.DefaultScheduled()},
	{"flsd/custom", focal.Scheduled{Alpha: 0.3, Schedule: focal.GammaSchedule{Below: []float64{0.1, 0.4, 0.9}, Gammas: []float64{0.5, 4, 1.5}, Else: 0.2}}},
	{"reduced/default", focal.DefaultReduced},
	{"reduced/th0.2/g1.5/a0.25", focal.Reduced{Alpha: 0.25, Gamma: 1.5, Threshold: 0.2}},
	{"reduced/th0.9/g0.5", focal.Reduced{Alpha: focal.NoAlpha, Gamma: 0.5, Threshold: 0.9}},
}

// hardTargets reports whether m accepts only y ∈ {0, 1}.
func hardTargets(m focal.Member) bool {
	k := m.Kind()
	return k == focal.KindASL || k == focal.KindFLStar
}

func withReduction(t *testing.T, m focal.Member, r focal.Reduction) focal.Member {
	t.Helper()
	switch v := m.(type) {
	case focal.Sigmoid:
		v.Reduction = r
		return v
	case focal.Poly1:
		v.Reduction = r
		return v
	case focal.Asymmetric:
		v.Reduction = r
		return v
	case focal.Quality:
		v.Reduction = r
		return v
	case focal.Varifocal:
		v.Reduction = r
		return v
	case focal.FLStar:
		v.Reduction = r
		return v
	case focal.Scheduled:
		v.Reduction = r
		return v
	case focal.Reduced:
		v.Reduction = r
		return v
	}
	t.Fatalf("unknown member %T", m)
	return nil
}

// TestFamilyDerivativesMatchFiniteDifferences checks the gradient and
// Hessian diagonal of every member's reduced loss (every reduction, with
// weights) against central differences of the loss and of the gradient.
func TestFamilyDerivativesMatchFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const n = 24
	for _, mc := range familyMembers {
		for _, red := range []focal.Reduction{focal.None, focal.Mean, focal.Positives} {
			t.Run(fmt.Sprintf("%s/%v", mc.name, red), func(t *testing.T) {
				m := withReduction(t, mc.m, red)
				x, y, w := make([]float64, n), make([]float64, n), make([]float64, n)
				for i := range x {
					x[i] = rng.NormFloat64() * 4
					switch {
					case rng.IntN(3) == 0:
						y[i] = 1
					case hardTargets(m) || rng.IntN(2) == 0:
						y[i] = 0
					default:
						y[i] = rng.Float64()
					}
					w[i] = 0.5 + rng.Float64()
				}
				eval := func(x []float64) (float64, []float64, []float64) {
					g, h := make([]float64, n), make([]float64, n)
					tot, err := focal.FamilyWeighted(m, focal.Outputs[float64]{Grad: g, Hess: h}, x, y, w, nil)
					if err != nil {
						t.Fatal(err)
					}
					return tot.Reduce(red), g, h
				}
				_, grad, hess := eval(x)
				fdCheck(t, x, grad, hess,
					func(x []float64) float64 { v, _, _ := eval(x); return v },
					func(x []float64) []float64 { _, g, _ := eval(x); return g })
			})
		}
	}
}

// TestAsymmetricDetachedIsWeightTimesCrossEntropyDerivatives checks that
// with DetachWeight the gradient and Hessian are those of w·ce with the
// weight w frozen at the current logits: w·(p − y) and w·p(1 − p) with
// w = loss/ce.
func TestAsymmetricDetachedIsWeightTimesCrossEntropyDerivatives(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, a := range []focal.Asymmetric{focal.DefaultAsymmetric, {GammaPos: 0.5, GammaNeg: 2.5, Margin: 0, DetachWeight: true}} {
		full := a
		full.DetachWeight = false
		for range 50 {
			x := rng.NormFloat64() * 5
			y := float64(rng.IntN(2))
			l, g, h := a.Elem(x, y)
			lf, _, _ := full.Elem(x, y)
			if l != lf {
				t.Errorf("%+v: detached loss %v ≠ exact loss %v at x = %v", a, l, lf, x)
			}
			p := 1 / (1 + math.Exp(-x))
			pm := p
			if y == 0 {
				pm = max(p-a.Margin, 0)
			}
			var ce, dce, d2ce float64
			if y == 1 {
				ce, dce, d2ce = -math.Log(p), p-1, p*(1-p)
			} else if pm > 0 {
				ce, dce, d2ce = -math.Log(1-pm), p*(1-p)/(1-pm), p*(1-p)*((1-2*p)*(1-pm)+p*(1-p))/((1-pm)*(1-pm))
			}
			if ce == 0 {
				if g != 0 || h != 0 {
					t.Errorf("x = %v below the margin: grad %v, hess %v, want 0", x, g, h)
				}
				continue
			}
			wt := l / ce
			if !closeTo(g, wt*dce, 1e-9) || !closeTo(h, wt*d2ce, 1e-9) {
				t.Errorf("%+v x = %v y = %v: grad, hess = %v, %v; want %v, %v", a, x, y, g, h, wt*dce, wt*d2ce)
			}
		}
	}
}

package focal_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
)

// familyMembers are members with a spread of parameters, including
// 0 < γ < 1 and non-integer exponents, each named, with the reduction of
// the kind's reference setting for its default and None for the others.
var familyMembers = []struct {
	name string
	m    focal.Member
	red  focal.Reduction
}{
	{"focal/default", focal.Sigmoid{Alpha: 0.25, Gamma: 2}, focal.Positives},
	{"focal/g0.5/noalpha", focal.Sigmoid{Gamma: 0.5}, focal.None},
	{"poly1/default", focal.Poly1{Alpha: 0.25, Gamma: 2, Epsilon: 1}, focal.Positives},
	{"poly1/g0.5/e-0.7/noalpha", focal.Poly1{Gamma: 0.5, Epsilon: -0.7}, focal.None},
	{"poly1/g2.5/e3/a0.6", focal.Poly1{Alpha: 0.6, Gamma: 2.5, Epsilon: 3}, focal.None},
	{"asl/g1/g4/m0.05", focal.Asymmetric{GammaPos: 1, GammaNeg: 4, Margin: 0.05}, focal.None},
	{"asl/g0.5/g0.7/m0.2", focal.Asymmetric{GammaPos: 0.5, GammaNeg: 0.7, Margin: 0.2}, focal.None},
	{"asl/g2/g3/m0", focal.Asymmetric{GammaPos: 2, GammaNeg: 3}, focal.None},
	{"qfl/b2", focal.Quality{Beta: 2}, focal.None},
	{"qfl/b1.5", focal.Quality{Beta: 1.5}, focal.None},
	{"qfl/b0.5", focal.Quality{Beta: 0.5}, focal.None},
	{"qfl/b3.3", focal.Quality{Beta: 3.3}, focal.None},
	{"varifocal/default", focal.Varifocal{Alpha: 0.75, Gamma: 2, IoUWeighted: true}, focal.Positives},
	{"varifocal/g0.5/plain", focal.Varifocal{Alpha: 0.4, Gamma: 0.5}, focal.None},
	{"flstar/default", focal.FLStar{Alpha: 0.25, Gamma: 2, Beta: 1}, focal.Positives},
	{"flstar/g0.3/b-2", focal.FLStar{Gamma: 0.3, Beta: -2}, focal.None},
	{"flsd/53", focal.Scheduled{Schedule: focal.FLSD53()}, focal.Mean},
	{"flsd/custom", focal.Scheduled{Alpha: 0.3, Schedule: focal.GammaSchedule{Below: []float64{0.1, 0.4, 0.9}, Gammas: []float64{0.5, 4, 1.5}, Else: 0.2}}, focal.None},
	{"reduced/default", focal.Reduced{Gamma: 2, Threshold: 0.5}, focal.Mean},
	{"reduced/th0.2/g1.5/a0.25", focal.Reduced{Alpha: 0.25, Gamma: 1.5, Threshold: 0.2}, focal.None},
	{"reduced/th0.9/g0.5", focal.Reduced{Gamma: 0.5, Threshold: 0.9}, focal.None},
	{"gaussian/default", focal.Gaussian{Gamma: 2, Beta: 4}, focal.Positives},
	{"gaussian/g0.5/b1.5", focal.Gaussian{Gamma: 0.5, Beta: 1.5}, focal.None},
	{"gaussian/g3.3/b0", focal.Gaussian{Gamma: 3.3}, focal.None},
}

// hardTargets reports whether m accepts only y ∈ {0, 1}.
func hardTargets(m focal.Member) bool {
	k := m.Kind()
	return k == focal.KindASL || k == focal.KindFLStar
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
				m := mc.m
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
				fdCheck(t, x, func(x []float64, out focal.Outputs[float64]) (focal.Total, error) {
					return focal.Loss(m, focal.Options{Reduction: red}, out, focal.Input[float64]{Logits: x, Targets: y, Weights: w})
				})
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
	for _, a := range []focal.Asymmetric{focal.KindASL.Default().(focal.Asymmetric), {GammaPos: 0.5, GammaNeg: 2.5, Margin: 0, DetachWeight: true}} {
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

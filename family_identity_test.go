package focal_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
)

// elemClose compares loss, gradient and Hessian of two element functions.
func elemClose(t *testing.T, what string, x, y float64, got, want [3]float64, tol float64) {
	t.Helper()
	for i, name := range [...]string{"loss", "grad", "hess"} {
		if !closeTo(got[i], want[i], tol) {
			t.Errorf("%s: %s(x = %v, y = %v) = %.15g, want %.15g", what, name, x, y, got[i], want[i])
		}
	}
}

func elem(m focal.Member, x, y float64) [3]float64 {
	l, g, h := m.Elem(x, y)
	return [3]float64{l, g, h}
}

func scaled(v [3]float64, s float64) [3]float64 { return [3]float64{v[0] * s, v[1] * s, v[2] * s} }

// TestFamilyReducesToFocalLoss checks the identities that tie each member
// to plain focal loss (Sigmoid), element by element, on logits up to ±30
// and hard and soft targets.
func TestFamilyReducesToFocalLoss(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	xs := []float64{-30, -7.5, -1, -1e-3, 0, 0.2, 2, 9, 30}
	for range 20 {
		xs = append(xs, rng.NormFloat64()*6)
	}
	soft := []float64{0, 1, 0.3, 0.85}
	hard := []float64{0, 1}
	// fl is plain focal loss; α = 0 is no α-weighting.
	fl := func(alpha, gamma float64) focal.Sigmoid { return focal.Sigmoid{Alpha: alpha, Gamma: gamma} }
	cases := []struct {
		name    string
		targets []float64
		got     func(x, y float64) [3]float64
		want    func(x, y float64) [3]float64
	}{
		{"poly1 with ε = 0 is focal loss", soft,
			func(x, y float64) [3]float64 { return elem(focal.Poly1{Alpha: 0.25, Gamma: 1.7}, x, y) },
			func(x, y float64) [3]float64 { return elem(fl(0.25, 1.7), x, y) }},
		{"asl with γ₊ = γ₋ and m = 0 is focal loss without α", hard,
			func(x, y float64) [3]float64 { return elem(focal.Asymmetric{GammaPos: 2.5, GammaNeg: 2.5}, x, y) },
			func(x, y float64) [3]float64 { return elem(fl(0, 2.5), x, y) }},
		{"asl with γ = 0 and m = 0 is cross-entropy", hard,
			func(x, y float64) [3]float64 { return elem(focal.Asymmetric{DetachWeight: true}, x, y) },
			func(x, y float64) [3]float64 { return elem(fl(0, 0), x, y) }},
		{"qfl with hard targets is focal loss with γ = β", hard,
			func(x, y float64) [3]float64 { return elem(focal.Quality{Beta: 0.6}, x, y) },
			func(x, y float64) [3]float64 { return elem(fl(0, 0.6), x, y) }},
		{"qfl with β = 0 is cross-entropy", soft,
			func(x, y float64) [3]float64 { return elem(focal.Quality{}, x, y) },
			func(x, y float64) [3]float64 { return elem(fl(0, 0), x, y) }},
		{"varifocal of a positive is q·cross-entropy", []float64{1, 0.4},
			func(x, y float64) [3]float64 {
				return elem(focal.Varifocal{Alpha: 0.75, Gamma: 2, IoUWeighted: true}, x, y)
			},
			func(x, y float64) [3]float64 { return scaled(elem(fl(0, 0), x, y), y) }},
		{"varifocal of a negative is α·focal loss", []float64{0},
			func(x, y float64) [3]float64 { return elem(focal.Varifocal{Alpha: 0.75, Gamma: 1.3}, x, y) },
			func(x, y float64) [3]float64 { return scaled(elem(fl(0, 1.3), x, y), 0.75) }},
		{"FL* with γ = 1, β = 0 is α-balanced cross-entropy", hard,
			func(x, y float64) [3]float64 { return elem(focal.FLStar{Alpha: 0.3, Gamma: 1}, x, y) },
			func(x, y float64) [3]float64 { return elem(fl(0.3, 0), x, y) }},
		{"FL* is cross-entropy of γx + β over γ", []float64{1},
			func(x, y float64) [3]float64 {
				return elem(focal.FLStar{Gamma: 2, Beta: 1}, x, y)
			},
			func(x, y float64) [3]float64 {
				v := elem(fl(0, 0), 2*x+1, y)
				return [3]float64{v[0] / 2, v[1], v[2] * 2}
			}},
		{"a constant schedule is focal loss", soft,
			func(x, y float64) [3]float64 {
				return elem(focal.Scheduled{Alpha: 0.4, Schedule: focal.GammaSchedule{Else: 2.2}}, x, y)
			},
			func(x, y float64) [3]float64 { return elem(fl(0.4, 2.2), x, y) }},
		{"FLSD-53 is focal loss with γ = 5 below pₜ = 0.2, else 3", soft,
			func(x, y float64) [3]float64 { return elem(focal.Scheduled{Schedule: focal.FLSD53()}, x, y) },
			func(x, y float64) [3]float64 {
				p := 1 / (1 + math.Exp(-x))
				if y*p+(1-y)*(1-p) < 0.2 {
					return elem(fl(0, 5), x, y)
				}
				return elem(fl(0, 3), x, y)
			}},
		{"reduced with th = 1 is α-balanced cross-entropy", hard,
			func(x, y float64) [3]float64 { return elem(focal.Reduced{Alpha: 0.25, Gamma: 2, Threshold: 1}, x, y) },
			func(x, y float64) [3]float64 { return elem(fl(0.25, 0), x, y) }},
		{"reduced with th → 0 is focal loss over th^γ", soft,
			func(x, y float64) [3]float64 {
				return elem(focal.Reduced{Alpha: 0.25, Gamma: 1.5, Threshold: 1e-14}, x, y)
			},
			func(x, y float64) [3]float64 { return scaled(elem(fl(0.25, 1.5), x, y), math.Pow(1e-14, -1.5)) }},
		{"reduced with th = ½ is focal loss scaled by 2^γ where pₜ ≥ ½", soft,
			func(x, y float64) [3]float64 {
				return elem(focal.Reduced{Gamma: 2, Threshold: 0.5}, x, y)
			},
			func(x, y float64) [3]float64 {
				p := 1 / (1 + math.Exp(-x))
				if y*p+(1-y)*(1-p) >= 0.5 {
					return scaled(elem(fl(0, 2), x, y), 4)
				}
				return elem(fl(0, 0), x, y)
			}},
		{"gaussian with γ = β = 0 is cross-entropy with every y < 1 a negative", soft,
			func(x, y float64) [3]float64 { return elem(focal.Gaussian{}, x, y) },
			func(x, y float64) [3]float64 { return elem(fl(0, 0), x, math.Floor(y)) }},
		{"gaussian of a positive is focal loss without α", []float64{1},
			func(x, y float64) [3]float64 { return elem(focal.Gaussian{Gamma: 1.7, Beta: 3}, x, y) },
			func(x, y float64) [3]float64 { return elem(fl(0, 1.7), x, y) }},
		{"gaussian of y < 1 is (1 − y)^β times focal loss of a negative without α", []float64{0, 0.3, 0.85},
			func(x, y float64) [3]float64 { return elem(focal.Gaussian{Gamma: 1.7, Beta: 3}, x, y) },
			func(x, y float64) [3]float64 { return scaled(elem(fl(0, 1.7), x, 0), math.Pow(1-y, 3)) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, x := range xs {
				for _, y := range c.targets {
					elemClose(t, c.name, x, y, c.got(x, y), c.want(x, y), 1e-12)
				}
			}
		})
	}
}

// TestFamilyDriverMatchesElem checks that the fused pass, with weights, an
// ignore mask and a reduction, writes w·Elem scaled by the reduction's
// divisor, in float64 and float32, and that float32 agrees with float64
// to 1e-5 relative.
func TestFamilyDriverMatchesElem(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	const n = 40
	for _, mc := range familyMembers {
		t.Run(mc.name, func(t *testing.T) {
			m, o := mc.m, focal.Options{Reduction: focal.Mean}
			x, y, w := make([]float64, n), make([]float64, n), make([]float64, n)
			ign := make([]bool, n)
			for i := range x {
				x[i] = rng.NormFloat64() * 5
				y[i] = float64(rng.IntN(2))
				if !hardTargets(m) && i%3 == 0 {
					y[i] = rng.Float64()
				}
				w[i] = rng.Float64() * 2
				ign[i] = i%7 == 0
			}
			out := focal.Outputs[float64]{Loss: make([]float64, n), Grad: make([]float64, n), Hess: make([]float64, n)}
			tot, err := focal.Loss(m, o, out, focal.Input[float64]{Logits: x, Targets: y, Weights: w, Ignore: ign})
			if err != nil {
				t.Fatal(err)
			}
			if want := int64(n - (n+6)/7); tot.Count != want {
				t.Errorf("Count = %d, want %d", tot.Count, want)
			}
			s := 1 / float64(tot.Count)
			for i := range x {
				want := scaled(elem(m, x[i], y[i]), w[i])
				want[1] *= s
				want[2] *= s
				if ign[i] {
					want = [3]float64{}
				}
				elemClose(t, "driver", x[i], y[i], [3]float64{out.Loss[i], out.Grad[i], out.Hess[i]}, want, 1e-13)
			}
			o32 := focal.Outputs[float32]{Loss: make([]float32, n), Grad: make([]float32, n), Hess: make([]float32, n)}
			if _, err := focal.Loss(m, o, o32, focal.Input[float32]{Logits: toT[float32](x), Targets: toT[float32](y), Weights: toT[float32](w), Ignore: ign}); err != nil {
				t.Fatal(err)
			}
			for i := range x {
				// float32 rounds the inputs too: compare to float64 at the rounded inputs.
				want := scaled(elem(m, float64(float32(x[i])), float64(float32(y[i]))), float64(float32(w[i])))
				if ign[i] {
					continue
				}
				got := [3]float64{float64(o32.Loss[i]), float64(o32.Grad[i]) / s, float64(o32.Hess[i]) / s}
				for k := range got {
					if math.Abs(got[k]-want[k]) > 1e-5*max(math.Abs(want[k]), 1e-3) {
						t.Errorf("float32 output %d at x = %v: %v, float64 %v", k, x[i], got[k], want[k])
					}
				}
			}
		})
	}
}

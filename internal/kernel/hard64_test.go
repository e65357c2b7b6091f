package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestHard64EqualsGeneral checks sigmoidHardF64, the float64 kernel for
// hard targets and integer γ, against the general float64 kernel on the
// same table: loss and gradient bit for bit (so an element's outputs do
// not depend on which kernel its step takes), and the sum to rounding,
// for γ = 0 … 8, with and without α, scales of either sign and far from
// 1, hard targets with special logits (±0, subnormals, ±MaxFloat64, ±Inf,
// NaN); with a soft target, it stops before that target's step and has
// written nothing from there.
func TestHard64EqualsGeneral(t *testing.T) {
	rng := rand.New(rand.NewPCG(64, 64))
	for _, m := range vecImpls() {
		tb := tableOf(m)
		if tb.sigmoidHardF64 == nil {
			t.Fatalf("%v: no sigmoidHardF64", m)
		}
		for _, n := range []int{16, 64, 1024} {
			x, y := inputs[float64](rng, n, "hard")
			for k := range maxIntGamma + 1 {
				for _, c := range []struct {
					alpha bool
					scale float64
				}{{true, 1}, {false, 1.0 / 3}, {true, -0.5}, {true, 1e-300}, {false, 3e250}} {
					p := &SigmoidParams{Alpha: 0.25, HasAlpha: c.alpha, Gamma: float64(k), Scale: c.scale}
					var v vec
					if newVec(&v, p, tb); !v.hard64 {
						t.Fatalf("%v γ %d: sigmoidHardF64 not chosen", m, k)
					}
					l1, g1, l2, g2 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
					s1 := tb.sigmoidF64(&v.par, &l1[0], &g1[0], nil, &x[0], &y[0], n)
					s2, done := tb.sigmoidHardF64(&v.h, &l2[0], &g2[0], &x[0], &y[0], n)
					if done != n {
						t.Fatalf("%v γ %d: done %d of %d hard targets", m, k, done, n)
					}
					if !Agree(s1, s2, 1e-12, 1e-300) && !(math.IsNaN(s1) && math.IsNaN(s2)) {
						t.Errorf("%v γ %d %+v: sum %v, general %v", m, k, c, s2, s1)
					}
					for i := range n {
						if math.Float64bits(l1[i]) != math.Float64bits(l2[i]) || math.Float64bits(g1[i]) != math.Float64bits(g2[i]) {
							t.Fatalf("%v γ %d %+v: x=%v y=%v: (%v, %v), general (%v, %v)", m, k, c, x[i], y[i], l2[i], g2[i], l1[i], g1[i])
						}
					}
					// A soft target: the kernel stops before its step.
					at := rng.IntN(n)
					ys := append([]float64(nil), y...)
					ys[at] = 0.5
					for i := range l2 {
						l2[i], g2[i] = 7, 7
					}
					_, done = tb.sigmoidHardF64(&v.h, &l2[0], &g2[0], &x[0], &ys[0], n)
					if done != at&^(tb.hard64Step-1) {
						t.Fatalf("%v: soft target at %d: done %d", m, at, done)
					}
					for i := done; i < n; i++ {
						if l2[i] != 7 || g2[i] != 7 {
							t.Fatalf("%v: soft target at %d, done %d: output %d written", m, at, done, i)
						}
					}
				}
			}
		}
	}
}

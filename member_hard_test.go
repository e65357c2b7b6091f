package focal

import (
	"fmt"
	"math"
	"testing"

	"github.com/focalgo/focal/internal/kernel"
)

// hardLaneMembers are the members (and parameter settings) whose
// float32-lane kernels float32 data with hard targets must take: Poly-1
// with γ ∈ {0, 1, 2} and 0 ≤ ε ≤ 64, Reduced, Varifocal and Gaussian with
// γ ∈ {0, 1, 2}, Quality with β ∈ {0, 1, 2}, FL* with γ ≤ 2^16 and
// |β| ≤ 2^16, and on the focalexp kernel Scheduled with up to three
// pieces of γ ≤ 6 (FLSD-53 among them; a plain γ is one piece), Quality
// and Gaussian with other γ ≤ 6; α on and off; and Asymmetric, detached
// and exact, with integer γ₊ ≤ 2 and γ₋ ≤ 8 and margins in [2^−20, 1/4].
func hardLaneMembers() []Member {
	var ms []Member
	for _, a := range []float64{0, 0.25} {
		for _, g := range []float64{0, 1, 2} {
			for _, e := range []float64{0, 1, 8} {
				ms = append(ms, Poly1{Alpha: a, Gamma: g, Epsilon: e})
			}
			for _, th := range []float64{0.05, 0.5, 0.9, 1} {
				ms = append(ms, Reduced{Alpha: a, Gamma: g, Threshold: th})
			}
			for _, iou := range []bool{false, true} {
				ms = append(ms, Varifocal{Alpha: a * 3, Gamma: g, IoUWeighted: iou})
			}
			if a == 0 {
				ms = append(ms, Quality{Beta: g}, Gaussian{Gamma: g}, Gaussian{Gamma: g, Beta: 4})
			}
		}
		for _, g := range []float64{0.5, 2.5, 3, 5, 6} {
			ms = append(ms, Scheduled{Alpha: a, Schedule: GammaSchedule{Else: g}})
			if a == 0 {
				ms = append(ms, Quality{Beta: g}, Gaussian{Gamma: g})
			}
		}
		ms = append(ms, Scheduled{Alpha: a, Schedule: FLSD53()},
			Scheduled{Alpha: a, Schedule: GammaSchedule{Below: []float64{0.2, 0.7}, Gammas: []float64{6, 1.5}}},
			Scheduled{Alpha: a, Schedule: GammaSchedule{Below: []float64{0, 0.5, 2}, Gammas: []float64{1, 3, 3}, Else: 5.5}})
		for _, g := range []float64{0.3, 1, 2, 5} {
			for _, b := range []float64{-4, 0, 1, 3.7} {
				ms = append(ms, FLStar{Alpha: a, Gamma: g, Beta: b})
			}
		}
	}
	for _, gp := range []float64{0, 1, 2} {
		for _, gn := range []float64{0, 1, 4, 8} {
			for _, m := range []float64{0x1p-20, 1e-3, 0.05, 0.2, 0.25} {
				ms = append(ms, Asymmetric{GammaPos: gp, GammaNeg: gn, Margin: m, DetachWeight: true},
					Asymmetric{GammaPos: gp, GammaNeg: gn, Margin: m})
			}
		}
	}
	return ms
}

// The float32-lane kernels' accuracy against the element functions in
// float64: relative for the loss and gradient, and for the Hessian (one
// product more; the sigmoid kernel's Hessian is as near), and absolute
// for results that underflow float32's normal range.
const hardLaneRel, hardLaneRelHess, hardLaneAbs = 6.5e-7, 7.5e-7, 1e-37

// TestMemberHardDenseSweep: each member's float32-lane kernel (loss and
// gradient, and FL*'s Hessian, clipped and not) is within 6.5e-7
// relative (plus 1e-37 absolute, for underflow) of the member's Elem in
// float64, for logits every 2¹³-th float32 in [−180, 180] (every 2¹⁵-th
// in -short mode) and every 2²⁰-th beyond, to ±2^64, with either target,
// at gradient scales 1/8 and 1, on every vector implementation: through
// Reduced's jump at the threshold (its test is exact), where e^−|x| leaves
// float32's normal range and its subnormals, and at FL*'s large |z|, where
// one float32 z would be off by half an ulp of z.
func TestMemberHardDenseSweep(t *testing.T) {
	impls := kernel.Impls()[1:]
	if len(impls) == 0 {
		t.Skip("no vector implementation in this build")
	}
	stride := uint32(1 << 13)
	if testing.Short() {
		stride = 1 << 15
	}
	var x []float32
	for _, sign := range []uint32{0, 1 << 31} {
		for b := uint32(0); b <= math.Float32bits(180); b += stride {
			x = append(x, math.Float32frombits(b|sign))
		}
		for b := math.Float32bits(180); b <= math.Float32bits(0x1p64); b += 1 << 20 {
			x = append(x, math.Float32frombits(b|sign))
		}
	}
	x = x[:len(x)&^31]
	n := len(x)
	y := make([]float32, n)
	l, g, h := make([]float32, n), make([]float32, n), make([]float32, n)
	for _, mem := range hardLaneMembers() {
		spec := mem.traits().member
		for _, m := range impls {
			for _, scale := range []float64{0.125, 1} {
				for _, floor := range []float64{math.Inf(-1), 1e-3} {
					hs := h
					if _, _, ok := kernel.MemberHardOn(m, &spec, scale, floor, l, g, h, x, y); !ok {
						hs = nil // the Hessian takes the float64 lanes
						if floor != math.Inf(-1) {
							continue
						}
					}
					name := fmt.Sprintf("%v %#v scale=%v floor=%v", m, mem, scale, floor)
					for _, target := range []float32{0, 1} {
						for i := range y {
							y[i] = target
						}
						_, done, ok := kernel.MemberHardOn(m, &spec, scale, floor, l, g, hs, x, y)
						if !ok || done != n {
							t.Fatalf("%s: float32 lanes not taken (%v) or stopped at %d of %d", name, ok, done, n)
						}
						worst, at := 0.0, float32(0)
						for i, xi := range x {
							el, eg, eh := mem.Elem(float64(xi), float64(target))
							checks := [][2]float64{{float64(l[i]), el}, {float64(g[i]), eg * scale}}
							if hs != nil {
								checks = append(checks, [2]float64{float64(hs[i]), max(eh*scale, floor)})
							}
							for k, c := range checks {
								err := math.Abs(c[0] - c[1])
								rel := hardLaneRel
								if k == 2 {
									rel = hardLaneRelHess
								}
								if err > rel*math.Abs(c[1])+hardLaneAbs {
									t.Fatalf("%s y=%v x=%v: output %d = %v, Elem %v (%.2e relative)", name, target, xi, k, c[0], c[1], err/math.Abs(c[1]))
								}
								if math.Abs(c[1]) > 1e-30 {
									if r := err / math.Abs(c[1]); r > worst {
										worst, at = r, xi
									}
								}
							}
						}
						t.Logf("%s y=%v: worst %.2e relative at x = %v", name, target, worst, at)
					}
				}
			}
		}
	}
}

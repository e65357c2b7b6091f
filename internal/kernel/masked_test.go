package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// maskPatterns returns ignore masks of n elements whose ignored elements
// come in runs of every length, short (sigmoidMasked takes the piece
// whole, padded) and long (run by run), across its pieces' edges: none,
// every 5th, a fair coin each, runs of 1 … 8 and of 100 … 700 alike, a
// single element, and all but one.
func maskPatterns(rng *rand.Rand, n int) map[string][]bool {
	runs := func(lo, hi int) []bool {
		m := make([]bool, n)
		v := rng.IntN(2) == 0
		for i := 0; i < n; {
			r := lo + rng.IntN(hi-lo+1)
			for j := i; j < min(i+r, n); j++ {
				m[j] = v
			}
			i, v = i+r, !v
		}
		return m
	}
	pats := map[string][]bool{
		"none": make([]bool, n), "every5th": make([]bool, n), "coin": make([]bool, n),
		"short runs": runs(1, 8), "long runs": runs(100, 700),
		"one": make([]bool, n), "all but one": make([]bool, n),
	}
	for i := range n {
		pats["every5th"][i] = i%5 == 0
		pats["coin"][i] = rng.IntN(2) == 0
		pats["all but one"][i] = true
	}
	if n > 0 {
		k := rng.IntN(n)
		pats["one"][k], pats["all but one"][k] = true, false
	}
	return pats
}

// TestMaskedIgnoredInputsChangeNothing: whatever an ignored element holds
// (a NaN or infinite logit, a NaN target or one outside [0, 1], a soft
// target among hard ones), its outputs are +0 in every destination, not a
// bit of the sum or of the other outputs changes (against the same call
// with the inputs' own values there: a soft target must not take float32
// data off the float32 lanes), a mask with none ignored gives what no mask
// gives, bit for bit, and the sum and the other elements' outputs are
// those of the unmasked call
// on the elements not ignored: the same bits as that call on the same
// implementation for float64 data, the generic path's within the sigmoid
// tolerances for float32 data, the sum within them of SigmoidElem's. For
// every implementation (generic included), both element types, masks
// with short and long runs (see maskPatterns), the float32 lanes (hard
// targets, γ = 2, plain and scaled) and the float64 lanes (γ = 2.5, mixed
// targets), positive and negative gradient scales, and destinations with
// and without the loss.
func TestMaskedIgnoredInputsChangeNothing(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testMaskedIgnored[float32](t, rand.New(rand.NewPCG(31, 32))) })
	t.Run("float64", func(t *testing.T) { testMaskedIgnored[float64](t, rand.New(rand.NewPCG(33, 34))) })
}

func testMaskedIgnored[T Float](t *testing.T, rng *rand.Rand) {
	rel, abs := tolerance[T]()
	garbageX := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat32, -math.MaxFloat32, 0}
	garbageY := []float64{math.NaN(), -1, 2, 0.5, math.Inf(1), 1e-40}
	cases := []struct {
		targets string
		p       SigmoidParams
	}{
		{"hard", SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: 2, Scale: 1}},
		{"hard", SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: 1, Scale: 3}},
		{"mixed", SigmoidParams{Gamma: 2.5, Scale: 0.5, ClipHess: true}},
		// A negative scale: a cleared output's 0 must not take its sign.
		{"hard", SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: 2, Scale: -0.5}},
		{"mixed", SigmoidParams{Gamma: 2.5, Scale: -0.5}},
	}
	for _, n := range []int{37, 1500} {
		for _, c := range cases {
			p := &c.p
			x, y := inputs[T](rng, n, c.targets)
			for i, v := range x {
				if math.IsInf(float64(v), 0) || math.IsNaN(float64(v)) {
					x[i] = T(rng.NormFloat64()) // finite: a poisoned sum shows
				}
			}
			for name, ignore := range maskPatterns(rng, n) {
				xg, yg := append([]T(nil), x...), append([]T(nil), y...)
				var want float64 // SigmoidElem's sum over the elements not ignored
				for i := range x {
					if ignore[i] {
						xg[i] = T(garbageX[rng.IntN(len(garbageX))])
						yg[i] = T(garbageY[rng.IntN(len(garbageY))])
					} else {
						l, _, _ := SigmoidElem(float64(x[i]), float64(y[i]), p)
						want += l
					}
				}
				for _, outs := range [][3]bool{{true, true, true}, {false, true, false}} {
					for _, m := range Impls() {
						t.Run(fmt.Sprintf("%v/%s/%s/g%v/n%d/loss=%v", m, name, c.targets, p.Gamma, n, outs[0]), func(t *testing.T) {
							got, gd := runForm(t, m, p, xg, yg, nil, ignore, outs, 1)
							if !Agree(got, want, rel, abs) {
								t.Errorf("sum = %v, want %v", got, want)
							}
							// The inputs' own values at the ignored elements:
							// not a bit changes (the float32 lanes included).
							own, od := runForm(t, m, p, x, y, nil, ignore, outs, 0)
							sameBits(t, got, own, gd, od, "with the ignored elements' own inputs")
							sameSum, same := runForm(t, m, p, x, y, nil, nil, outs, 0)
							if name == "none" {
								// No element ignored: what no mask gives, bit
								// for bit (a caller may pass either).
								sameBits(t, got, sameSum, gd, same, "without the mask")
							}
							_, gen := runForm(t, Generic, p, x, y, nil, nil, outs, 0)
							for k := range 3 {
								for i := range gd[k] {
									if ignore[i] {
										if gd[k][i] != 0 || math.Signbit(float64(gd[k][i])) {
											t.Fatalf("output %d [%d] (ignored, x=%v, y=%v) = %v, want +0", k, i, xg[i], yg[i], gd[k][i])
										}
										same[k][i], gen[k][i] = 0, 0
									}
								}
							}
							if _, f64 := any(x).([]float64); f64 {
								for k := range 3 {
									for i := range gd[k] {
										if math.Float64bits(float64(gd[k][i])) != math.Float64bits(float64(same[k][i])) {
											t.Fatalf("output %d [%d] (x=%v, y=%v) = %v, unmasked %v", k, i, x[i], y[i], gd[k][i], same[k][i])
										}
									}
								}
							}
							checkAgree(t, m.String(), p, x, y, nil, got, gd, want, gen)
						})
					}
				}
			}
		}
	}
}

// TestMaskedNoAllocs: the masked sigmoid form allocates nothing, whether it
// takes its pieces whole or run by run (see maskPatterns).
func TestMaskedNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items at random")
	}
	rng := rand.New(rand.NewPCG(35, 36))
	x, y := inputs[float32](rng, 1500, "hard")
	l, g := make([]float32, len(x)), make([]float32, len(x))
	p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: 2, Scale: 1}
	for _, m := range Impls() {
		for name, ignore := range maskPatterns(rng, len(x)) {
			f := func() { sigmoidOn(tableOf(m), p, l, g, nil, x, y, nil, ignore) }
			if a := testing.AllocsPerRun(10, f); a != 0 {
				t.Errorf("%v %s: %v allocations per call", m, name, a)
			}
		}
	}
}

// BenchmarkSigmoidMasked times the masked sigmoid form (float32 loss and
// gradient, hard targets, γ = 2) per element, for masks whose ignored
// elements come in runs of every length: none (the cost of the mask's
// scan over the unmasked form), every 5th element, and half the
// elements in alternating runs of 1 … 512, and at random (half, a fair
// coin each), on every implementation. It shows where sigmoidMasked
// should take a piece run by run rather than whole (maskedRunCost).
//
//	go test -run '^$' -bench SigmoidMasked -count 6 ./internal/kernel
func BenchmarkSigmoidMasked(b *testing.B) {
	const n = 4096
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := inputs[float32](rng, n, "hard")
	for i := range x {
		x[i] = float32(3 * rng.NormFloat64())
	}
	l, g := make([]float32, n), make([]float32, n)
	p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: 2, Scale: 1}
	masks := []struct {
		name string
		f    func(i int) bool
	}{
		{"none", func(int) bool { return false }},
		{"every5th", func(i int) bool { return i%5 == 0 }},
		{"random", func(int) bool { return rng.IntN(2) == 0 }},
	}
	for _, r := range []int{1, 4, 16, 64, 256, 512} {
		masks = append(masks, struct {
			name string
			f    func(i int) bool
		}{fmt.Sprintf("runs%d", r), func(i int) bool { return i/r%2 == 1 }})
	}
	for _, m := range Impls() {
		for _, mk := range masks {
			ignore := make([]bool, n)
			for i := range ignore {
				ignore[i] = mk.f(i)
			}
			tb := tableOf(m)
			b.Run(fmt.Sprintf("impl=%v/mask=%s", m, mk.name), func(b *testing.B) {
				timedPerElem(b, n, func() { sigmoidOn(tb, p, l, g, nil, x, y, nil, ignore) })
			})
		}
	}
}

// sameBits fails t unless the sums and every output element are the same
// bits in the two runs; with says what the second run was.
func sameBits[T Float](t *testing.T, sum, sum2 float64, dst, dst2 [3][]T, with string) {
	t.Helper()
	if math.Float64bits(sum) != math.Float64bits(sum2) {
		t.Errorf("sum = %v, %s %v", sum, with, sum2)
	}
	for k := range 3 {
		for i := range dst[k] {
			if math.Float64bits(float64(dst[k][i])) != math.Float64bits(float64(dst2[k][i])) {
				t.Fatalf("output %d [%d] = %v, %s %v", k, i, dst[k][i], with, dst2[k][i])
			}
		}
	}
}

package focal

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal/internal/kernel"
)

// vectorMembers are members whose traits name a vector kernel, in several
// parameter settings each (defaults, α off, non-integer exponents, ε < 0,
// thresholds at the ends).
func vectorMembers() []Member {
	return []Member{
		Poly1{Alpha: 0.25, Gamma: 2, Epsilon: 1}, Poly1{Gamma: 0.5, Epsilon: -0.7}, Poly1{Alpha: 0.9, Gamma: 3.5, Epsilon: 2},
		Gaussian{Gamma: 2, Beta: 4}, Gaussian{Gamma: 0.5, Beta: 1.5}, Gaussian{},
		Varifocal{Alpha: 0.75, Gamma: 2, IoUWeighted: true}, Varifocal{Gamma: 1.5}, Varifocal{Alpha: 0.1},
		Reduced{Gamma: 2, Threshold: 0.5}, Reduced{Alpha: 0.25, Gamma: 1.5, Threshold: 0.05}, Reduced{Gamma: 3},
		Scheduled{Schedule: FLSD53()}, Scheduled{Alpha: 0.25, Schedule: GammaSchedule{Below: []float64{0.1, 0.3, 0.6, 0.9}, Gammas: []float64{6, 4.5, 2, 0.5}, Else: 0}},
		FLStar{Alpha: 0.25, Gamma: 2, Beta: 1}, FLStar{Gamma: 0.3, Beta: -2}, FLStar{},
		Quality{Beta: 2}, Quality{Beta: 0.5}, Quality{}, Quality{Beta: 1}, Quality{Beta: 3.7},
		Asymmetric{GammaPos: 1, GammaNeg: 4, Margin: 0.05, DetachWeight: true}, Asymmetric{GammaPos: 1, GammaNeg: 4, Margin: 0.05},
		Asymmetric{GammaPos: 0.5, GammaNeg: 2.5}, Asymmetric{GammaPos: 2, GammaNeg: 2, DetachWeight: true}, Asymmetric{Margin: 0.2},
		Asymmetric{GammaPos: 0.5, GammaNeg: 2.5, Margin: 0.3, DetachWeight: true}, Asymmetric{Margin: 0.01, DetachWeight: true},
	}
}

// memberSlack is the rounding error allowed of a member kernel's gradient
// and Hessian beyond the relative tolerance, relative to the size of their
// terms: they cancel (p − y for soft targets, the Hessian where it crosses
// zero, Poly-1's ε term against the focal one for ε < 0), and two correct
// float64 evaluations differ there by about 1e-16 of the terms (up to |x|
// and γ² times the result's scale, and the member's weight of the element,
// which its loss l bounds: w is the element's weight times max(1, |l|)).
// For float32 data the oracle, elemLoop, takes exp and log1p to 1e-9
// relative (its fast path), and so differs from the kernel's float64 ones
// by 1e-9 of the terms.
func memberSlack(x, scale, w float64, f32 bool) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return 0
	}
	e := 1e-13
	if f32 {
		e = 1e-9
	}
	return e * math.Abs(scale) * w * 64 * (1 + math.Abs(x))
}

// TestMemberKernelsMatchElem: on every vector implementation of this
// machine, every member kernel gives what the member's Go element loop
// (elemLoop, the oracle) gives, within 1e-6 relative for float32 and
// 1e-12 for float64 (plus memberSlack, and 1e-37 or 1e-300 absolute for
// underflow), output for output and in the sum: for hard, soft and mixed
// targets, special logits (±0, subnormals, ±MaxFloat, ±Inf, NaN), weights
// with zeros, an ignore mask, a clipped and a floored Hessian, any subset
// of destinations and lengths around the lane counts; and, for float32
// data, with loss and gradient only, on hard targets with logits within
// ±2^64 but for a rare one beyond (hard32), which the float32-lane
// kernels take (see TestMemberHardDenseSweep), stepping to the float64
// lanes and back around the rare one.
func TestMemberKernelsMatchElem(t *testing.T) {
	impls := kernel.Impls()[1:]
	if len(impls) == 0 {
		t.Skip("no vector implementation in this build: the members run their Go element loops, which the other tests check")
	}
	rng := rand.New(rand.NewPCG(41, 42))
	for _, mem := range vectorMembers() {
		spec := mem.traits().member
		if spec.Kernel() == "" {
			t.Fatalf("%#v: no vector kernel", mem)
		}
		for _, m := range impls {
			for _, targets := range []string{"hard", "soft", "mixed", "hard32"} {
				if mem.traits().hard && targets != "hard" && targets != "hard32" {
					continue
				}
				n := rng.IntN(20) + []int{0, 64, 333}[rng.IntN(3)]
				if targets == "hard32" {
					n += 64
				}
				t.Run(fmt.Sprintf("%v/%T/%s/n%d", m, mem, targets, n), func(t *testing.T) {
					x, y := memberInputs(rng, n, targets)
					for _, form := range []string{"plain", "weighted", "masked"} {
						var w []float64
						var ign []bool
						switch form {
						case "weighted":
							w = make([]float64, n)
							for i := range w {
								w[i] = float64(rng.IntN(3)) * 0.75
							}
						case "masked":
							ign = make([]bool, n)
							for i := range ign {
								ign[i] = rng.IntN(4) == 0
							}
						}
						clip, floor := rng.IntN(2) == 0, []float64{0, 1e-3}[rng.IntN(2)]
						outs := [3]bool{rng.IntN(3) > 0, rng.IntN(3) > 0, rng.IntN(3) > 0}
						compareMember(t, m, mem, x, y, w, ign, 0.25, clip, floor, outs)
						compareMember(t, m, mem, toT[float32](x), toT[float32](y), toT[float32](w), ign, 0.25, clip, floor, [3]bool{true, true, true})
						compareMember(t, m, mem, toT[float32](x), toT[float32](y), toT[float32](w), ign, 0.25, clip, floor, [3]bool{true, true, false})
						compareMember(t, m, mem, toT[float32](x), toT[float32](y), toT[float32](w), ign, 0.25, clip, floor, [3]bool{false, true, false})
					}
				})
			}
		}
	}
}

// memberInputs returns n logits (normal, scale 6, a quarter specials) and
// targets: hard, soft (a few at 0 and 1) or mixed; or hard targets with
// the specials within ±2^64 but for one in 200 elements (hard32).
func memberInputs(rng *rand.Rand, n int, targets string) (x, y []float64) {
	specials := []float64{0, math.Copysign(0, -1), 5e-324, 1e-40, 1, -1, 17, -17, 40, -40, 88, -88, 104, -104, 745, -745,
		1e19, -1e19, 1e30, -1e30, math.MaxFloat32, -math.MaxFloat32, math.Inf(1), math.Inf(-1), math.NaN()}
	inRange := 18 // specials[:inRange] are within ±2^64
	x, y = make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = 6 * rng.NormFloat64()
		switch {
		case targets == "hard32" && rng.IntN(200) == 0:
			x[i] = specials[inRange+rng.IntN(len(specials)-inRange)]
		case targets == "hard32" && rng.IntN(4) == 0:
			x[i] = specials[rng.IntN(inRange)]
		case targets != "hard32" && rng.IntN(4) == 0:
			x[i] = specials[rng.IntN(len(specials))]
		}
		switch {
		case targets == "hard" || targets == "hard32" || (targets == "mixed" && rng.IntN(2) == 0):
			y[i] = float64(rng.IntN(2))
		default:
			y[i] = rng.Float64()
			if rng.IntN(8) == 0 {
				y[i] = []float64{0, 1, 0.5, 1e-9, 1 - 1e-9}[rng.IntN(5)]
			}
		}
	}
	return x, y
}

// compareMember checks kernel.MemberOn on implementation m against
// elemLoop for member mem.
func compareMember[T Float](t *testing.T, m kernel.Impl, mem Member, x, y, w []T, ign []bool, scale float64, clip bool, floor float64, outs [3]bool) {
	t.Helper()
	n := len(x)
	var want, got [3][]T
	for k := range 3 {
		if outs[k] {
			want[k], got[k] = make([]T, n), make([]T, n)
			for i := range got[k] {
				got[k][i] = 7 // must be overwritten
			}
		}
	}
	ws := elemLoop(mem, scale, clip, floor, want[0], want[1], want[2], x, y, w, ign)
	kfloor := math.Inf(-1)
	if clip {
		kfloor = floor
	}
	spec := mem.traits().member
	gs, ok := kernel.MemberOn(m, &spec, scale, kfloor, got[0], got[1], got[2], x, y, w, ign)
	if !ok {
		t.Fatalf("%v: no %s kernel", m, spec.Kernel())
	}
	rel, abs := 1e-12, 1e-300
	if isFloat32[T]() {
		rel, abs = 1e-6, 1e-37
	}
	same := kernel.Agree
	// relAt is the relative tolerance at element i: rel, and where the
	// member takes a difference of p and a constant near p, more: QFL's
	// |y − p| for soft targets and ASL's |p − m| for y = 0, m > 0. Two
	// correct evaluations of p differ by 1e-16 of p, and a^β, a^(β−1), …
	// by that over a, times the exponents. Within a few ulps of p
	// (a < 4e-16, where this evaluation too may round a to 0) it allows
	// any difference: one evaluation may find a = 0 (all outputs 0) where
	// the other finds an ulp (a gradient of a^(β−1), unbounded for β < 1);
	// skip leaves those elements out.
	cancel := func(i int) (a, exp float64, ok bool) {
		xi, yi := float64(x[i]), float64(y[i])
		p := 1 / (1 + math.Exp(-xi))
		switch m := mem.(type) {
		case Quality:
			return math.Abs(yi - p), m.Beta, yi != 0 && yi != 1
		case Asymmetric:
			return math.Abs(p - m.Margin), m.GammaNeg, m.Margin > 0 && yi == 0
		}
		return 0, 0, false
	}
	relAt := func(i int) float64 {
		if a, exp, ok := cancel(i); ok && a > 0 {
			return rel + 1e-15*(exp+2)/a
		}
		return rel
	}
	skip := func(i int) bool {
		a, _, ok := cancel(i)
		return ok && a < 4e-16 || atJump(mem, float64(x[i]), float64(y[i]))
	}
	// The sum, within the elements' tolerances added up; elements at a
	// jump of the loss or within a few ulps of a cancellation are left out
	// (below).
	wl := make([]T, n)
	elemLoop(mem, scale, clip, floor, wl, nil, nil, x, y, w, ign)
	tol, jumps := 0.0, false
	for i, v := range wl {
		tol += 16*relAt(i)*math.Abs(float64(v)) + abs
		jumps = jumps || skip(i)
	}
	if !jumps && !same(gs, ws, 0, tol) {
		t.Errorf("%v %#v: sum %v, elemLoop %v", m, mem, gs, ws)
	}
	bad := 0
	for k, name := range [3]string{"loss", "grad", "hess"} {
		for i := range got[k] {
			if skip(i) {
				continue
			}
			wi := 1.0
			if w != nil {
				wi = math.Abs(float64(w[i]))
			}
			// (The loss too: Poly-1's ε term cancels the focal one for ε < 0.)
			sc := scale
			if k == 0 {
				sc = 1
			}
			a := abs + memberSlack(float64(x[i]), sc, max(wi, math.Abs(float64(wl[i]))), isFloat32[T]())
			r := relAt(i)
			if !same(float64(got[k][i]), float64(want[k][i]), r, a) {
				if bad++; bad <= 4 {
					t.Errorf("%v %#v %T: %s[%d] (x=%v, y=%v) = %v, elemLoop %v", m, mem, x[0], name, i, x[i], y[i], got[k][i], want[k][i])
				}
			}
		}
	}
}

// atJump reports whether element (x, y) of member mem sits where the loss
// jumps: Scheduled's γ(pₜ) and Reduced's factor change at thresholds of
// pₜ, and two correct evaluations of pₜ (the oracle's float32 path takes
// exp to 1e-9) may fall on either side.
func atJump(mem Member, x, y float64) bool {
	var at []float64
	switch m := mem.(type) {
	case Scheduled:
		at = m.Schedule.Below
	case Reduced:
		at = []float64{m.threshold()}
	default:
		return false
	}
	p := 1 / (1 + math.Exp(-x))
	pt := y*p + (1-y)*(1-p)
	for _, b := range at {
		if math.Abs(pt-b) <= 1e-8 {
			return true
		}
	}
	return false
}

// FuzzMemberKernels compares every member kernel on every vector
// implementation with the member's Go element loop on arbitrary logits and
// targets (raw float32 bits, so NaN, ±Inf, ±0 and subnormals arise),
// exponents and parameters, in float32 (with the Hessian and without it,
// the float32-lane kernels' case for hard targets; with weights and with a
// mask too) and float64, as TestMemberKernelsMatchElem does. Without a
// vector implementation it has nothing to compare and skips.
func FuzzMemberKernels(f *testing.F) {
	f.Add(make([]byte, 8*19), 2.0, 0.25, uint8(0))
	// 96 logits from −40 to 40 with hard targets: the float32 lanes.
	lanes := make([]byte, 8*96)
	for i := range 96 {
		binary.LittleEndian.PutUint32(lanes[8*i:], math.Float32bits(float32(i-48)*0.83))
		binary.LittleEndian.PutUint32(lanes[8*i+4:], math.Float32bits(float32(i%3%2)))
	}
	f.Add(lanes, 2.0, 0.25, uint8(1))
	f.Add(lanes, 1.0, 0.6, uint8(3))
	f.Add([]byte("\x00\x00\x80\x7f\x00\x00\x80\x3f\xff\xff\x7f\x7f\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x80\x3f"), 0.5, 0.9, uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, gamma, param float64, flags uint8) {
		impls := kernel.Impls()[1:]
		if len(impls) == 0 {
			t.Skip("no vector implementation in this build")
		}
		if !(gamma >= 0 && gamma <= 16) || !(param > 0 && param < 1) {
			return // rejected by Validate, or outside the settings checked
		}
		n := len(data) / 8
		x, y := make([]float32, n), make([]float32, n)
		for i := range n {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[8*i:]))
			v := math.Float32frombits(binary.LittleEndian.Uint32(data[8*i+4:]))
			if !(v >= 0 && v <= 1) {
				v = float32(math.Abs(math.Mod(float64(v), 1)))
				if math.IsNaN(float64(v)) {
					v = 0.5
				}
			}
			if flags&1 != 0 {
				v = float32(math.Round(float64(v)))
			}
			y[i] = v
		}
		members := []Member{
			Poly1{Alpha: param, Gamma: gamma, Epsilon: param*4 - 2},
			Gaussian{Gamma: gamma, Beta: param * 8},
			Varifocal{Alpha: param, Gamma: gamma, IoUWeighted: flags&2 != 0},
			Reduced{Alpha: param, Gamma: min(gamma, 5), Threshold: param},
			Scheduled{Alpha: param, Schedule: GammaSchedule{Below: []float64{param}, Gammas: []float64{gamma}, Else: gamma / 2}},
			FLStar{Alpha: param, Gamma: gamma, Beta: param*8 - 4},
			Quality{Beta: gamma},
			Asymmetric{GammaPos: gamma, GammaNeg: gamma + 1, Margin: param * 0.5, DetachWeight: flags&16 != 0},
			Asymmetric{GammaPos: gamma, GammaNeg: gamma / 2, DetachWeight: flags&16 != 0},
			// ASL with float32 lanes (KindASL's form, and exact): integer
			// γ₊ ≤ 2 and γ₋ ≤ 8, a margin up to 1/4.
			Asymmetric{GammaPos: math.Round(min(gamma, 2)), GammaNeg: math.Round(min(2*gamma, 8)), Margin: param / 4, DetachWeight: flags&64 == 0},
		}
		clip, floor := flags&4 != 0, []float64{0, 1e-3}[flags>>3&1]
		hard := make([]float32, n)
		for i, v := range y {
			hard[i] = float32(math.Round(float64(v)))
		}
		fw, ign := make([]float32, n), make([]bool, n)
		for i := range n {
			fw[i], ign[i] = float32(i%3)*0.75, i%5 == 4
		}
		for _, mem := range members {
			if mem.Validate() != nil {
				continue
			}
			yt := y
			if mem.traits().hard {
				yt = hard
			}
			for _, m := range impls {
				compareMember(t, m, mem, x, yt, nil, nil, 1.0/3, clip, floor, [3]bool{true, true, true})
				compareMember(t, m, mem, x, yt, nil, nil, 1.0/3, clip, floor, [3]bool{true, true, false}) // float32 lanes
				compareMember(t, m, mem, toT[float64](x), toT[float64](yt), nil, nil, 1.0/3, clip, floor, [3]bool{true, true, true})
				// Weights (a third of them 0) and a mask of every fifth
				// element: the pieces padded where elements do not count.
				compareMember(t, m, mem, x, yt, fw, nil, 1.0/3, clip, floor, [3]bool{true, true, flags&32 != 0})
				compareMember(t, m, mem, x, yt, nil, ign, 1.0/3, clip, floor, [3]bool{true, true, flags&32 != 0})
			}
		}
	})
}

// toT converts s to a []T (nil for nil).
func toT[T Float, S Float](s []S) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = T(v)
	}
	return out
}

// TestMemberHeavyWeights checks every member kernel on float32 data whose
// weights reach above kernel.HeavyWeight (up to 3e37) where the unweighted
// outputs of easy examples (hard targets, |x| from 20 to 110) are below
// float32's normal range: loss, gradient and sum within 1e-6 relative of
// elemLoop, which weighs float64 outputs and rounds once (compareMember's
// slack, which grows with the weight, would hide the difference), with and
// without the Hessian and a mask. With LightWeights wrongly set, the same
// calls disagree for some member: the inputs reach the elements that need
// the float64 outputs.
func TestMemberHeavyWeights(t *testing.T) {
	impls := kernel.Impls()[1:]
	if len(impls) == 0 {
		t.Skip("no vector implementation in this build")
	}
	rng := rand.New(rand.NewPCG(24, 25))
	const n = 200
	x, y, w := make([]float32, n), make([]float32, n), make([]float32, n)
	ign := make([]bool, n)
	for i := range n {
		y[i] = float32(rng.IntN(2))
		x[i] = float32(20 + 90*rng.Float64())
		if y[i] == 0 {
			x[i] = -x[i]
		}
		w[i] = float32(2 * rng.Float64())
		if rng.IntN(2) == 0 {
			w[i] = float32(math.Exp(math.Log(kernel.HeavyWeight) + rng.Float64()*(math.Log(3e37)-math.Log(kernel.HeavyWeight))))
		}
		ign[i] = rng.IntN(5) == 0
	}
	// run returns the sum, loss and gradient of the kernel (spec light or
	// not) and of elemLoop.
	run := func(m kernel.Impl, mem Member, light, hess bool, ig []bool) (gs, ws float64, got, want [2][]float32) {
		for k := range 2 {
			got[k], want[k] = make([]float32, n), make([]float32, n)
		}
		var gh, wh []float32
		if hess {
			gh, wh = make([]float32, n), make([]float32, n)
		}
		ws = elemLoop(mem, 0.25, false, 0, want[0], want[1], wh, x, y, w, ig)
		spec := mem.traits().member
		spec.LightWeights = light
		gs, ok := kernel.MemberOn(m, &spec, 0.25, math.Inf(-1), got[0], got[1], gh, x, y, w, ig)
		if !ok {
			t.Fatalf("%v: no %s kernel", m, spec.Kernel())
		}
		return gs, ws, got, want
	}
	agree := func(gs, ws float64, got, want [2][]float32) bool {
		ok := kernel.Agree(gs, ws, 1e-6, 1e-37)
		for k := range 2 {
			for i := range n {
				ok = ok && kernel.Agree(float64(got[k][i]), float64(want[k][i]), 1e-6, 1e-37)
			}
		}
		return ok
	}
	for _, m := range impls {
		differs := 0
		for _, mem := range vectorMembers() {
			for _, hess := range []bool{false, true} {
				for _, ig := range [][]bool{nil, ign} {
					if gs, ws, got, want := run(m, mem, false, hess, ig); !agree(gs, ws, got, want) {
						for i := range n {
							for k, name := range [2]string{"loss", "grad"} {
								if !kernel.Agree(float64(got[k][i]), float64(want[k][i]), 1e-6, 1e-37) {
									t.Errorf("%v %#v hess=%v: %s[%d] (x=%v, y=%v, w=%v) = %v, elemLoop %v", m, mem, hess, name, i, x[i], y[i], w[i], got[k][i], want[k][i])
								}
							}
						}
						t.Fatalf("%v %#v hess=%v: sum %v, elemLoop %v", m, mem, hess, gs, ws)
					}
					if gs, ws, got, want := run(m, mem, true, hess, ig); !agree(gs, ws, got, want) {
						differs++
					}
				}
			}
		}
		if differs == 0 {
			t.Errorf("%v: LightWeights changes nothing; the test tests nothing", m)
		}
		t.Logf("%v: %d of %d calls differ with LightWeights set", m, differs, 4*len(vectorMembers()))
	}
}

// TestLossHeavyWeights checks Loss on float32 data whose weights reach
// above kernel.HeavyWeight where easy examples' unweighted outputs are
// below float32's normal range, for the sigmoid kernel (Sigmoid) and a
// member kernel (Poly1), with and without a mask and the Hessian: each
// output within 1e-6 relative of Loss on the same data in float64, rounded
// (package focal's check tells the kernels which calls have such weights).
func TestLossHeavyWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(24, 26))
	const n = 300
	x, y, w := make([]float64, n), make([]float64, n), make([]float64, n)
	ign := make([]bool, n)
	for i := range n {
		y[i] = float64(rng.IntN(2))
		x[i] = float64(float32(20 + 90*rng.Float64()))
		if y[i] == 0 {
			x[i] = -x[i]
		}
		w[i] = float64(float32(math.Exp(rng.Float64() * math.Log(3e37))))
		ign[i] = rng.IntN(5) == 0
	}
	for _, mem := range []Member{Sigmoid{Alpha: 0.25, Gamma: 2}, Poly1{Alpha: 0.25, Gamma: 2, Epsilon: 1}} {
		for _, ig := range [][]bool{nil, ign} {
			for _, hess := range []bool{false, true} {
				var o64 Outputs[float64]
				var o32 Outputs[float32]
				o64.Loss, o64.Grad, o32.Loss, o32.Grad = make([]float64, n), make([]float64, n), make([]float32, n), make([]float32, n)
				if hess {
					o64.Hess, o32.Hess = make([]float64, n), make([]float32, n)
				}
				t64, err := Loss(mem, Options{Reduction: Sum}, o64, Input[float64]{Logits: x, Targets: y, Weights: w, Ignore: ig})
				if err != nil {
					t.Fatal(err)
				}
				t32, err := Loss(mem, Options{Reduction: Sum}, o32, Input[float32]{Logits: toT[float32](x), Targets: toT[float32](y), Weights: toT[float32](w), Ignore: ig})
				if err != nil {
					t.Fatal(err)
				}
				if !kernel.Agree(t32.Sum, t64.Sum, 1e-6, 0) {
					t.Errorf("%#v hess=%v: loss %v, float64 %v", mem, hess, t32.Sum, t64.Sum)
				}
				for i := range n {
					if !kernel.Agree(float64(o32.Loss[i]), o64.Loss[i], 1e-6, 1e-37) || !kernel.Agree(float64(o32.Grad[i]), o64.Grad[i], 1e-6, 1e-37) {
						t.Fatalf("%#v hess=%v: element %d (x=%v, y=%v, w=%v): loss %v, grad %v; float64 %v, %v",
							mem, hess, i, x[i], y[i], w[i], o32.Loss[i], o32.Grad[i], o64.Loss[i], o64.Grad[i])
					}
				}
			}
		}
	}
}

// TestFirstBadWeight checks the weight check of package focal's first
// pass: the first weight that is not finite and ≥ 0 (NaN, ±Inf, < 0; −0
// is good), whether a weight before it is above kernel.HeavyWeight, and,
// with a mask, neither looks at ignored elements.
func TestFirstBadWeight(t *testing.T) {
	h, inf, nan := float32(kernel.HeavyWeight*2), float32(math.Inf(1)), float32(math.NaN())
	negz := float32(math.Copysign(0, -1))
	for _, c := range []struct {
		w      []float32
		ignore []bool // nil: firstBadWeight, else firstBadWeightKept
		bad    int
		light  bool
	}{
		{w: []float32{0, 1, kernel.HeavyWeight, negz}, bad: -1, light: true},
		{w: []float32{1, h, 2}, bad: -1, light: false},
		{w: []float32{1, h, -1, nan}, bad: 2, light: false},
		{w: []float32{1, nan, h}, bad: 1, light: true},
		{w: []float32{inf}, bad: 0, light: true},
		{w: []float32{h, 1, -2}, ignore: []bool{true, false, true}, bad: -1, light: true},
		{w: []float32{nan, h, -2}, ignore: []bool{true, false, false}, bad: 2, light: false},
		{w: []float32{-1, 3, h}, ignore: []bool{false, false, true}, bad: 0, light: true},
	} {
		bad, light := firstBadWeight(c.w)
		if c.ignore != nil {
			bad, light = firstBadWeightKept(c.w, c.ignore)
		}
		if bad != c.bad || light != c.light {
			t.Errorf("weights %v ignore %v: bad %d light %v, want %d %v", c.w, c.ignore, bad, light, c.bad, c.light)
		}
	}
}

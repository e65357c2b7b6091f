package kernel

import (
	"math"
	"sync"
	"unsafe"
)

// A MemberSpec selects the vector kernel of one member of package focal's
// family and holds its constants; the zero value selects none. Each
// member's file in package focal declares its spec (traits) with the
// constructor below that matches its kernel, and the member's Go element
// function there is the kernel's oracle: every kernel computes it lane for
// lane in float64 (see memberKernel in _gen).
type MemberSpec struct {
	kernel string
	par    [memberSlots]float64 // the constants, from slot mOwn of the kernel's block
	hard   hardSpec             // the float32-lane kernel for float32 data with hard targets
	// LightWeights says that no weight of the call is above HeavyWeight,
	// as package focal's check found (see SigmoidParams.LightWeights).
	LightWeights bool
}

// Slots of a member kernel's constant block (as in _gen/members.go): the
// gradient's scale, the Hessian's floor, the largest finite value of the
// data type, then the member's own.
const (
	mScale = iota
	mFloor
	mLimit
	mOwn
	memberSlots = 16 - mOwn
)

// Kernel names the spec's kernel, "" for none.
func (s *MemberSpec) Kernel() string { return s.kernel }

// alphaWeights returns αₜ's weights for y = 1 and y = 0: α and 1 − α, or
// 1 and 1 for α = 0 (no α-weighting), as package focal's alphaT.
func alphaWeights(alpha float64) (a, b float64) {
	if alpha == 0 {
		return 1, 1
	}
	return alpha, 1 - alpha
}

// powFlag is an exponent's flag for the kernels' powK: the int64 k for an
// integer 0 ≤ g = k ≤ 8 (m^g by multiplication, as PowGamma), else −1.
func powFlag(g float64) float64 {
	k, ok := intGamma(g)
	if !ok {
		k = -1
	}
	return math.Float64frombits(uint64(int64(k)))
}

// Poly1 is the spec of focal.Poly1: FL + ε m^(γ+1). Its float32 lanes
// take γ ∈ {0, 1, 2} and 0 ≤ ε ≤ 64: for ε < 0 the ε term cancels the
// focal one, in the loss and the gradient, beyond what float32 carries.
func Poly1(alpha, gamma, eps float64) MemberSpec {
	a, b := alphaWeights(alpha)
	s := MemberSpec{kernel: "poly1", par: [memberSlots]float64{a, b, gamma, eps, gamma + 1, powFlag(gamma)}}
	if k, ok := hardGamma(gamma); ok && eps >= 0 && eps <= 64 {
		e := eps * (gamma + 1)
		s.hard = hardSpec{kernel: "poly1", pow: k, scaled: 0b11001100,
			c: [hardSlots]float64{a, b, -a, b, gamma, eps, -e, e}}
	}
	return s
}

// Gaussian is the spec of focal.Gaussian. For hard targets it is focal
// loss without α (the negatives' (1 − y)^β is 1): its float32 lanes are
// focalHard's.
func Gaussian(gamma, beta float64) MemberSpec {
	return MemberSpec{kernel: "gaussian", par: [memberSlots]float64{gamma, beta, powFlag(gamma), powFlag(beta)}, hard: focalHard(gamma)}
}

// focalHard is the float32-lane spec of focal loss without α: the focal
// kernel, with the Hessian, for γ ∈ {0, 1, 2}, else the focalexp kernel
// (loss and gradient) for γ ≤ maxExpGamma.
func focalHard(gamma float64) hardSpec {
	k, ok := hardGamma(gamma)
	if !ok {
		return expHard(0, nil, nil, gamma)
	}
	return hardSpec{kernel: "focal", pow: k, hess: true, roots: true, scaled: 0b1100, c: [hardSlots]float64{1, 1, -1, 1, gamma}}
}

// Varifocal is the spec of focal.Varifocal (α = 0 weighs negatives by 1).
func Varifocal(alpha, gamma float64, iouWeighted bool) MemberSpec {
	if alpha == 0 {
		alpha = 1
	}
	iou := 0.0
	if iouWeighted {
		iou = 1
	}
	s := MemberSpec{kernel: "varifocal", par: [memberSlots]float64{alpha, gamma, iou, powFlag(gamma)}}
	if k, ok := hardGamma(gamma); ok {
		// A hard positive's weight is 1 with or without IoU weighting.
		s.hard = hardSpec{kernel: "varifocal", pow: k, hess: true, roots: true, scaled: 0b1100,
			c: [hardSlots]float64{1, alpha, -1, alpha, 0, gamma}}
	}
	return s
}

// Reduced is the spec of focal.Reduced with threshold th ∈ (0, 1].
func Reduced(alpha, gamma, th float64) MemberSpec {
	a, b := alphaWeights(alpha)
	s := MemberSpec{kernel: "reduced", par: [memberSlots]float64{a, b, gamma, th, math.Log(th), powFlag(gamma), 1 / th}}
	if k, ok := hardGamma(gamma); ok && th > 0 {
		c := math.Pow(th, -gamma)
		s.hard = hardSpec{kernel: "reduced", pow: k, hess: true, roots: true, scaled: 0b11110000, free: 1 << 9,
			c: [hardSlots]float64{a, b, a * c, b * c, -a, b, -a * c, b * c, gamma, float64(thresholdLogit(th))}}
	}
	return s
}

// schedPieces is the most thresholds of a schedule the scheduled kernel
// takes.
const schedPieces = 4

// Scheduled is the spec of focal.Scheduled with γ(pₜ) = gammas[i] for the
// first i with pₜ < below[i], else els; the zero spec (the Go path) for
// schedules of more than four pieces.
func Scheduled(alpha float64, below, gammas []float64, els float64) MemberSpec {
	if len(below) > schedPieces || len(gammas) != len(below) {
		return MemberSpec{}
	}
	a, b := alphaWeights(alpha)
	s := MemberSpec{kernel: "scheduled", par: [memberSlots]float64{a, b, els}}
	for i := range schedPieces {
		s.par[3+2*i], s.par[4+2*i] = math.Inf(-1), els // never below −Inf
		if i < len(below) {
			s.par[3+2*i], s.par[4+2*i] = below[i], gammas[i]
		}
	}
	s.hard = expHard(alpha, below, gammas, els)
	return s
}

// maxExpGamma is the largest γ of the focalexp kernel: its m^γ carries
// the log1p fit's error (3.3e-8 relative) times up to γ·ln 2 in its
// exponent. Against the 6.5e-7 the float32 lanes keep, the dense sweep of
// the tests finds at most 4.4e-7 relative for γ = 5 and 4.8e-7 for γ = 6
// (TestMemberHardDenseSweep's log), and found 6.4e-7 for γ = 8 when it was
// added to it (with the untabled exponential).
const maxExpGamma = 6

// expHard is the float32-lane spec of focal loss with αₜ and
// γ(pₜ) = gammas[i] for the first i with pₜ < below[i], else els (one
// piece for a plain γ): the focalexp kernel, whose γ has three pieces
// between two logits. Adjacent pieces of equal γ are merged; more than
// three pieces left, or a γ beyond maxExpGamma, take the float64 lanes.
func expHard(alpha float64, below, gammas []float64, els float64) hardSpec {
	a, b := alphaWeights(alpha)
	return expHardWeights(a, b, below, gammas, els)
}

// expHardWeights is expHard with αₜ = a for y = 1 and b for y = 0.
func expHardWeights(a, b float64, below, gammas []float64, els float64) hardSpec {
	// Piece j has γ = gs[j] below the logit ts[j] (and at or above the one
	// before); the last, γ = els, has no end. (Arrays: a call allocates
	// nothing.)
	var ts [schedPieces + 2]float32
	var gs [schedPieces + 2]float64
	n := 0
	for i, th := range below {
		if i >= schedPieces {
			return hardSpec{}
		}
		if n > 0 && gs[n-1] == gammas[i] {
			ts[n-1] = thresholdAt(th) // the piece of γ grows to this threshold
			continue
		}
		ts[n], gs[n] = thresholdAt(th), gammas[i]
		n++
	}
	if n > 0 && gs[n-1] == els {
		n--
	}
	if n > 2 {
		return hardSpec{}
	}
	for j := n; j < len(ts); j++ {
		ts[j], gs[j] = float32(math.Inf(1)), els
	}
	if max(gs[0], gs[1], gs[2]) > maxExpGamma {
		return hardSpec{}
	}
	return hardSpec{kernel: "focalexp", scaled: 0b1100, free: 0b110000, split: 0b10101000000,
		c: [hardSlots]float64{a, b, -a, b, float64(ts[0]), float64(ts[1]), gs[0], 0, gs[1], 0, gs[2], 0}}
}

// thresholdAt is thresholdLogit(th) for any th: pₜ < th never holds for
// th ≤ 0 and always for th > 1.
func thresholdAt(th float64) float32 {
	switch {
	case th <= 0:
		return float32(math.Inf(-1))
	case th > 1:
		return float32(math.Inf(1))
	}
	return thresholdLogit(th)
}

// FLStar is the spec of focal.FLStar (γ = 0 read as 1).
func FLStar(alpha, gamma, beta float64) MemberSpec {
	if gamma == 0 {
		gamma = 1
	}
	a, b := alphaWeights(alpha)
	s := MemberSpec{kernel: "flstar", par: [memberSlots]float64{a, b, gamma, beta, beta / gamma, 1 / gamma}}
	if gamma <= 0x1p16 && math.Abs(beta) <= 0x1p16 {
		// γ and β each a float32 and the rest: z = γ t + β in double
		// float32 (see flstar in _gen).
		s.hard = hardSpec{kernel: "flstar", hess: true, scaled: 0b1111000000, free: 0b1111, split: 0b101,
			c: [hardSlots]float64{gamma, 0, beta, 0, a / gamma, b / gamma, -a, b, a * gamma, b * gamma}}
	}
	return s
}

// Quality is the spec of focal.Quality.
func Quality(beta float64) MemberSpec {
	is0, is2 := 0.0, 0.0
	if beta == 0 {
		is0 = 1
	}
	if beta == 2 {
		is2 = 2
	}
	return MemberSpec{kernel: "quality", par: [memberSlots]float64{
		beta, beta - 1, beta - 2, 2*beta + 1, is0, is2, math.Copysign(math.Inf(1), beta*(beta-1)), powFlag(beta)},
		hard: focalHard(beta)} // hard targets: focal loss with γ = β, no α
}

// Asymmetric is the spec of focal.Asymmetric: the margin kernel for a
// margin m > 0, its detached form (asymmetricDetached, which computes the
// detached terms only) for a detached weight; without a margin, the
// detached weight drops the weight's derivatives (δ = 0). Integer
// γ₊ ≤ 2 and γ₋ ≤ maxAslGammaNeg with a margin in [minAslMargin,
// maxAslMargin] (KindASL's default among them) have float32 lanes for
// loss and gradient: the asl kernel with a detached weight, aslExact
// without (see asl in _gen).
func Asymmetric(gammaPos, gammaNeg, margin float64, detach bool) MemberSpec {
	d := 1.0
	if detach {
		d = 0
	}
	k := "asymmetric"
	switch {
	case margin > 0 && detach:
		k = "asymmetricDetached"
	case margin > 0:
		k = "asymmetricMargin"
	}
	s := MemberSpec{kernel: k, par: [memberSlots]float64{gammaPos, gammaNeg, d * gammaPos, d * gammaNeg, margin, gammaNeg - 1, 1 - d, powFlag(gammaPos), powFlag(gammaNeg)}}
	kp, okp := hardGamma(gammaPos)
	kn, okn := intGamma(gammaNeg)
	if okp && okn && kn <= maxAslGammaNeg && margin >= minAslMargin && margin <= maxAslMargin {
		xm := math.Log(margin) - math.Log1p(-margin)
		s.hard = hardSpec{kernel: "aslExact", pow: kp, scaled: 0b11, free: 0b1111111100, split: 0b10100, ints: 1 << 7,
			c:    [hardSlots]float64{-1, 1, margin, 0, xm, 0, float64(marginLogit(margin)), float64(kn), float64(kn), float64(kp)},
			tail: aslNear(margin)}
		if detach {
			s.hard.kernel = "asl"
		}
	}
	return s
}

// aslNearTerms is the number of terms of the Taylor series of p − m that
// the float32-lane ASL kernel takes near the margin (for u ≤ 1/2).
const aslNearTerms = 10

// aslNear returns the Taylor coefficients a₁…a₁₀ of σ(xₘ + u) − m in u,
// xₘ = logit(m), from σ′ = σ(1 − σ): a₀ = m and
// (k + 1) aₖ₊₁ = aₖ − Σⱼ aⱼ aₖ₋ⱼ (j = 0…k). The series converges for
// |u| < |xₘ + iπ| ≥ 3.3 (m ≤ 1/4): for u ≤ 1/2 its first ten terms are
// within 3.9e-9 relative of its sum at m = 1/4, below 1e-9 for m ≤ 0.2
// (TestAslNearIsTheTaylorSeries).
func aslNear(m float64) (c [hardTail]float64) {
	var a [aslNearTerms + 1]float64
	a[0] = m
	for k := 0; k < aslNearTerms; k++ {
		s := a[k]
		for j := 0; j <= k; j++ {
			s -= a[j] * a[k-j]
		}
		a[k+1] = s / float64(k+1)
	}
	copy(c[:], a[1:])
	return c
}

// The float32-lane ASL kernels take γ₋ up to
// maxAslGammaNeg and margins in [minAslMargin, maxAslMargin]: there its
// d = p − m near the margin comes from x − logit(m), which is exact in
// float32 within the kernel's neighbourhood of the margin's logit when
// m ≤ 1/4, and its gradient pq/(q + m) keeps float32's relative accuracy
// where q is subnormal when m ≥ 2^−20. (Margin 0, whose −log q overflows
// in float32 for large logits, takes the float64 lanes.)
const (
	maxAslGammaNeg = 8
	minAslMargin   = 0x1p-20
	maxAslMargin   = 0.25
)

// marginLogit returns the least float32 x in [−2^64, 2^64] whose
// p = σ(x), in float64 as package focal's Asymmetric computes it, exceeds
// m (+Inf for none): the float32-lane kernel's test p − m > 0 is
// x ≥ marginLogit(m), exact where package focal's is.
func marginLogit(m float64) float32 {
	p := func(t float32) float64 {
		x := float64(t)
		e := math.Exp(-math.Abs(x))
		if x >= 0 {
			return 1 / (1 + e)
		}
		return e / (1 + e)
	}
	return leastLogit(func(t float32) bool { return p(t)-m > 0 }, float32(math.Log(m)-math.Log1p(-m)))
}

// HasMember reports whether the implementation in use has spec's kernel.
func HasMember(spec *MemberSpec) bool {
	t := active
	return t != nil && t.memberF64[spec.kernel] != nil
}

// Member computes spec's member on the implementation in use: for each i,
// when the destination is non-nil,
//
//	loss[i] = wᵢ·L(x[i], y[i]),  grad[i] = s·wᵢ·∂L/∂x,  hess[i] = max(s·wᵢ·∂²L/∂x², floor)
//
// with s = scale and wᵢ = w[i] (1 when w is nil; 0, and all three 0, where
// w[i] = 0 or ignore[i]); for a finite x[i] every value beyond the range of
// T saturates to ±MaxFloat of T. It returns Σ loss[i] and true, or false
// (having written nothing) when the implementation has no kernel for spec:
// package focal then runs the member's Go element loop, whose contract this
// is (floor −Inf: no clipping).
func Member[T Float](spec *MemberSpec, scale, floor float64, loss, grad, hess, x, y, w []T, ignore []bool) (float64, bool) {
	return memberOn(active, spec, scale, floor, loss, grad, hess, x, y, w, ignore)
}

// MemberOn is Member on implementation m (one of Impls): for the tests and
// benchmarks of package focal, which compare the implementations of the
// machine side by side. It returns false for Generic.
func MemberOn[T Float](m Impl, spec *MemberSpec, scale, floor float64, loss, grad, hess, x, y, w []T, ignore []bool) (float64, bool) {
	for _, t := range tables {
		if t.impl == m {
			return memberOn(t, spec, scale, floor, loss, grad, hess, x, y, w, ignore)
		}
	}
	return 0, false
}

// memberOn is Member on table t.
func memberOn[T Float](t *table, spec *MemberSpec, scale, floor float64, loss, grad, hess, x, y, w []T, ignore []bool) (float64, bool) {
	if t == nil || spec.kernel == "" || t.memberF64[spec.kernel] == nil {
		return 0, false
	}
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	mk := memberCall{t: t, f32: t.memberF32[spec.kernel], f64: t.memberF64[spec.kernel], s: s}
	set := func(i int, v float64) { s.mp[4*i], s.mp[4*i+1], s.mp[4*i+2], s.mp[4*i+3] = v, v, v, v }
	set(mScale, scale)
	set(mFloor, floor)
	set(mLimit, limitOf[T]())
	for i, v := range spec.par {
		set(mOwn+i, v)
	}
	if w == nil && ignore == nil {
		if unsafe.Sizeof(x[0]) == 4 && len(x) >= 32 && spec.hard.kernel != "" {
			q := hardPool.Get().(*[32]float32)
			defer hardPool.Put(q)
			if f := memberHardOn(t, spec, q, scale, floor, hess != nil); f != nil {
				return memberHardVec(&mk, f, q, loss, grad, hess, x, y), true
			}
		}
		return memberVec(&mk, loss, grad, hess, x, y), true
	}
	// Weights and the mask: float32 data first go to the member's masked
	// float32-lane kernel (memberHardMasked), which weighs as below in its
	// lanes, up to where it stops. From there, the kernels on pieces of
	// weightedPiece elements copied to scratch, the elements that do not
	// count (weight 0 or
	// ignored) as x = 0, y = 0 (a finite, hard target: valid for every
	// member), unweighted and unclipped; then each output times its weight,
	// clipped and saturated in float64, as the Go loop does, and 0 where
	// the element does not count. float32 data take the member's
	// float32-lane kernel up to where it stops (a soft target, a logit
	// beyond 2^64; its outputs are then rounded twice, within 1.2e-7
	// relative more), the rest of a piece the float64 lanes. (One call per
	// piece, not per run of elements that count: a mask that ignores every
	// few elements would otherwise cost a call, and its padded tail, per
	// run.)
	set(mFloor, math.Inf(-1))
	set(mLimit, math.MaxFloat64)
	var hf memberHardFunc
	q := hardPool.Get().(*[32]float32)
	defer hardPool.Put(q)
	if unsafe.Sizeof(x[0]) == 4 && spec.hard.kernel != "" {
		// Without weights the float32 lanes write the outputs themselves,
		// clipped.
		kfloor := math.Inf(-1)
		if w == nil {
			kfloor = floor
		}
		hf = memberHardOn(t, spec, q, scale, kfloor, hess != nil)
	}
	lim := limitOf[T]()
	wb, hb := &s.weighted, &s.weighted32
	var sum float64
	start := 0
	qm := hardPool.Get().(*[32]float32)
	defer hardPool.Put(qm)
	light := w == nil || spec.LightWeights
	if hm := t.memberHardMasked[spec.hard.kernel]; light && hf != nil && hm != nil && memberHardOn(t, spec, qm, scale, floor, hess != nil) != nil {
		// The float32-lane kernel that weighs its outputs itself, with the
		// Hessian's floor after the weight, up to where it stops (a soft
		// target or a logit beyond 2^64 that counts); the pieces from
		// there as below. Piece by piece, for the weights 1 or the mask
		// none that the kernel takes where the call has none.
		for start+32 <= len(x) {
			hi := min(start+weightedPiece, len(x))
			n32 := (hi - start) &^ 31
			wp, mp := &ones32[0], &noneIgnored[0]
			if w != nil {
				wp = ptr[T, float32](w[start:hi])
			}
			if ignore != nil {
				mp = &ignore[start]
			}
			ks, done := hm(qm, ptr[T, float32](sub(loss, start, hi)), ptr[T, float32](sub(grad, start, hi)), ptr[T, float32](sub(hess, start, hi)),
				ptr[T, float32](x[start:hi]), ptr[T, float32](y[start:hi]), wp, mp, n32)
			sum += ks
			if start += done; done < n32 {
				break
			}
		}
	}
	for lo := start; lo < len(x); lo += weightedPiece {
		hi := min(lo+weightedPiece, len(x))
		k := hi - lo
		xs, ys := x[lo:hi], y[lo:hi]
		wv := s.wv[:k]
		if !pieceWeights(wv, w, ignore, lo) {
			clearRange(lo, hi, loss, grad, hess)
			continue
		}
		done, from := 0, 0
		if n32 := k &^ 31; hf != nil && n32 > 0 {
			// T is float32 here: the piece as it is, the elements that do
			// not count overwritten.
			x32, y32 := hb[0][:k], hb[1][:k]
			copy(x32, unsafe.Slice(ptr[T, float32](xs), k))
			copy(y32, unsafe.Slice(ptr[T, float32](ys), k))
			for i, wi := range wv {
				if wi == 0 {
					x32[i], y32[i] = 0, 0
				}
			}
			if w == nil {
				// The mask alone: into the outputs, the ignored elements'
				// cleared after.
				l := hb[2][:n32]
				if loss != nil {
					l = unsafe.Slice(ptr[T, float32](loss[lo:]), n32)
				}
				g, h := sub(grad, lo, lo+n32), sub(hess, lo, lo+n32)
				_, done = hf(q, &l[0], ptr[T, float32](g), ptr[T, float32](h), &x32[0], &y32[0], n32)
				for i, ig := range ignore[lo : lo+done] {
					if ig {
						l[i] = 0
						if g != nil {
							g[i] = 0
						}
						if h != nil {
							h[i] = 0
						}
						continue
					}
					sum += float64(l[i])
				}
				from = done
			} else {
				var g, h *float32
				if grad != nil {
					g = &hb[3][0]
				}
				if hess != nil {
					h = &hb[4][0]
				}
				_, done = hf(q, &hb[2][0], g, h, &x32[0], &y32[0], n32)
			}
		}
		if done < k {
			for i := done; i < k; i++ {
				wb[0][i], wb[1][i] = 0, 0
				if wv[i] != 0 {
					wb[0][i], wb[1][i] = float64(xs[i]), float64(ys[i])
				}
			}
			var g, h []float64
			if grad != nil {
				g = wb[3][done:k]
			}
			if hess != nil {
				h = wb[4][done:k]
			}
			memberVec(&mk, wb[2][done:k], g, h, wb[0][done:k], wb[1][done:k])
		}
		var at []uint16
		if !light && from < done {
			// The float32 lanes' elements to weigh from float64 outputs
			// instead (see heavy.go), in wb's places before done, their
			// float32 losses set to 0 for weighRange's sum.
			var g, h []float32
			if grad != nil {
				g = hb[3][from:done]
			}
			if hess != nil {
				h = hb[4][from:done]
			}
			if at = heavyFind(s.heavy[:0], wv[from:done], nil, hb[2][from:done], g, h); len(at) > 0 {
				heavyRedo(s, at, xs[from:done], ys[from:done], grad != nil, hess != nil, func(l, g, h, x, y []float64) {
					memberVec(&mk, l, g, h, x, y)
				})
				for _, i := range at {
					hb[2][from+int(i)] = 0
				}
			}
		}
		pl, pg, ph := sub(loss, lo, hi), sub(grad, lo, hi), sub(hess, lo, hi)
		sum += weighRange(wv[from:done], floor, lim, xs[from:done], hb[2][from:done], hb[3][from:done], hb[4][from:done],
			sub(pl, from, done), sub(pg, from, done), sub(ph, from, done))
		sum += weighRange(wv[done:k], floor, lim, xs[done:k], wb[2][done:k], wb[3][done:k], wb[4][done:k],
			sub(pl, done, k), sub(pg, done, k), sub(ph, done, k))
		for j, i := range at {
			i += uint16(from)
			sum += weighRange(wv[i:i+1], floor, lim, xs[i:i+1], wb[2][j:j+1], wb[3][j:j+1], wb[4][j:j+1],
				sub(pl, int(i), int(i)+1), sub(pg, int(i), int(i)+1), sub(ph, int(i), int(i)+1))
		}
	}
	return sum, true
}

// pieceWeights sets wv[i] to the weight of element lo + i (see weightAt:
// 0 where it does not count) and reports whether any is not 0.
func pieceWeights[T Float](wv []float64, w []T, ignore []bool, lo int) bool {
	switch {
	case ignore == nil:
		for i, v := range w[lo : lo+len(wv)] {
			wv[i] = float64(v)
		}
	case w == nil:
		for i, ig := range ignore[lo : lo+len(wv)] {
			wv[i] = 1
			if ig {
				wv[i] = 0
			}
		}
	default:
		ig := ignore[lo : lo+len(wv)]
		for i, v := range w[lo : lo+len(wv)] {
			wv[i] = float64(v)
			if ig[i] {
				wv[i] = 0
			}
		}
	}
	for _, v := range wv {
		if v != 0 {
			return true
		}
	}
	return false
}

// weighRange writes the outputs of a run of elements of a weighted or
// masked member call from their unweighted ones (ls, gs, hs: from the
// float32 or the float64 lanes; gs and hs are read only where grad and
// hess are not nil): each times its weight wv[i] (0 where wv[i] is 0),
// the Hessian clipped at floor, and each saturated at ±lim for a finite
// logit (x). It returns the sum of the weighted losses. One loop per
// output, the destinations' nil tests out of the loops.
func weighRange[T Float, S float32 | float64](wv []float64, floor, lim float64, x []T, ls, gs, hs []S, loss, grad, hess []T) float64 {
	ls = ls[:len(wv)]
	var sum float64
	for i, wi := range wv {
		l := float64(ls[i]) * wi
		if wi == 0 {
			l = 0
		}
		// (Beyond ±lim, rare, the logit decides.)
		if l > lim || l < -lim {
			l = satAt(l, x[i], lim)
		}
		sum += l
		if loss != nil {
			loss[i] = T(l)
		}
	}
	if grad != nil {
		gs, grad = gs[:len(wv)], grad[:len(wv)]
		for i, wi := range wv {
			g := float64(gs[i]) * wi
			if wi == 0 {
				g = 0
			}
			if math.Abs(g) > lim {
				g = satAt(g, x[i], lim)
			}
			grad[i] = T(g)
		}
	}
	if hess != nil {
		hs, hess = hs[:len(wv)], hess[:len(wv)]
		for i, wi := range wv {
			h := float64(hs[i]) * wi
			if h < floor { // (not max: −0 stays −0, as in the element loop)
				h = floor
			}
			if wi == 0 {
				h = 0
			}
			if math.Abs(h) > lim {
				h = satAt(h, x[i], lim)
			}
			hess[i] = T(h)
		}
	}
	return sum
}

// satAt returns v (beyond ±lim) saturated at ±lim where the logit x is
// finite, v itself for an infinite x.
func satAt[T Float](v float64, x T, lim float64) float64 {
	if math.IsInf(float64(x), 0) {
		return v
	}
	return math.Copysign(lim, v)
}

// memberCall is one member kernel of a table, for float32 and float64, with
// the call's scratch (whose mp holds the constants).
type memberCall struct {
	t   *table
	f32 memberF32Func
	f64 memberF64Func
	s   *scratch
}

// memberVec runs the kernel on all of x: the last len(x) mod step
// elements padded with x = 0, y = 0 (see padTail), the padding's losses
// left out of the sum.
func memberVec[T Float](k *memberCall, loss, grad, hess, x, y []T) float64 {
	step := k.t.memberStep
	n0 := len(x) &^ (step - 1)
	sum := memberRun(k, loss, grad, hess, x, y, n0)
	if n0 == len(x) {
		return sum
	}
	_, l := padTail(k.s, step, n0, 0, loss, grad, hess, x, y, func(l, g, h, x, y []T) float64 {
		return memberRun(k, l, g, h, x, y, step)
	})
	for _, v := range l {
		sum += float64(v)
	}
	return sum
}

// memberRun runs k on the first n elements (a multiple of the step).
func memberRun[T Float](k *memberCall, loss, grad, hess, x, y []T, n int) float64 {
	if n == 0 {
		return 0
	}
	if unsafe.Sizeof(x[0]) == 4 {
		return k.f32(&k.s.mp, ptr[T, float32](loss), ptr[T, float32](grad), ptr[T, float32](hess), ptr[T, float32](x), ptr[T, float32](y), n)
	}
	return k.f64(&k.s.mp, ptr[T, float64](loss), ptr[T, float64](grad), ptr[T, float64](hess), ptr[T, float64](x), ptr[T, float64](y), n)
}

// hardSpec is a member's float32-lane kernel for float32 data with hard
// targets (see member32 in _gen), "" for none: its constants, unscaled,
// in the order of the kernel's slots from m32Own.
type hardSpec struct {
	kernel string
	pow    int32  // m^k by k multiplications
	hess   bool   // the kernel computes the Hessian (else calls with one take the float64 lanes)
	roots  bool   // the Hessian is the focal one: the slots from m32Root hold hessRoots[pow]
	scaled uint32 // bit i: c[i] is multiplied by the gradient's scale
	free   uint32 // bit i: c[i] is exempt from the range check (a logit, or the rest of a split value)
	split  uint32 // bit i: c[i] is stored as a float32 in slot i and the rest in slot i + 1
	ints   uint32 // bit i: c[i] is an integer, stored as its int32's bits
	c      [hardSlots]float64
	tail   [hardTail]float64 // without roots: constants from slot m32Root, the first as a float32 and the rest
}

// Slots of a float32-lane member kernel's constants (as in
// _gen/members32.go): the int32 k of m^k, the Hessian's floor, the
// member's own (hardSlots of them), then for the focal Hessian its
// bracket's zero, band and polynomial (see hessRoot).
const (
	m32Pow = iota
	m32Floor
	m32Own
	hardSlots = 14
	m32Root   = m32Own + hardSlots
	hardTail  = 32 - m32Root - 1
)

// maxHardConst bounds the float32-lane kernels' constants (the gradient's
// scale times the member's factors): their products with a subnormal m^γ
// (the lanes' m lacks bits below 2^−149, and e^−|x| is within 2^−148
// there) then err by less than 2^−127,
// below the 1e-37 of float32 results that the tests take as underflow.
// Nonzero constants below 2^−100 keep the float64 lanes too, as the
// sigmoid kernel's do.
const maxHardConst = 0x1p20

// consts returns the float32 constants of h for gradient scale and
// Hessian floor, and false when one is outside the range the float32
// lanes keep accurate (see maxHardConst): the call then takes the float64
// lanes.
func (h *hardSpec) consts(q *[32]float32, scale, floor float64) bool {
	q[m32Pow] = math.Float32frombits(uint32(h.pow))
	q[m32Floor] = float32(floor)
	if h.roots {
		r, ok := hessRoots[int(h.pow)]
		if !ok {
			r = hessRoot{lo: 1, hi: -1} // γ = 0: the bracket is m > 0, the band empty
		}
		q[m32Root], q[m32Root+1], q[m32Root+2], q[m32Root+3] = r.t0Hi, r.t0Lo, r.lo, r.hi
		copy(q[m32Root+4:], r.q[:])
	} else {
		t := h.tail[0]
		q[m32Root], q[m32Root+1] = float32(t), float32(t-float64(float32(t)))
		for i, v := range h.tail[1:] {
			q[m32Root+2+i] = float32(v)
		}
	}
	for i := 0; i < hardSlots; i++ {
		v := h.c[i]
		if h.ints>>i&1 != 0 {
			q[m32Own+i] = math.Float32frombits(uint32(int32(v)))
			continue
		}
		if h.scaled>>i&1 != 0 {
			v *= scale
		}
		a := math.Abs(v)
		if h.free>>i&1 == 0 && v != 0 && !(a >= 0x1p-100 && a <= maxHardConst) {
			return false
		}
		q[m32Own+i] = float32(v)
		if h.split>>i&1 != 0 {
			q[m32Own+i+1] = float32(v - float64(float32(v)))
			i++
		}
	}
	return true
}

// hardGamma returns the int32 k of m^k for an integer γ ∈ {0, 1, 2} and
// true, else false: the float32 lanes' error grows with the factors of m
// multiplied (γ = 3 reaches 8e-7 relative, see maxGamma32).
func hardGamma(g float64) (int32, bool) {
	k, ok := intGamma(g)
	return int32(k), ok && k <= maxGamma32
}

// thresholdLogit returns the least float32 t in [−2^64, 2^64] whose
// pₜ = 1 − σ(−t), in float64 as package focal's Reduced computes it, is
// at least th (+Inf for none): the float32-lane kernel's test pₜ ≥ th is
// t ≥ thresholdLogit(th), exact where package focal's is.
func thresholdLogit(th float64) float32 {
	pt := func(t float32) float64 {
		x := float64(t)
		e := math.Exp(-math.Abs(x))
		m := 1 / (1 + e) // σ(−t) for t < 0
		if x >= 0 {
			m = e / (1 + e)
		}
		return 1 - m
	}
	// (th near 1, where 1 − σ(−t) rounds to 1 long before σ(t) = th,
	// takes leastLogit's bisection.)
	return leastLogit(func(t float32) bool { return pt(t) >= th }, float32(math.Log(th)-math.Log1p(-th)))
}

// leastLogit returns the least float32 t in [−2^64, 2^64] for which ok,
// monotone (false, then true), holds (+Inf for none): from guess, a few
// steps either way; else a bisection over the float32s in order (their
// bits, the negative ones reflected).
func leastLogit(ok func(t float32) bool, guess float32) float32 {
	if t := guess; math.Abs(float64(t)) < 0x1p64 {
		for range 16 {
			switch below := math.Nextafter32(t, float32(math.Inf(-1))); {
			case !ok(t):
				t = math.Nextafter32(t, float32(math.Inf(1)))
			case ok(below):
				t = below
			default:
				return t
			}
		}
	}
	ord := func(t float32) int64 {
		b := int64(math.Float32bits(t))
		if b>>31 != 0 {
			return -(b &^ (1 << 31))
		}
		return b
	}
	val := func(o int64) float32 {
		if o < 0 {
			return math.Float32frombits(uint32(-o) | 1<<31)
		}
		return math.Float32frombits(uint32(o))
	}
	lo, hi := ord(-0x1p64), ord(0x1p64)
	if !ok(val(hi)) {
		return float32(math.Inf(1))
	}
	if ok(val(lo)) {
		return val(lo)
	}
	for hi-lo > 1 { // !ok(lo), ok(hi)
		mid := lo + (hi-lo)/2
		if ok(val(mid)) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return val(hi)
}

// hardPool holds the float32-lane kernels' constants of a call (heap
// memory: see table).
var hardPool = sync.Pool{New: func() any { return new([32]float32) }}

// memberHardOn returns the float32-lane kernel of spec on table t with
// its constants in q for a call with gradient scale, Hessian floor and
// (wantHess) a Hessian destination, or nil when the call takes the
// float64 lanes.
func memberHardOn(t *table, spec *MemberSpec, q *[32]float32, scale, floor float64, wantHess bool) memberHardFunc {
	h := &spec.hard
	f := t.memberHard[h.kernel]
	// (A Hessian's factors are the gradient's, unsigned: scale ≥ 0.)
	if h.kernel == "" || f == nil || (wantHess && (!h.hess || scale < 0)) || !h.consts(q, scale, floor) {
		return nil
	}
	return f
}

// memberHardVec runs the float32-lane kernel f on float32 data: up to the
// first step with a soft target or a logit beyond 2^64, then a piece from
// there on the float64 lanes (k), then on; the last len(x) mod 32
// elements on the float64 lanes. The piece is one step after progress in
// float32 lanes and doubles (to maxHardPiece) while the kernel stops at
// once: rare soft targets cost a step each, soft data few calls.
func memberHardVec[T Float](k *memberCall, f memberHardFunc, q *[32]float32, loss, grad, hess, x, y []T) float64 {
	var sum float64
	step := k.t.memberHardStep
	piece := step
	for len(x) > 0 {
		n, done := len(x)&^31, 0
		if n > 0 {
			var s float64
			s, done = f(q, ptr[T, float32](loss), ptr[T, float32](grad), ptr[T, float32](hess), ptr[T, float32](x), ptr[T, float32](y), n)
			sum += s
		}
		if done > 0 {
			piece = step
		}
		end := len(x)
		if done < n {
			end = min(done+piece, len(x))
			piece = min(2*piece, maxHardPiece)
		}
		if done < end {
			sum += memberVec(k, sub(loss, done, end), sub(grad, done, end), sub(hess, done, end), x[done:end], y[done:end])
		}
		loss, grad, hess, x, y = sub(loss, end, len(x)), sub(grad, end, len(x)), sub(hess, end, len(x)), x[end:], y[end:]
	}
	return sum
}

// maxHardPiece is the longest piece memberHardVec runs on the float64
// lanes before it tries the float32 lanes again.
const maxHardPiece = 2048

// MemberHardOn runs only the float32-lane kernel of spec on
// implementation m (one of Impls) on x and y, n = len(x) a multiple of
// 32: the sum and the number of elements done (see member32 in _gen), and
// false, having run nothing, when m has no such kernel for spec, scale,
// floor and a Hessian (hess non-nil). For the tests of package focal,
// which compare it with the members' element functions.
func MemberHardOn(m Impl, spec *MemberSpec, scale, floor float64, loss, grad, hess, x, y []float32) (sum float64, done int, ok bool) {
	for _, t := range tables {
		if t.impl != m {
			continue
		}
		q := new([32]float32)
		f := memberHardOn(t, spec, q, scale, floor, hess != nil)
		if f == nil || len(x)%32 != 0 || len(x) == 0 {
			return 0, 0, false
		}
		sum, done = f(q, ptr[float32, float32](loss), ptr[float32, float32](grad), ptr[float32, float32](hess), &x[0], &y[0], len(x))
		return sum, done, true
	}
	return 0, 0, false
}

// Package kernel holds the element loops of the focal losses: a pure-Go
// implementation of each (the fallback, the documentation and the test
// oracle) and, where the platform has them, vectorized versions chosen at
// run time. The public package focal validates input and splits work; the
// functions here trust their arguments.
package kernel

import (
	"encoding/binary"
	"math"
	"math/bits"
	"unsafe"
)

// Float is the element type of every kernel.
type Float interface{ ~float32 | ~float64 }

// SigmoidParams are the constants of a sigmoid focal-loss pass.
type SigmoidParams struct {
	Alpha    float64 // α ∈ [0,1]; ignored unless HasAlpha
	HasAlpha bool    // false: αₜ = 1
	Gamma    float64 // γ ≥ 0
	Scale    float64 // multiplies the gradient and Hessian (1/divisor of the reduction)
	ClipHess bool    // clip the Hessian diagonal at 0
	// HardTargets says that every target is 0 or 1, as TargetsHard found:
	// the float32-lane kernel then makes no check of its own. (Set
	// wrongly, a soft target is taken as 1 if it equals 1 and as 0
	// otherwise.)
	HardTargets bool
	// LightWeights says that no weight is above HeavyWeight (2^24), as
	// package focal's check found: the weighted paths may then weigh
	// float32 outputs rounded before the weight (see heavy.go). Unset,
	// they look for the elements where that loses more than 2^−126.
	LightWeights bool
}

// maxIntGamma is the largest integer γ computed by repeated multiplication
// rather than in log space.
const maxIntGamma = 8

// intGamma reports whether γ is a small non-negative integer.
func intGamma(g float64) (int, bool) {
	if g >= 0 && g <= maxIntGamma && g == math.Trunc(g) {
		return int(g), true
	}
	return 0, false
}

// powInt returns m^k for small k ≥ 0 by multiplication.
func powInt(m float64, k int) float64 {
	r := 1.0
	for ; k > 0; k-- {
		r *= m
	}
	return r
}

// SigmoidElem returns the focal loss of one logit x with target y ∈ [0,1]
// and its first and second derivatives with respect to x (unscaled,
// unclipped), computed in float64. It is the reference for every sigmoid
// kernel.
//
// With p = σ(x), the loss is torchvision's
//
//	FL = αₜ · m^γ · ce,  ce = softplus(x) − x·y,  m = 1 − pₜ = y(1 − p) + (1 − y)p.
//
// With r = m′/m = (1 − 2y)·p(1 − p)/m ∈ [−1, 1] (bounded, so no term below
// overflows for 0 ≤ γ < 2 at saturated logits, where m → 0):
//
//	∂FL/∂x   = αₜ m^γ [γ r ce + (p − y)]
//	∂²FL/∂x² = αₜ m^γ [γ(γ−1) r² ce + γ r (1 − 2p) ce + 2γ r (p − y) + p(1 − p)]
//
// log p and log(1 − p) are −softplus(−x) and −softplus(x), from one
// e = exp(−|x|) and one log1p(e); m^γ is exp(γ·log m) unless γ is a small
// integer.
func SigmoidElem(x, y float64, p *SigmoidParams) (loss, grad, hess float64) {
	e := math.Exp(-math.Abs(x))
	return sigmoidWith(x, y, e, math.Log1p(e), p)
}

// sigmoidElem32 is SigmoidElem with exp and log1p good to 1e-9 relative,
// for float32 results.
func sigmoidElem32(x, y float64, p *SigmoidParams) (loss, grad, hess float64) {
	e := expNeg(math.Abs(x))
	return sigmoidWith(x, y, e, log1pUnit(e), p)
}

// sigmoidWith is SigmoidElem given e = exp(−|x|) and l1 = log1p(e).
func sigmoidWith(x, y, e, l1 float64, p *SigmoidParams) (loss, grad, hess float64) {
	spPos := max(x, 0) + l1  // softplus(x)  = −log(1−p)
	spNeg := max(-x, 0) + l1 // softplus(−x) = −log p
	var pr, q float64        // p and 1−p, each computed without cancellation
	inv := 1 / (1 + e)
	if x >= 0 {
		pr, q = inv, e*inv
	} else {
		pr, q = e*inv, inv
	}
	if math.IsNaN(x) || math.IsNaN(y) {
		n := math.NaN()
		return n, n, n
	}
	var ce, m, logm, r float64
	switch y {
	case 1:
		ce, m, logm, r = spNeg, q, -spPos, -pr
	case 0:
		ce, m, logm, r = spPos, pr, -spNeg, q
	default:
		// x·(1−y) and −x·y: one of them is the large term, neither overflows.
		if x >= 0 {
			ce = x*(1-y) + l1
		} else {
			ce = -x*y + l1
		}
		m = y*q + (1-y)*pr
		logm = math.Log(m)
		if m > 0 {
			r = (1 - 2*y) * pr * q / m
		} else if y < 0.5 {
			r = q
		} else {
			r = -pr
		}
	}
	g := p.Gamma
	var w float64 // m^γ
	if k, ok := intGamma(g); ok {
		w = powInt(m, k)
	} else {
		w = math.Exp(g * logm)
	}
	at := 1.0
	if p.HasAlpha {
		at = y*p.Alpha + (1-y)*(1-p.Alpha)
	}
	aw := at * w
	d := pr*(1-y) - y*q // p − y without cancellation for hard targets
	loss = aw * ce
	grad = aw * (g*r*ce + d)
	hess = aw * (g*(g-1)*r*r*ce + g*r*(1-2*pr)*ce + 2*g*r*d + pr*q)
	return loss, grad, hess
}

// SigmoidGo is the pure-Go sigmoid kernel. For each i it sets, when the
// destination is non-nil,
//
//	loss[i] = wᵢ·FL(x[i], y[i]),  grad[i] = s·wᵢ·∂FL/∂x,  hess[i] = s·wᵢ·∂²FL/∂x²
//
// with s = p.Scale and wᵢ = w[i] (1 when w is nil, 0 when ignore[i]). It
// returns Σ wᵢ·FLᵢ in float64. Destinations, w and ignore are nil or as long
// as x.
func SigmoidGo[T Float](p *SigmoidParams, loss, grad, hess, x, y, w []T, ignore []bool) float64 {
	_, f32 := any(x).([]float32)
	switch {
	case w == nil && ignore == nil:
		return sigmoidPlain(p, loss, grad, hess, x, y)
	case w == nil && f32:
		// float32 takes its own element function, so that an element's
		// outputs do not depend on whether other elements are ignored.
		return maskedRuns(loss, grad, hess, ignore, func(lo, hi int) float64 {
			return sigmoidPlain(p, sub(loss, lo, hi), sub(grad, lo, hi), sub(hess, lo, hi), x[lo:hi], y[lo:hi])
		})
	}
	var sum float64
	for i := range x {
		var l, g, h, s float64
		if wi := weightAt(w, ignore, i); wi != 0 {
			l, g, h = SigmoidElem(float64(x[i]), float64(y[i]), p)
			l *= wi
			s = wi * p.Scale
		}
		sum += l
		put(loss, grad, hess, i, l, g, h, s, p.ClipHess)
	}
	return sum
}

// sigmoidPlain is SigmoidGo without weights or mask. float32 data take
// hard32.elem for hard targets and sigmoidElem32 for soft ones, the others
// SigmoidElem.
func sigmoidPlain[T Float](p *SigmoidParams, loss, grad, hess, x, y []T) float64 {
	_, f32 := any(x).([]float32)
	k := newHard32(p)
	var sum float64
	for i := range x {
		xi, yi := float64(x[i]), float64(y[i])
		var l, g, h float64
		switch {
		case !f32:
			l, g, h = SigmoidElem(xi, yi, p)
		case yi == 0 || yi == 1:
			l, g, h = k.elem(xi, yi, hess != nil)
		default:
			l, g, h = sigmoidElem32(xi, yi, p)
		}
		sum += l
		put(loss, grad, hess, i, l, g, h, p.Scale, p.ClipHess)
	}
	return sum
}

// weightAt returns the weight of element i: w[i] (1 when w is nil), 0 when
// ignore[i].
func weightAt[T Float](w []T, ignore []bool, i int) float64 {
	wi := 1.0
	if w != nil {
		wi = float64(w[i])
	}
	if ignore != nil && ignore[i] {
		wi = 0
	}
	return wi
}

// put stores element i's outputs in the destinations that are not nil: the
// loss l (saturated, see sat), and the gradient g and Hessian h times s,
// the Hessian clipped at 0 when clip.
func put[T Float](loss, grad, hess []T, i int, l, g, h, s float64, clip bool) {
	if loss != nil {
		loss[i] = sat[T](l)
	}
	if grad != nil {
		grad[i] = T(g * s)
	}
	if hess != nil {
		h *= s
		if clip {
			h = max(h, 0)
		}
		hess[i] = T(h)
	}
}

// maskedRuns splits x into the runs of elements alike in ignore: it sets
// the destinations to 0 over the ignored runs and returns the sum of
// run(lo, hi) over the others (x[lo:hi]).
func maskedRuns[T Float](loss, grad, hess []T, ignore []bool, run func(lo, hi int) float64) float64 {
	var sum float64
	for lo := 0; lo < len(ignore); {
		hi := runEnd(ignore, lo)
		if ignore[lo] {
			clearRange(lo, hi, loss, grad, hess)
		} else {
			sum += run(lo, hi)
		}
		lo = hi
	}
	return sum
}

// runEnd returns the end of the run of elements alike in ignore that
// starts at lo, reading 8 elements to a word (a bool is the byte 0 or 1).
func runEnd(ignore []bool, lo int) int {
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(ignore))), len(ignore))
	v := uint64(b[lo]) * 0x0101010101010101
	hi := lo + 1
	for ; hi+8 <= len(b); hi += 8 {
		if d := binary.LittleEndian.Uint64(b[hi:]) ^ v; d != 0 {
			return hi + bits.TrailingZeros64(d)/8
		}
	}
	for hi < len(b) && b[hi] == b[lo] {
		hi++
	}
	return hi
}

// clearRange sets elements lo … hi − 1 of the destinations that are not nil
// to 0.
func clearRange[T Float](lo, hi int, loss, grad, hess []T) {
	for _, d := range [...][]T{loss, grad, hess} {
		if d != nil {
			clear(d[lo:hi])
		}
	}
}

// sat converts a non-negative loss to T, saturating at T's largest finite
// value instead of overflowing to +Inf (NaN and +Inf stay as they are: an
// infinite logit's infinite loss is not an overflow).
func sat[T Float](v float64) T {
	t := T(v)
	if float64(t) > math.MaxFloat64 && v <= math.MaxFloat64 { // a finite v rounded to +Inf
		return T(limitOf[T]())
	}
	return t
}

// limitOf returns the largest finite value of T.
func limitOf[T Float]() float64 {
	if unsafe.Sizeof(T(0)) == 4 {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

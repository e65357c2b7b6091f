// Package kernel holds the element loops of the focal losses: a pure-Go
// implementation of each (the fallback, the documentation and the test
// oracle) and, where the platform has them, vectorized versions chosen at
// run time. The public package focal validates input and splits work; the
// functions here trust their arguments.
package kernel

import (
	"math"
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
	if x32, ok := any(x).([]float32); ok && w == nil {
		// float32 takes its own element function, so that an element's
		// outputs do not depend on whether other elements are ignored.
		l32, g32, h32, y32 := any(loss).([]float32), any(grad).([]float32), any(hess).([]float32), any(y).([]float32)
		if ignore == nil {
			return sigmoidPlain32(p, l32, g32, h32, x32, y32)
		}
		var sum float64
		for lo := 0; lo < len(x); {
			hi := lo
			for hi < len(x) && ignore[hi] == ignore[lo] {
				hi++
			}
			if ignore[lo] {
				for _, d := range [...][]float32{l32, g32, h32} {
					if d != nil {
						clear(d[lo:hi])
					}
				}
			} else {
				sum += sigmoidPlain32(p, sub(l32, lo, hi), sub(g32, lo, hi), sub(h32, lo, hi), x32[lo:hi], y32[lo:hi])
			}
			lo = hi
		}
		return sum
	}
	if w == nil && ignore == nil {
		return sigmoidPlain(p, loss, grad, hess, x, y, SigmoidElem)
	}
	var sum float64
	for i := range x {
		wi := 1.0
		if w != nil {
			wi = float64(w[i])
		}
		if ignore != nil && ignore[i] {
			wi = 0
		}
		var l, g, h float64
		if wi != 0 {
			l, g, h = SigmoidElem(float64(x[i]), float64(y[i]), p)
			l *= wi
			g *= wi * p.Scale
			h *= wi * p.Scale
			if p.ClipHess {
				h = max(h, 0)
			}
		}
		sum += l
		if loss != nil {
			loss[i] = sat[T](l)
		}
		if grad != nil {
			grad[i] = T(g)
		}
		if hess != nil {
			hess[i] = T(h)
		}
	}
	return sum
}

// sigmoidPlain is SigmoidGo without weights or mask, with the element
// function elem (exact, or float32-accurate).
func sigmoidPlain[T Float](p *SigmoidParams, loss, grad, hess, x, y []T, elem func(x, y float64, p *SigmoidParams) (float64, float64, float64)) float64 {
	var sum float64
	s := p.Scale
	for i := range x {
		l, g, h := elem(float64(x[i]), float64(y[i]), p)
		sum += l
		if loss != nil {
			loss[i] = sat[T](l)
		}
		if grad != nil {
			grad[i] = T(g * s)
		}
		if hess != nil {
			h *= s
			if p.ClipHess {
				h = max(h, 0)
			}
			hess[i] = T(h)
		}
	}
	return sum
}

// sat converts a non-negative loss to T, saturating at T's largest finite
// value instead of overflowing to +Inf (NaN and +Inf stay as they are: an
// infinite logit's infinite loss is not an overflow).
func sat[T Float](v float64) T {
	t := T(v)
	if !math.IsInf(float64(t), 1) || math.IsInf(v, 1) {
		return t
	}
	var max32 float32 = math.MaxFloat32
	var max64 float64 = math.MaxFloat64
	if m := T(max64); !math.IsInf(float64(m), 1) {
		return m // T is float64
	}
	return T(max32)
}

// limitOf returns the largest finite value of T.
func limitOf[T Float]() float64 {
	if unsafe.Sizeof(T(0)) == 4 {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

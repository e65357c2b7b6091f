package focal

import (
	"math"
	"unsafe"

	"github.com/focalgo/focal/internal/kernel"
)

// The building blocks of the members' element functions. Each member's
// file holds its own formula and derivation; what they share is here.

// sigParts are the quantities of one logit that every sigmoid member is
// built from, each computed without cancellation: p = σ(x), q = 1 − p,
// spPos = softplus(x) = −log q, spNeg = softplus(−x) = −log p, and
// l1 = log1p(exp(−|x|)).
type sigParts struct {
	p, q, spPos, spNeg, l1 float64
}

// newSigParts computes the parts of x; fast takes exp(−|x|) and its log1p
// from the float32 kernels' 1e-9-accurate scalar functions, for float32
// results.
func newSigParts(x float64, fast bool) sigParts {
	var e, l1 float64
	if fast {
		e = kernel.ExpNeg(math.Abs(x))
		l1 = kernel.Log1pUnit(e)
	} else {
		e = math.Exp(-math.Abs(x))
		l1 = math.Log1p(e)
	}
	s := sigParts{spPos: max(x, 0) + l1, spNeg: max(-x, 0) + l1, l1: l1}
	if x >= 0 {
		s.p, s.q = 1/(1+e), e/(1+e)
	} else {
		s.p, s.q = e/(1+e), 1/(1+e)
	}
	return s
}

// focus returns, for target y ∈ [0, 1], the cross-entropy
// ce = softplus(x) − x·y, the focusing base m = 1 − pₜ = y·q + (1 − y)·p,
// log m, and the bounded ratio r = m′/m ∈ [−1, 1].
func (s *sigParts) focus(x, y float64) (ce, m, logm, r float64) {
	switch y {
	case 1:
		return s.spNeg, s.q, -s.spPos, -s.p
	case 0:
		return s.spPos, s.p, -s.spNeg, s.q
	}
	if x >= 0 {
		ce = x*(1-y) + s.l1
	} else {
		ce = -x*y + s.l1
	}
	m = y*s.q + (1-y)*s.p
	logm = math.Log(m)
	switch {
	case m > 0:
		r = (1 - 2*y) * s.p * s.q / m
	case y < 0.5:
		r = s.q
	default:
		r = -s.p
	}
	return ce, m, logm, r
}

// dev returns p − y, written p(1 − y) − y·q so that there is no
// cancellation for hard targets (y = 1: −q; y = 0: p).
func (s *sigParts) dev(y float64) float64 { return s.p*(1-y) - y*s.q }

// focused returns L = w·ce and its first two derivatives for a focusing
// weight w whose derivative is w′ = γ·r·w (w = c·m^γ for a constant c), with
// ce′ = d = p − y and ce″ = p·q:
//
//	L′ = w [γ r ce + d]
//	L″ = w [γ(γ−1) r² ce + γ r (1 − 2p) ce + 2γ r d + p q]
func focused(w, g, r, ce, d, p, q float64) (l, dl, d2l float64) {
	return w * ce, w * (g*r*ce + d), w * (g*(g-1)*r*r*ce + g*r*(1-2*p)*ce + 2*g*r*d + p*q)
}

// alphaT returns αₜ = y·α + (1 − y)(1 − α), or 1 for α = 0 (no α).
func alphaT(alpha, y float64) float64 {
	if alpha == 0 {
		return 1
	}
	return y*alpha + (1-y)*(1-alpha)
}

// limitOf returns the largest finite value of T.
func limitOf[T Float]() float64 {
	if isFloat32[T]() {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

// isFloat32 reports whether T is float32 (or a type based on it).
func isFloat32[T Float]() bool { return unsafe.Sizeof(T(0)) == 4 }

// powGamma returns m^g, by multiplication for a small integer g, else as
// exp(g·log m) from the given log m.
func powGamma(m, logm, g float64) float64 { return kernel.PowGamma(m, logm, g) }

// elemOf is m's element function with NaN propagated: a NaN logit or
// target gives NaN loss, gradient and Hessian.
func elemOf[M Member](m M, x, y float64, fast bool) (loss, grad, hess float64) {
	if math.IsNaN(x) || math.IsNaN(y) {
		n := math.NaN()
		return n, n, n
	}
	return m.elem(x, y, fast)
}

// log1m returns log(1 − y) without cancellation for small y.
func log1m(y float64) float64 { return math.Log1p(-y) }

package kernel

import (
	"math"
	"unsafe"
)

// FamilyKind selects the element function of a FamilyGo pass.
type FamilyKind uint8

// The elementwise members of the focal family (package focal documents
// each formula and its source).
const (
	FamilyPoly1     FamilyKind = iota + 1 // Poly-1 focal (Leng et al. 2022)
	FamilyASL                             // asymmetric loss (Ridnik et al. 2021)
	FamilyQFL                             // quality focal loss (Li et al. 2020)
	FamilyVarifocal                       // varifocal loss (Zhang et al. 2021)
	FamilyFLStar                          // FL* (Lin et al. 2017, appendix A)
	FamilyScheduled                       // focal loss with γ(pₜ) (Mukhoti et al. 2020)
	FamilyReduced                         // reduced focal loss (Sergievskiy & Ponamarev 2019)
)

// FamilyParams are the constants of a FamilyGo pass. Each kind reads only
// the fields named in its comment.
type FamilyParams struct {
	Kind        FamilyKind
	Alpha       float64   // αₜ weight (Poly-1, FL*, Scheduled, Reduced: if HasAlpha); Varifocal's α
	HasAlpha    bool      // false: αₜ = 1
	Gamma       float64   // γ; ASL: γ₊; QFL: β
	GammaNeg    float64   // ASL: γ₋
	Epsilon     float64   // Poly-1: ε
	Margin      float64   // ASL: probability margin m ∈ [0, 1)
	Beta        float64   // FL*: β
	Threshold   float64   // Reduced: th ∈ (0, 1]
	Detach      bool      // ASL: the focusing weight is a constant in the derivatives
	IoUWeighted bool      // Varifocal: positives weighted by q (else by 1)
	Below       []float64 // Scheduled: γ = Gammas[i] for the first i with pₜ < Below[i]
	Gammas      []float64 // Scheduled
	Else        float64   // Scheduled: γ when pₜ is not below any threshold
	Scale       float64   // multiplies the gradient and Hessian (1/divisor of the reduction)
	ClipHess    bool      // clip the Hessian diagonal at 0
}

// sigParts are the quantities of one logit that every sigmoid member is
// built from, each computed without cancellation: p = σ(x), q = 1 − p,
// spPos = softplus(x) = −log q, spNeg = softplus(−x) = −log p, and
// l1 = log1p(exp(−|x|)).
type sigParts struct {
	p, q, spPos, spNeg, l1 float64
}

func newSigParts(x float64, fast bool) sigParts {
	var e, l1 float64
	if fast {
		e = expNeg(math.Abs(x))
		l1 = log1pUnit(e)
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
// log m, and the bounded ratio r = m′/m ∈ [−1, 1], as SigmoidElem does.
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

// powLog returns m^g, by multiplication for small integer g, else as
// exp(g·log m) from the given log m.
func powLog(m, logm, g float64) float64 {
	if k, ok := intGamma(g); ok {
		return powInt(m, k)
	}
	return math.Exp(g * logm)
}

// focused returns L = w·ce and its first two derivatives for a focusing
// weight w whose derivative is w′ = γ·r·w (w = c·m^γ for a constant c), with
// ce′ = d = p − y and ce″ = p·q:
//
//	L′ = w [γ r ce + d]
//	L″ = w [γ(γ−1) r² ce + γ r (1 − 2p) ce + 2γ r d + p q]
func focused(w, g, r, ce, d, p, q float64) (l, dl, d2l float64) {
	return w * ce, w * (g*r*ce + d), w * (g*(g-1)*r*r*ce + g*r*(1-2*p)*ce + 2*g*r*d + p*q)
}

func (p *FamilyParams) alphaT(y float64) float64 {
	if !p.HasAlpha {
		return 1
	}
	return y*p.Alpha + (1-y)*(1-p.Alpha)
}

// FamilyElem returns the loss of one logit x with target y under the
// member p.Kind and its first and second derivatives with respect to x
// (unscaled, unclipped, unsaturated), computed in float64. It is the
// reference for FamilyGo.
func FamilyElem(x, y float64, p *FamilyParams) (loss, grad, hess float64) {
	return familyElem(x, y, p, false)
}

// familyElem is FamilyElem; fast computes exp(−|x|) and log1p of it with
// the float32 kernels' 1e-9-accurate expNeg and log1pUnit.
func familyElem(x, y float64, p *FamilyParams, fast bool) (loss, grad, hess float64) {
	if math.IsNaN(x) || math.IsNaN(y) {
		n := math.NaN()
		return n, n, n
	}
	s := newSigParts(x, fast)
	switch p.Kind {
	case FamilyPoly1:
		return poly1Elem(x, y, &s, p)
	case FamilyASL:
		return aslElem(y, &s, p)
	case FamilyQFL:
		return qflElem(x, y, &s, p)
	case FamilyVarifocal:
		return varifocalElem(x, y, &s, p)
	case FamilyFLStar:
		return flStarElem(x, y, p)
	case FamilyScheduled:
		return scheduledElem(x, y, &s, p)
	case FamilyReduced:
		return reducedElem(x, y, &s, p)
	}
	panic("kernel: unknown family kind")
}

// FamilyGo is the pure-Go kernel of the elementwise family members. For
// each i it sets, when the destination is non-nil,
//
//	loss[i] = wᵢ·L(x[i], y[i]),  grad[i] = s·wᵢ·∂L/∂x,  hess[i] = s·wᵢ·∂²L/∂x²
//
// with L = FamilyElem, s = p.Scale and wᵢ = w[i] (1 when w is nil, 0 when
// ignore[i]). For a finite x[i], values beyond the range of T saturate to
// ±MaxFloat of T. It returns Σ loss[i] in float64. Destinations, w and
// ignore are nil or as long as x. For float32, exp(−|x|) and its log1p
// are computed to 1e-9 relative instead of to the last float64 bit.
func FamilyGo[T Float](p *FamilyParams, loss, grad, hess, x, y, w []T, ignore []bool) float64 {
	lim := limitOf[T]()
	fast := unsafe.Sizeof(T(0)) == 4
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
			xi := float64(x[i])
			l, g, h = familyElem(xi, float64(y[i]), p, fast)
			l *= wi
			g *= wi * p.Scale
			h *= wi * p.Scale
			if p.ClipHess {
				h = max(h, 0)
			}
			if !math.IsInf(xi, 0) {
				l = min(max(l, -lim), lim)
				g = min(max(g, -lim), lim)
				h = min(max(h, -lim), lim)
			}
		}
		sum += l
		if loss != nil {
			loss[i] = T(l)
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

// Family is the family kernel used by package focal; its contract is
// FamilyGo's.
func Family[T Float](p *FamilyParams, loss, grad, hess, x, y, w []T, ignore []bool) float64 {
	return FamilyGo(p, loss, grad, hess, x, y, w, ignore)
}

// dev returns p − y, written p(1 − y) − y·q so that there is no
// cancellation for hard targets (y = 1: −q; y = 0: p).
func (s *sigParts) dev(y float64) float64 { return s.p*(1-y) - y*s.q }

// limitOf returns the largest finite value of T.
func limitOf[T Float]() float64 {
	if unsafe.Sizeof(T(0)) == 4 {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

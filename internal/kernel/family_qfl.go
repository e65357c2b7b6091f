package kernel

import "math"

// qflElem is quality focal loss, L = |y − p|^β · ce with ce = softplus(x) − x·y.
// Hard targets are focal loss with γ = β and no α. For soft y, with
// a = |y − p|, s = sign(y − p), T₁ = a^{β−1}·pq and T₂ = a^{β−2}·p²q²
// (each formed as one exp of a sum of logs, so no intermediate overflows
// or underflows):
//
//	L′ = −s [β T₁ ce + a^β a]
//	L″ = β(β − 1) T₂ ce − β s (1 − 2p) T₁ ce + (2β + 1) pq a^β
//
// At p = y exactly, a^β is not differentiable for β < 1 (nor twice for
// β < 2): there the loss is at its minimum, the gradient is 0 and the
// Hessian is its limit where one exists (pq for β = 0, 2p²q²·ce for β = 2,
// 0 for β > 2) and 0 otherwise.
func qflElem(x, y float64, s *sigParts, p *FamilyParams) (l, g, h float64) {
	b := p.Gamma
	if y == 0 || y == 1 {
		ce, m, logm, r := s.focus(x, y)
		return focused(powLog(m, logm, b), b, r, ce, s.dev(y), s.p, s.q)
	}
	ce, _, _, _ := s.focus(x, y)
	pq := s.p * s.q
	var u float64 // y − p, from whichever of p and q is exact
	if x >= 0 {
		u = s.q - (1 - y)
	} else {
		u = y - s.p
	}
	a := math.Abs(u)
	if a == 0 {
		switch {
		case b == 0:
			return ce, 0, pq
		case b == 2:
			return 0, 0, 2 * pq * pq * ce
		}
		return 0, 0, 0
	}
	sg := math.Copysign(1, u)
	la := math.Log(a)
	lpq := -s.spPos - s.spNeg
	ab := powLog(a, la, b)
	t1 := math.Exp((b-1)*la + lpq)
	t2 := math.Exp((b-2)*la + 2*lpq)
	l = ab * ce
	g = -sg * (b*t1*ce + ab*a)
	h = b*(b-1)*t2*ce - b*sg*(1-2*s.p)*t1*ce + (2*b+1)*pq*ab
	if math.IsNaN(h) { // T₁ and T₂ both overflowed with opposite signs: T₂ = T₁·pq/a dominates
		h = math.Copysign(math.Inf(1), b*(b-1))
	}
	return l, g, h
}

package kernel

import "math"

// aslElem is the asymmetric loss of one logit with a hard target y ∈ {0, 1}:
//
//	y = 1:  L = (1 − p)^γ₊ · softplus(−x)
//	y = 0:  L = p_m^γ₋ · (−log(1 − p_m)),  p_m = max(p − m, 0)
//
// For m > 0 and p > m, with d = p − m, c = −log(1 − d) = −log(q + m),
// k = c/d (bounded: 1 ≤ k ≤ −log m/(1 − m)) and d′ = pq, c′ = pq/(q + m):
//
//	L′ = d^γ [γ d′ k + c′]
//	L″ = d^γ [γ d″ k + c″ + γ (d′/d)((γ − 1) d′ k + 2c′)]
//
// where d″ = pq(1 − 2p) and c″ = c′(1 − 2p + c′). The
// factor d′/d grows like 1/d at the kink p → m⁺ but the bracket it
// multiplies is ≈ (γ + 1)d′, so L″ ~ d^{γ−1}: finite for every d > 0.
//
// With Detach the weight w is a constant: L′ = w·ce′, L″ = w·ce″, what
// autograd computes when the weight is built without gradient tracking.
func aslElem(y float64, s *sigParts, p *FamilyParams) (l, g, h float64) {
	pr, q := s.p, s.q
	if y == 1 {
		w := powLog(q, -s.spPos, p.Gamma)
		if p.Detach {
			return w * s.spNeg, -w * q, w * pr * q
		}
		return focused(w, p.Gamma, -pr, s.spNeg, -q, pr, q)
	}
	gn := p.GammaNeg
	if p.Margin == 0 {
		w := powLog(pr, -s.spNeg, gn)
		if p.Detach {
			return w * s.spPos, w * pr, w * pr * q
		}
		return focused(w, gn, q, s.spPos, pr, pr, q)
	}
	d := pr - p.Margin
	if !(d > 0) {
		return 0, 0, 0
	}
	qm := q + p.Margin
	pq := pr * q
	c := -math.Log(qm)
	c1 := pq / qm
	c2 := c1 * (1 - 2*pr + c1) // pq[(1 − 2p)(q + m) + pq]/(q + m)², without squaring a tiny q + m
	w := powLog(d, math.Log(d), gn)
	if p.Detach {
		return w * c, w * c1, w * c2
	}
	k := c / d
	l = w * c
	g = w * (gn*pq*k + c1)
	h = w * (gn*pq*(1-2*pr)*k + c2 + gn*(pq/d)*((gn-1)*pq*k+2*c1))
	return l, g, h
}

package kernel

import "math"

// reducedElem is reduced focal loss: L = αₜ·f·ce with f = ((1 − pₜ)/th)^γ
// where pₜ ≥ th and f = 1 (cross-entropy) where pₜ < th. The factor is
// exp(γ(log m − log th)), whose derivative is γ r f as for m^γ.
func reducedElem(x, y float64, s *sigParts, p *FamilyParams) (l, g, h float64) {
	ce, m, logm, r := s.focus(x, y)
	at := p.alphaT(y)
	if 1-m < p.Threshold {
		return at * ce, at * s.dev(y), at * s.p * s.q
	}
	f := math.Exp(p.Gamma * (logm - math.Log(p.Threshold)))
	return focused(at*f, p.Gamma, r, ce, s.dev(y), s.p, s.q)
}

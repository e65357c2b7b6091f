package kernel

// gammaAt returns the scheduled γ for probability pₜ: Gammas[i] for the
// first i with pₜ < Below[i], else Else.
func (p *FamilyParams) gammaAt(pt float64) float64 {
	for i, b := range p.Below {
		if pt < b {
			return p.Gammas[i]
		}
	}
	return p.Else
}

// scheduledElem is focal loss with γ = γ(pₜ) chosen per element. The
// derivatives treat γ as locally constant (it is piecewise constant in pₜ;
// the reference computes it outside autograd): they are focal loss's with
// that γ.
func scheduledElem(x, y float64, s *sigParts, p *FamilyParams) (l, g, h float64) {
	ce, m, logm, r := s.focus(x, y)
	gm := p.gammaAt(1 - m)
	return focused(p.alphaT(y)*powLog(m, logm, gm), gm, r, ce, s.dev(y), s.p, s.q)
}

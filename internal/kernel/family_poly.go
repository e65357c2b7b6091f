package kernel

// poly1Elem is Poly-1 focal loss, FL + ε·m^{γ+1} with m = 1 − pₜ. With
// k = γ + 1, r = m′/m and m″/m = r(1 − 2p), the added term P = m^k has
//
//	P′ = k P r,  P″ = k P [(k − 1) r² + r (1 − 2p)],
//
// bounded because P ≤ 1 and |r| ≤ 1.
func poly1Elem(x, y float64, s *sigParts, p *FamilyParams) (l, g, h float64) {
	ce, m, logm, r := s.focus(x, y)
	w := p.alphaT(y) * powLog(m, logm, p.Gamma)
	l, g, h = focused(w, p.Gamma, r, ce, s.dev(y), s.p, s.q)
	if e := p.Epsilon; e != 0 {
		k := p.Gamma + 1
		pk := powLog(m, logm, k)
		l += e * pk
		g += e * k * pk * r
		h += e * k * pk * ((k-1)*r*r + r*(1-2*s.p))
	}
	return l, g, h
}

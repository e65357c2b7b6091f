package kernel

// varifocalElem is varifocal loss: for a positive (q = y > 0)
// L = y·ce (or ce without IoUWeighted), the weight a constant; for a
// negative (y = 0) L = α pᵞ softplus(x), focal loss of a negative with the
// weight's gradient kept, as mmdet computes it.
func varifocalElem(x, y float64, s *sigParts, p *FamilyParams) (l, g, h float64) {
	if y > 0 {
		ce, _, _, _ := s.focus(x, y)
		wp := 1.0
		if p.IoUWeighted {
			wp = y
		}
		return wp * ce, wp * s.dev(y), wp * s.p * s.q
	}
	w := p.Alpha * powLog(s.p, -s.spNeg, p.Gamma)
	return focused(w, p.Gamma, s.q, s.spPos, s.p, s.p, s.q)
}

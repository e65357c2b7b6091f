package kernel

import "math"

// ScheduleParams is a piecewise-constant γ(pₜ): Gammas[i] for the first i
// with pₜ < Below[i], else Else.
type ScheduleParams struct {
	Below, Gammas []float64
	Else          float64
}

func (s *ScheduleParams) at(pt float64) float64 {
	for i, b := range s.Below {
		if pt < b {
			return s.Gammas[i]
		}
	}
	return s.Else
}

// ScheduledSoftmaxGo is SoftmaxGo (ε = 0) with a focusing exponent chosen
// per position from the probability of its label, γ = p.Schedule(p_y), as
// FLSD does (Mukhoti et al. 2020). p.Gamma is ignored. The derivatives are
// those of softmax focal loss with that γ: the schedule is locally
// constant.
func ScheduledSoftmaxGo[T Float, L Int](p *SoftmaxParams, loss, grad, hess, x []T, labels []L, w []T, first int) float64 {
	return softmaxEach(p, loss, grad, hess, x, labels, w, first, p.Schedule, limitOf[T]())
}

// logSoftmaxAt returns log p_y = x_y − max − log Σ exp(x_c − max); NaN for
// a NaN logit (softmaxPosition then returns NaN whatever γ is).
func logSoftmaxAt(C, y int, at func(int) float64) float64 {
	m := math.Inf(-1)
	for c := range C {
		m = max(m, at(c))
	}
	if math.IsInf(m, 0) || math.IsNaN(m) {
		if at(y) == m {
			return 0
		}
		return math.Inf(-1)
	}
	var s float64
	for c := range C {
		s += math.Exp(at(c) - m)
	}
	return at(y) - m - math.Log(s)
}

package focal

import (
	"fmt"
	"math"

	"github.com/focalgo/focal/internal/kernel"
)

// GammaSchedule is a piecewise-constant focusing exponent γ(pₜ): Gammas[i]
// for the first i with pₜ < Below[i], and Else when pₜ is not below any
// threshold. Below must be strictly increasing; every γ finite and ≥ 0.
type GammaSchedule struct {
	Below  []float64
	Gammas []float64
	Else   float64
}

// FLSD53 returns the schedule of FLSD-53 (Mukhoti et al., "Calibrating
// Deep Neural Networks using Focal Loss", NeurIPS 2020): γ = 5 for
// pₜ < 0.2, else 3, written as the reference code's table
// (gamma_dic = {0.2: 5, 0.5: 3}, γ = 3 for pₜ ≥ 0.5).
func FLSD53() GammaSchedule {
	return GammaSchedule{Below: []float64{0.2, 0.5}, Gammas: []float64{5, 3}, Else: 3}
}

// At returns γ(pₜ).
func (g GammaSchedule) At(pt float64) float64 {
	for i, b := range g.Below {
		if pt < b {
			return g.Gammas[i]
		}
	}
	return g.Else
}

func (g GammaSchedule) validate() error {
	if len(g.Below) != len(g.Gammas) {
		return fmt.Errorf("%w: schedule has %d thresholds and %d gammas (want equal)", ErrParam, len(g.Below), len(g.Gammas))
	}
	for i, b := range g.Below {
		if math.IsNaN(b) || (i > 0 && !(b > g.Below[i-1])) {
			return fmt.Errorf("%w: schedule threshold Below[%d] = %v (want strictly increasing)", ErrParam, i, b)
		}
		if v := g.Gammas[i]; !(v >= 0) || math.IsInf(v, 1) {
			return fmt.Errorf("%w: schedule Gammas[%d] = %v (want finite ≥ 0)", ErrGamma, i, v)
		}
	}
	return validGamma("schedule Else", g.Else)
}

// Scheduled is focal loss with a sample-dependent
// focusing exponent (Mukhoti et al. 2020, FLSD; reference code
// torrvision/focal_calibration, Losses/focal_loss_adaptive_gamma.py):
//
//	FL = −αₜ (1 − pₜ)^{γ(pₜ)} log pₜ,
//
// with p, pₜ, αₜ as in Sigmoid and γ(pₜ) a GammaSchedule. A large γ for
// hard examples and a smaller one for the rest regularises over-confident
// predictions: it is used to train calibrated classifiers.
//
// γ(pₜ) is piecewise constant and the reference picks it per sample
// outside autograd: the gradient and Hessian treat it as locally constant
// (focal loss's derivatives with γ = γ(pₜ)), and the loss jumps where pₜ
// crosses a threshold.
//
// The reference is a softmax loss; this is its sigmoid (binary,
// multi-label) form, with soft targets as in Sigmoid.
//
// The zero value (γ = 0 everywhere, no α) is binary cross-entropy.
// KindFLSD's default is FLSD-53 without α, averaged (the reference's
// setting).
type Scheduled struct {
	// Alpha is α ∈ [0, 1], 0 for none.
	Alpha float64 `param:"alpha"`
	// Schedule is γ(pₜ). NewMember sets a two-piece schedule by the names
	// threshold, gamma-below and gamma (γ = gamma-below for pₜ < threshold,
	// else gamma).
	Schedule GammaSchedule
}

// Validate checks α and the schedule.
func (s Scheduled) Validate() error { return firstError(validAlpha(s.Alpha), s.Schedule.validate()) }

// Kind returns KindFLSD.
func (s Scheduled) Kind() Kind { return KindFLSD }

// Elem returns the loss of one element and its first two derivatives.
func (s Scheduled) Elem(x, y float64) (loss, grad, hess float64) { return elemOf(s, x, y, false) }

// elem is focal loss with γ = γ(pₜ) chosen per element. The derivatives
// treat γ as locally constant (it is piecewise constant in pₜ; the
// reference computes it outside autograd): they are focal loss's with that
// γ.
func (s Scheduled) elem(x, y float64, fast bool) (l, g, h float64) {
	sp := newSigParts(x, fast)
	ce, m, logm, r := sp.focus(x, y)
	gm := s.Schedule.At(1 - m)
	return focused(alphaT(s.Alpha, y)*powGamma(m, logm, gm), gm, r, ce, sp.dev(y), sp.p, sp.q)
}

func (s Scheduled) traits() traits {
	g := s.Schedule
	return traits{member: kernel.Scheduled(s.Alpha, g.Below, g.Gammas, g.Else)}
}

func (s Scheduled) extraParams() []string { return []string{"threshold", "gamma-below", "gamma"} }

// setParam sets one piece of a two-piece schedule (γ = low for
// pₜ < threshold, else high), keeping the other two from the current
// schedule's first threshold and gammas.
func (s Scheduled) setParam(name string, v float64) Member {
	th, lo, hi := s.pieces()
	switch name {
	case "threshold":
		th = v
	case "gamma-below":
		lo = v
	case "gamma":
		hi = v
	}
	s.Schedule = GammaSchedule{Below: []float64{th}, Gammas: []float64{lo}, Else: hi}
	return s
}

func (s Scheduled) pieces() (threshold, low, high float64) {
	g := s.Schedule
	if len(g.Below) == 0 {
		return 0, g.Else, g.Else
	}
	return g.Below[0], g.Gammas[0], g.Else
}

// KindFLSD names Scheduled in the registry.
const KindFLSD Kind = "flsd"

func init() {
	register(func() Member { return Scheduled{Schedule: FLSD53()} },
		"calibration: focal loss with γ = 5 for pₜ < 0.2 else 3 (or your own γ(pₜ) schedule) (Mukhoti et al. 2020)",
		"flsd-53", "flsd53", "scheduled", "sample-dependent")
}

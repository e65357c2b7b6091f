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

// Scheduled holds the parameters of focal loss with a sample-dependent
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
type Scheduled struct {
	// Alpha is α ∈ [0, 1], or negative (NoAlpha) for none.
	Alpha float64
	// Schedule is γ(pₜ).
	Schedule GammaSchedule
	// Reduction, ClipHessian and Normalizer are as in Sigmoid.
	Reduction   Reduction
	ClipHessian bool
	Normalizer  float64
}

// DefaultScheduled is FLSD-53 without α, averaged (the reference's setting).
func DefaultScheduled() Scheduled {
	return Scheduled{Alpha: NoAlpha, Schedule: FLSD53(), Reduction: Mean}
}

// ScheduledFocal computes focal loss with γ(pₜ) of logits x against targets
// y ∈ [0, 1]; its contract is Family's.
func ScheduledFocal[T Float](s Scheduled, out Outputs[T], x, y []T) (Total, error) {
	return familyRun(s.spec(), out, x, y, nil, nil)
}

// ScheduledFocalWeighted is ScheduledFocal with weights and an ignore
// mask, as FamilyWeighted.
func ScheduledFocalWeighted[T Float](s Scheduled, out Outputs[T], x, y, w []T, ignore []bool) (Total, error) {
	return familyRun(s.spec(), out, x, y, w, ignore)
}

// Kind returns KindFLSD.
func (s Scheduled) Kind() Kind { return KindFLSD }

// Elem returns the loss of one element and its first two derivatives.
func (s Scheduled) Elem(x, y float64) (loss, grad, hess float64) {
	kp := s.spec().p
	return kernel.FamilyElem(x, y, &kp)
}

func (s Scheduled) validate() error {
	if err := validAlpha(s.Alpha); err != nil {
		return err
	}
	return s.Schedule.validate()
}

func (s Scheduled) spec() memberSpec {
	return memberSpec{
		p: kernel.FamilyParams{Kind: kernel.FamilyScheduled, Alpha: max(s.Alpha, 0), HasAlpha: s.Alpha >= 0,
			Below: s.Schedule.Below, Gammas: s.Schedule.Gammas, Else: s.Schedule.Else, Scale: 1, ClipHess: s.ClipHessian},
		reduction: s.Reduction, norm: s.Normalizer, err: s.validate(), kind: s.Kind(),
	}
}

// twoPiece returns s with the schedule γ = low for pₜ < threshold, else
// high, keeping whichever of the three is already set from the current
// schedule's first threshold and gammas.
func (s Scheduled) twoPiece(threshold, low, high float64) Scheduled {
	s.Schedule = GammaSchedule{Below: []float64{threshold}, Gammas: []float64{low}, Else: high}
	return s
}

func (s Scheduled) pieces() (threshold, low, high float64) {
	g := s.Schedule
	if len(g.Below) == 0 {
		return 0, g.Else, g.Else
	}
	return g.Below[0], g.Gammas[0], g.Else
}

func init() {
	register(kindInfo{
		kind:    KindFLSD,
		aliases: []string{"flsd-53", "flsd53", "scheduled", "sample-dependent"},
		purpose: "calibration: focal loss with γ = 5 for pₜ < 0.2 else 3 (or your own γ(pₜ) schedule) (Mukhoti et al. 2020)",
		def:     func() Member { return DefaultScheduled() },
		reduce:  func(m Member, r Reduction) Member { s := m.(Scheduled); s.Reduction = r; return s },
		params: []memberParam{
			{"alpha", func(m Member, v float64) Member { s := m.(Scheduled); s.Alpha = v; return s }},
			{"threshold", func(m Member, v float64) Member {
				s := m.(Scheduled)
				_, lo, hi := s.pieces()
				return s.twoPiece(v, lo, hi)
			}},
			{"gamma-below", func(m Member, v float64) Member {
				s := m.(Scheduled)
				th, _, hi := s.pieces()
				return s.twoPiece(th, v, hi)
			}},
			{"gamma", func(m Member, v float64) Member {
				s := m.(Scheduled)
				th, lo, _ := s.pieces()
				return s.twoPiece(th, lo, v)
			}},
			{"clip-hessian", func(m Member, v float64) Member { s := m.(Scheduled); s.ClipHessian = boolParam(v); return s }},
		},
	})
}

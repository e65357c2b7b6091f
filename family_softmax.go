package focal

import (
	"fmt"

	"github.com/focalgo/focal/internal/kernel"
)

// ScheduledSoftmax holds the parameters of the softmax (multi-class) focal
// loss with a sample-dependent focusing exponent, FLSD as published
// (Mukhoti et al., "Calibrating Deep Neural Networks using Focal Loss",
// NeurIPS 2020; torrvision/focal_calibration,
// Losses/focal_loss_adaptive_gamma.py, FocalLossAdaptive):
//
//	FL = −α_y (1 − p_y)^{γ(p_y)} log p_y,  p = softmax(x) over the class axis,
//
// with γ(p_y) a GammaSchedule (FLSD53 by default). As in Scheduled, γ is
// treated as locally constant in the gradient and Hessian, which are
// those of Softmax with γ = γ(p_y) at each position. There is no label
// smoothing (pₜ would be ambiguous). Layout, labels, ignore index,
// background, weights and reductions are as in Softmax.
type ScheduledSoftmax struct {
	// Alpha weights the classes as Softmax.Alpha: nil, one value or C values.
	Alpha []float64
	// Schedule is γ(p_y).
	Schedule GammaSchedule
	// IgnoreIndex and Background are as in Softmax.
	IgnoreIndex int
	Background  int
	// Reduction, ClipHessian and Normalizer are as in Softmax.
	Reduction   Reduction
	ClipHessian bool
	Normalizer  float64
}

// DefaultScheduledSoftmax is FLSD-53 with PyTorch's ignore index, no α,
// averaged.
func DefaultScheduledSoftmax() ScheduledSoftmax {
	return ScheduledSoftmax{Schedule: FLSD53(), IgnoreIndex: DefaultIgnoreIndex, Reduction: Mean}
}

// ScheduledSoftmaxFocal computes FLSD softmax focal loss of logits x laid
// out as lay against integer labels; its contract is SoftmaxFocal's.
func ScheduledSoftmaxFocal[T Float, L Int](s ScheduledSoftmax, out Outputs[T], lay Layout, x []T, labels []L) (Total, error) {
	return ScheduledSoftmaxFocalWeighted(s, out, lay, x, labels, nil)
}

// ScheduledSoftmaxFocalWeighted is ScheduledSoftmaxFocal with one weight per
// position, as SoftmaxFocalWeighted.
func ScheduledSoftmaxFocalWeighted[T Float, L Int](s ScheduledSoftmax, out Outputs[T], lay Layout, x []T, labels []L, w []T) (Total, error) {
	if lay.Outer < 0 || lay.Classes < 1 || lay.Inner < 1 {
		return Total{}, fmt.Errorf("%w: %+v (want Outer ≥ 0, Classes ≥ 1, Inner ≥ 1)", ErrLayout, lay)
	}
	if lay.Outer*lay.Classes*lay.Inner != len(x) {
		return Total{}, fmt.Errorf("%w: %d×%d×%d does not match %d logits", ErrLayout, lay.Outer, lay.Classes, lay.Inner, len(x))
	}
	base := Softmax{Alpha: s.Alpha, Gamma: 0, Reduction: s.Reduction, Normalizer: s.Normalizer}
	if err := base.validate(lay.Classes); err != nil {
		return Total{}, err
	}
	if err := s.Schedule.validate(); err != nil {
		return Total{}, err
	}
	t, hasIgnore, ign, err := checkLabels(lay, x, labels, w, out, s.IgnoreIndex, s.Background)
	if err != nil {
		return Total{}, err
	}
	C := lay.Classes
	j := getJob[scheduledSoftmaxJob[T, L]]()
	defer putJob(j)
	j.x, j.labels, j.w, j.out = x, labels, w, out
	defer j.clear()
	j.p = kernel.SoftmaxParams{
		Classes: C, Inner: lay.Inner, Alpha: s.Alpha,
		Scale: scale(s.Reduction, s.Normalizer, t), ClipHess: s.ClipHessian, HasIgnore: hasIgnore, Ignore: ign,
	}
	j.sched = kernel.ScheduleParams{Below: s.Schedule.Below, Gammas: s.Schedule.Gammas, Else: s.Schedule.Else}
	j.size, j.chunks = chunking(lay.Labels(), C)
	j.run()
	t.Sum = j.sumPartials()
	return t, nil
}

type scheduledSoftmaxJob[T Float, L Int] struct {
	job
	size   int
	p      kernel.SoftmaxParams
	sched  kernel.ScheduleParams
	x, w   []T
	labels []L
	out    Outputs[T]
}

func (j *scheduledSoftmaxJob[T, L]) init() { j.fn = j.chunk }

func (j *scheduledSoftmaxJob[T, L]) clear() {
	j.x, j.w, j.labels, j.out = nil, nil, nil, Outputs[T]{}
	j.p.Alpha, j.sched = nil, kernel.ScheduleParams{}
}

func (j *scheduledSoftmaxJob[T, L]) chunk(c int) {
	lo := c * j.size
	hi := min(lo+j.size, len(j.labels))
	o := j.out
	j.partial[c] = kernel.ScheduledSoftmaxGo(&j.p, &j.sched, sub(o.Loss, lo, hi), o.Grad, o.Hess, j.x, j.labels[lo:hi], sub(j.w, lo, hi), lo)
}

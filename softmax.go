package focal

import (
	"fmt"
	"math"

	"github.com/focalgo/focal/internal/kernel"
)

// DefaultIgnoreIndex is PyTorch's ignore_index default.
const DefaultIgnoreIndex = -100

// Softmax is the softmax (multi-class) focal loss
//
//	FL = −Σ_c α_c q_c (1 − p_c)^γ log p_c,  p = softmax(x) over the class axis,
//	q = (1 − ε)·onehot(y) + ε/C,
//
// which for ε = 0 is −α_y (1 − p_y)^γ log p_y. With ε > 0 it is Keras'
// CategoricalFocalCrossentropy with label_smoothing (the focusing factor is
// applied to every class term). With a Schedule, γ = γ(p_y) is chosen per
// position as in FLSD (Mukhoti et al., "Calibrating Deep Neural Networks
// using Focal Loss", NeurIPS 2020; torrvision/focal_calibration,
// FocalLossAdaptive): the derivatives treat it as locally constant.
//
// The zero value is cross-entropy, with no ignore index.
type Softmax struct {
	// Alpha weights the classes: nil for none (α_c = 1), one value for a
	// scalar α, or C values, one per class. Values must be finite and ≥ 0
	// (class weights need not sum to anything).
	Alpha []float64
	// Gamma is the focusing parameter γ ≥ 0; γ = 0 is cross-entropy.
	Gamma float64
	// Schedule, when it has thresholds, replaces Gamma by γ(p_y); FLSD53
	// is FLSD-53. It does not combine with label smoothing.
	Schedule GammaSchedule
	// LabelSmoothing is ε ∈ [0, 1).
	LabelSmoothing float64
	// IgnoreIndex is a label value outside [0, C) whose positions are
	// excluded from the loss, the counts and the gradient, like PyTorch's
	// ignore_index (−100 there, DefaultIgnoreIndex, or 255 in
	// segmentation). A value inside [0, C), including the zero value, sets
	// no ignore index: give a class weight 0 to drop a class instead.
	IgnoreIndex int
	// Background is the class that Positives does not count (detection
	// heads with a background class, torchvision's convention: class 0).
	Background int
}

// Layout describes where the class axis lies in a flat logits slice: element
// (n, c, i) of an [Outer, Classes, Inner] array is at (n·Classes + c)·Inner + i.
// [N, C] is {N, C, 1}; PyTorch's [N, C, d₁, …, d_k] is {N, C, d₁⋯d_k}.
type Layout struct {
	Outer, Classes, Inner int
}

// ClassLast is the layout of [n, c] logits (class axis last; any leading
// dimensions folded into n).
func ClassLast(n, c int) Layout { return Layout{Outer: n, Classes: c, Inner: 1} }

// ClassSecond is the layout of [n, c, d₁, …, d_k] logits (PyTorch's NCHW).
func ClassSecond(n, c int, trailing ...int) Layout {
	in := 1
	for _, d := range trailing {
		in *= d
	}
	return Layout{Outer: n, Classes: c, Inner: in}
}

// Labels returns the number of label positions, Outer·Inner.
func (l Layout) Labels() int { return l.Outer * l.Inner }

func (s Softmax) validate(classes int) error {
	if !(s.Gamma >= 0) || math.IsInf(s.Gamma, 1) {
		return fmt.Errorf("%w: gamma = %v (want finite γ ≥ 0)", ErrGamma, s.Gamma)
	}
	if len(s.Alpha) > 1 && len(s.Alpha) != classes {
		return fmt.Errorf("%w: %d alpha values for %d classes (want 0, 1 or %d)", ErrAlpha, len(s.Alpha), classes, classes)
	}
	for i, a := range s.Alpha {
		if !(a >= 0) || math.IsInf(a, 1) {
			return fmt.Errorf("%w: alpha[%d] = %v (want finite ≥ 0)", ErrAlpha, i, a)
		}
	}
	if !(s.LabelSmoothing >= 0 && s.LabelSmoothing < 1) {
		return fmt.Errorf("%w: label smoothing = %v (want 0 ≤ ε < 1)", ErrSmoothing, s.LabelSmoothing)
	}
	if s.scheduled() {
		if err := s.Schedule.validate(); err != nil {
			return err
		}
		if s.LabelSmoothing != 0 {
			return fmt.Errorf("%w: a γ schedule with label smoothing %v (pₜ is ambiguous)", ErrSmoothing, s.LabelSmoothing)
		}
	}
	return nil
}

func (s Softmax) scheduled() bool { return len(s.Schedule.Below) > 0 }

// SoftmaxInput is the data of SoftmaxLoss.
type SoftmaxInput[T Float, L Int] struct {
	// Logits are laid out as Layout says; nothing is copied or transposed.
	Logits []T
	Layout Layout
	// Labels are one class per position (Layout.Labels() of them), or the
	// ignore index.
	Labels []L
	// Weights are one per position: nil for all 1, else finite and ≥ 0.
	Weights []T
}

// SoftmaxLoss computes the softmax focal loss of in.Logits against integer
// labels in one fused pass. out.Loss, if non-nil, has one loss per position
// (0 where ignored); out.Grad and out.Hess, if non-nil, are as long as the
// logits and laid out like them. Mean divides by the number of non-ignored
// labels, Positives by the number of them other than Background.
//
// Bad arguments (a layout that does not match the logits, a label outside
// [0, C) that is not the ignore index, bad parameters) return an error
// wrapping ErrLayout, ErrLength, ErrLabel, ErrWeight, ErrAlpha, ErrGamma,
// ErrSmoothing, ErrParam, ErrReduction or ErrNormalizer, and nothing is
// written.
//
// Special cases are:
//
//	a NaN logit makes its position's loss, gradient and Hessian NaN
//	every finite logit gives a finite gradient and Hessian for every γ ≥ 0;
//	a loss larger than the largest finite value of T saturates to it
func SoftmaxLoss[T Float, L Int](s Softmax, o Options, out Outputs[T], in SoftmaxInput[T, L]) (Total, error) {
	lay := in.Layout
	if lay.Outer < 0 || lay.Classes < 1 || lay.Inner < 1 {
		return Total{}, fmt.Errorf("%w: %+v (want Outer ≥ 0, Classes ≥ 1, Inner ≥ 1)", ErrLayout, lay)
	}
	if lay.Outer*lay.Classes*lay.Inner != len(in.Logits) {
		return Total{}, fmt.Errorf("%w: %d×%d×%d does not match %d logits", ErrLayout, lay.Outer, lay.Classes, lay.Inner, len(in.Logits))
	}
	if err := s.validate(lay.Classes); err != nil {
		return Total{}, err
	}
	if err := o.validate(); err != nil {
		return Total{}, err
	}
	npos := lay.Labels()
	if len(in.Labels) != npos {
		return Total{}, fmt.Errorf("%w: %d labels, want %d for layout %d×%d×%d", ErrLength, len(in.Labels), npos, lay.Outer, lay.Classes, lay.Inner)
	}
	if in.Weights != nil && len(in.Weights) != npos {
		return Total{}, fmt.Errorf("%w: %d weights, want one per label (%d)", ErrLength, len(in.Weights), npos)
	}
	if err := out.check(len(in.Logits), npos); err != nil {
		return Total{}, err
	}
	ign := int64(s.IgnoreIndex)
	hasIgnore := ign < 0 || ign >= int64(lay.Classes)
	f := softmax[T, L]{in: in, out: out, background: int64(s.Background), p: kernel.SoftmaxParams{
		Classes: lay.Classes, Inner: lay.Inner, Alpha: s.Alpha, Gamma: s.Gamma, Smooth: s.LabelSmoothing,
		HasIgnore: hasIgnore, Ignore: ign,
	}}
	f.p.ClipHess, f.floor = o.clip()
	if s.scheduled() {
		f.scheduled = true
		f.schedule = kernel.ScheduleParams{Below: s.Schedule.Below, Gammas: s.Schedule.Gammas, Else: s.Schedule.Else}
	}
	// Units are label positions; each writes its own positions' logits
	// only, so chunks never share a destination element.
	return run(f, npos, lay.Classes, o)
}

// softmax is the form of SoftmaxLoss; its units are label positions.
type softmax[T Float, L Int] struct {
	in         SoftmaxInput[T, L]
	out        Outputs[T]
	p          kernel.SoftmaxParams
	background int64
	floor      float64
	// schedule is p.Schedule when scheduled; setScale points p at it once
	// the form is in the driver's job.
	schedule  kernel.ScheduleParams
	scheduled bool
}

func (f *softmax[T, L]) check(_, lo, hi int) (count, pos int64, bad int) {
	C := int64(f.p.Classes)
	w := f.in.Weights
	for j, l := range f.in.Labels[lo:hi] {
		v := int64(l)
		if f.p.HasIgnore && v == f.p.Ignore {
			continue
		}
		if v < 0 || v >= C || (w != nil && !validWeight(w[lo+j])) {
			return 0, 0, lo + j
		}
		count++
		if v != f.background {
			pos++
		}
	}
	return count, pos, -1
}

func (f *softmax[T, L]) explain(bad int) error {
	p := &f.p
	if v := int64(f.in.Labels[bad]); (!p.HasIgnore || v != p.Ignore) && (v < 0 || v >= int64(p.Classes)) {
		msg := ""
		if p.HasIgnore {
			msg = fmt.Sprintf(" or the ignore index %d", p.Ignore)
		}
		return fmt.Errorf("%w: labels[%d] = %d (want 0 ≤ label < %d%s)", ErrLabel, bad, v, p.Classes, msg)
	}
	return fmt.Errorf("%w: weights[%d] = %v (want finite ≥ 0)", ErrWeight, bad, f.in.Weights[bad])
}

func (f *softmax[T, L]) setScale(scale float64) {
	f.p.Scale = scale
	if f.scheduled {
		f.p.Schedule = &f.schedule
	}
}

func (f *softmax[T, L]) compute(_, lo, hi int) float64 {
	o := f.out
	sum := kernel.Softmax(&f.p, sub(o.Loss, lo, hi), o.Grad, o.Hess, f.in.Logits, f.in.Labels[lo:hi], sub(f.in.Weights, lo, hi), lo)
	if f.floor > 0 && o.Hess != nil {
		f.floorPositions(lo, hi)
	}
	return sum
}

// floorPositions raises the Hessian of the logits of every counted
// position in [lo, hi) to at least the floor.
func (f *softmax[T, L]) floorPositions(lo, hi int) {
	C, in := f.p.Classes, f.p.Inner
	for j := lo; j < hi; j++ {
		if v := int64(f.in.Labels[j]); (f.p.HasIgnore && v == f.p.Ignore) || (f.in.Weights != nil && f.in.Weights[j] == 0) {
			continue
		}
		base := (j/in)*C*in + j%in
		for c := range C {
			f.out.Hess[base+c*in] = T(max(float64(f.out.Hess[base+c*in]), f.floor))
		}
	}
}

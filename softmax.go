package focal

import (
	"fmt"
	"math"

	"github.com/focalgo/focal/internal/kernel"
)

// DefaultIgnoreIndex is PyTorch's ignore_index default.
const DefaultIgnoreIndex = -100

// Softmax holds the parameters of the softmax (multi-class) focal loss
//
//	FL = −Σ_c α_c q_c (1 − p_c)^γ log p_c,  p = softmax(x) over the class axis,
//	q = (1 − ε)·onehot(y) + ε/C,
//
// which for ε = 0 is −α_y (1 − p_y)^γ log p_y. With ε > 0 it is Keras'
// CategoricalFocalCrossentropy with label_smoothing (the focusing factor is
// applied to every class term).
type Softmax struct {
	// Alpha weights the classes: nil for none (α_c = 1), one value for a
	// scalar α, or C values, one per class. Values must be finite and ≥ 0
	// (class weights need not sum to anything).
	Alpha []float64
	// Gamma is the focusing parameter γ ≥ 0; γ = 0 is cross-entropy.
	Gamma float64
	// LabelSmoothing is ε ∈ [0, 1).
	LabelSmoothing float64
	// IgnoreIndex is a label value outside [0, C) whose positions are
	// excluded from the loss, the counts and the gradient, like PyTorch's
	// ignore_index (−100 there, or 255 in segmentation). A value inside
	// [0, C), including the zero value, sets no ignore index: give a class
	// weight 0 to drop it instead.
	IgnoreIndex int
	// Background is the class that Positives does not count (detection
	// heads with a background class, torchvision's convention: class 0).
	Background int
	// Reduction combines the per-position losses: Mean divides by the number
	// of non-ignored labels, Positives by max(1, labels ≠ Background).
	Reduction Reduction
	// ClipHessian clips the Hessian diagonal at 0.
	ClipHessian bool
	// Normalizer, when positive, replaces the reduction's divisor in the
	// gradient and Hessian (data-parallel training; see Sigmoid).
	Normalizer float64
}

// DefaultSoftmax is γ = 2, no α, PyTorch's ignore index −100, mean reduction.
var DefaultSoftmax = Softmax{Gamma: 2, IgnoreIndex: DefaultIgnoreIndex, Reduction: Mean}

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
	if s.Reduction < None || s.Reduction > Positives {
		return fmt.Errorf("%w: %v", ErrReduction, s.Reduction)
	}
	if !(s.Normalizer >= 0) || math.IsInf(s.Normalizer, 1) {
		return fmt.Errorf("%w: normalizer = %v (want finite ≥ 0)", ErrNormalizer, s.Normalizer)
	}
	return nil
}

// SoftmaxFocal computes the softmax focal loss of logits x laid out as lay
// against integer labels (one per position, len = lay.Labels()) in one fused
// pass. out.Loss, if non-nil, has one loss per position (0 where ignored);
// out.Grad and out.Hess, if non-nil, are as long as x and laid out like it.
// Nothing is copied or transposed.
//
// Bad arguments (a layout that does not match len(x), a label outside
// [0, C) that is not the ignore index, bad parameters) return an error
// wrapping ErrLayout, ErrLength, ErrLabel, ErrAlpha, ErrGamma, ErrSmoothing,
// ErrReduction or ErrNormalizer, and nothing is written.
//
// Special cases are:
//
//	a NaN logit makes its position's loss, gradient and Hessian NaN
//	every finite logit gives a finite gradient and Hessian for every γ ≥ 0;
//	a loss larger than the largest finite value of T saturates to it
func SoftmaxFocal[T Float, L Int](s Softmax, out Outputs[T], lay Layout, x []T, labels []L) (Total, error) {
	return SoftmaxFocalWeighted(s, out, lay, x, labels, nil)
}

// SoftmaxFocalWeighted is SoftmaxFocal with one weight per position (w nil:
// all 1; finite and ≥ 0).
func SoftmaxFocalWeighted[T Float, L Int](s Softmax, out Outputs[T], lay Layout, x []T, labels []L, w []T) (Total, error) {
	if lay.Outer < 0 || lay.Classes < 1 || lay.Inner < 1 {
		return Total{}, fmt.Errorf("%w: %+v (want Outer ≥ 0, Classes ≥ 1, Inner ≥ 1)", ErrLayout, lay)
	}
	if lay.Outer*lay.Classes*lay.Inner != len(x) {
		return Total{}, fmt.Errorf("%w: %d×%d×%d does not match %d logits", ErrLayout, lay.Outer, lay.Classes, lay.Inner, len(x))
	}
	if err := s.validate(lay.Classes); err != nil {
		return Total{}, err
	}
	t, hasIgnore, ign, err := checkLabels(lay, x, labels, w, out, s.IgnoreIndex, s.Background)
	if err != nil {
		return Total{}, err
	}
	C := lay.Classes
	j := getJob[softmaxJob[T, L]]()
	defer putJob(j)
	j.x, j.labels, j.w, j.out = x, labels, w, out
	defer j.clear()
	j.p = kernel.SoftmaxParams{
		Classes: C, Inner: lay.Inner, Alpha: s.Alpha, Gamma: s.Gamma, Smooth: s.LabelSmoothing,
		Scale: scale(s.Reduction, s.Normalizer, t), ClipHess: s.ClipHessian, HasIgnore: hasIgnore, Ignore: ign,
	}
	// Chunks are ranges of label positions; each writes its own positions'
	// logits only, so chunks never share a destination element.
	j.size, j.chunks = chunking(lay.Labels(), C)
	j.run()
	t.Sum = j.sumPartials()
	return t, nil
}

type softmaxJob[T Float, L Int] struct {
	job
	size   int
	p      kernel.SoftmaxParams
	x, w   []T
	labels []L
	out    Outputs[T]
}

func (j *softmaxJob[T, L]) init() { j.fn = j.chunk }

func (j *softmaxJob[T, L]) clear() {
	j.x, j.w, j.labels, j.out = nil, nil, nil, Outputs[T]{}
	j.p.Alpha = nil
}

func (j *softmaxJob[T, L]) chunk(c int) {
	lo := c * j.size
	hi := min(lo+j.size, len(j.labels))
	o := j.out
	j.partial[c] = kernel.Softmax(&j.p, sub(o.Loss, lo, hi), o.Grad, o.Hess, j.x, j.labels[lo:hi], sub(j.w, lo, hi), lo)
}

// checkLabels checks the lengths of a softmax pass's labels, weights and
// outputs against lay, and every label and weight; it returns the counts
// and the ignore index in force (one outside [0, C)).
func checkLabels[T Float, L Int](lay Layout, x []T, labels []L, w []T, out Outputs[T], ignoreIndex, background int) (t Total, hasIgnore bool, ign int64, err error) {
	npos := lay.Labels()
	if len(labels) != npos {
		return Total{}, false, 0, fmt.Errorf("%w: %d labels, want %d for layout %d×%d×%d", ErrLength, len(labels), npos, lay.Outer, lay.Classes, lay.Inner)
	}
	if w != nil && len(w) != npos {
		return Total{}, false, 0, fmt.Errorf("%w: %d weights, want one per label (%d)", ErrLength, len(w), npos)
	}
	if out.Loss != nil && len(out.Loss) != npos {
		return Total{}, false, 0, fmt.Errorf("%w: Outputs.Loss has length %d, want %d (one per label)", ErrLength, len(out.Loss), npos)
	}
	if err := checkOut(Outputs[T]{Grad: out.Grad, Hess: out.Hess}, len(x), "one per logit"); err != nil {
		return Total{}, false, 0, err
	}
	C := lay.Classes
	ign = int64(ignoreIndex)
	hasIgnore = ign < 0 || ign >= int64(C)
	for j, l := range labels {
		v := int64(l)
		if hasIgnore && v == ign {
			continue
		}
		if v < 0 || v >= int64(C) {
			msg := ""
			if hasIgnore {
				msg = fmt.Sprintf(" or the ignore index %d", ign)
			}
			return Total{}, false, 0, fmt.Errorf("%w: labels[%d] = %d (want 0 ≤ label < %d%s)", ErrLabel, j, v, C, msg)
		}
		if w != nil && !(w[j] >= 0 && float64(w[j]) <= math.MaxFloat64) {
			return Total{}, false, 0, fmt.Errorf("%w: weights[%d] = %v (want finite ≥ 0)", ErrWeight, j, w[j])
		}
		t.Count++
		if v != int64(background) {
			t.Positives++
		}
	}
	return t, hasIgnore, ign, nil
}

package focalloss

import (
	"math"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
	. "github.com/gomlx/gomlx/core/graph"
)

// SigmoidFocalLoss returns the sigmoid focal loss of Lin et al. (2017), eq. 5,
//
//	FL = −αₜ (1 − pₜ)^γ log pₜ,  p = σ(x),  pₜ = y·p + (1 − y)(1 − p),  αₜ = y·α + (1 − y)(1 − α),
//
// of logits against targets y ∈ [0, 1] (soft targets allowed, as in
// torchvision), reduced per o.Reduction (see the package documentation:
// None returns the per-element losses with the shape of logits, the others a
// scalar). targets may have any numeric or bool dtype and the shape of
// logits, or another shape of the same size. The result has logits' dtype.
//
// It equals focal.Loss(s, o, …) in value and, under autodiff, in
// gradient. Bad parameters panic with an error wrapping the core package's
// sentinel (focal.ErrAlpha, focal.ErrGamma, …).
//
// Special cases are:
//
//	SigmoidFocalLoss(NaN logit) = NaN
//	SigmoidFocalLoss(±Inf logit) = the limits (0 or +Inf), as the core
//	every finite logit gives a finite loss and gradient, for every γ ≥ 0
func SigmoidFocalLoss(logits, targets *graph.Node, s focal.Sigmoid, o focal.Options) *graph.Node {
	return SigmoidFocalLossWeighted(logits, targets, nil, nil, s, o)
}

// SigmoidFocalLossWeighted is SigmoidFocalLoss with per-element weights and
// a mask, either of which may be nil. weights are floats ≥ 0 (each element's
// loss is multiplied by its weight; the divisor of Mean is not); mask is
// bool, true for the elements to use, GoMLX's convention (the complement of
// the core package's ignore mask): masked elements add nothing to the loss,
// the counts and the gradient, whatever their logits and targets. Both have
// the shape of logits or a prefix of it (per-example weights over [N, …]
// logits), and are broadcast over the remaining axes.
//
// It equals focal.Loss(s, o, …) with Input{Weights: w, Ignore: ¬mask}.
func SigmoidFocalLossWeighted(logits, targets, weights, mask *graph.Node, s focal.Sigmoid, o focal.Options) *graph.Node {
	return FamilyLossWeighted(logits, targets, weights, mask, s, o)
}

// elementwise is the driver of the losses of one logit and its target: it
// checks shapes, converts to the working dtype, applies the mask (replacing
// masked logits and targets by 0 first) and the weights to the per-element
// losses elems(x, y), counts, and reduces as focal.Total does (positives:
// targets y > 0).
func elementwise(logits, targets, weights, mask *Node, o focal.Options, elems func(x, y *Node) *Node) *Node {
	dims := logits.Shape().Dimensions
	x := toWork(logits, "logits")
	if targets.Shape().Size() != logits.Shape().Size() {
		panicf("%w: targets have shape %s, logits %s", focal.ErrLength, targets.Shape(), logits.Shape())
	}
	y := ConvertDType(targets, work)
	if y.Rank() != x.Rank() || !y.Shape().EqualDimensions(x.Shape()) {
		y = Reshape(y, dims...)
	}
	w, m := masked(dims, weights, mask)
	if m != nil {
		// Masked elements may hold anything (padding, NaN): replace them by
		// harmless values so that no NaN reaches the gradient through 0·NaN.
		x = Where(m, x, ZerosLike(x))
		y = Where(m, y, ZerosLike(y))
	}
	l := elems(x, y)
	if w != nil {
		l = Mul(l, w)
	}
	pos := GreaterThan(y, ZerosLike(y))
	var count *Node
	if m != nil {
		l = Where(m, l, ZerosLike(l))
		pos = LogicalAnd(pos, m)
		count = countTrue(m)
	} else {
		count = Scalar(x.Graph(), work, float64(logits.Shape().Size()))
	}
	return fromWork(reduce(l, count, countTrue(pos), o), logits.DType(), o.Reduction == focal.None)
}

// maxIntGamma is the largest integer γ computed by repeated multiplication
// rather than in log space, as in the core kernel.
const maxIntGamma = 8

// intGamma reports whether γ is a small positive integer.
func intGamma(g float64) (int, bool) {
	if g >= 1 && g <= maxIntGamma && g == math.Trunc(g) {
		return int(g), true
	}
	return 0, false
}

// sigmoidElems returns the unweighted per-element losses αₜ m^γ ce, with
// m = 1 − pₜ and ce = −log pₜ, in the form of the core's kernel.SigmoidElem.
func sigmoidElems(sp *sigParts, m focal.Member) *Node {
	s := m.(focal.Sigmoid)
	return mulOpt(sp.AlphaT(s.Alpha), sp.Focus(s.Gamma), sp.CE())
}

func init() { register(focal.KindFocal, sigmoidElems) }

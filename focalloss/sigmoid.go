package focalloss

import (
	"math"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// Sigmoid returns the sigmoid focal loss of Lin et al. (2017), eq. 5,
//
//	FL = −αₜ (1 − pₜ)^γ log pₜ,  p = σ(x),  pₜ = y·p + (1 − y)(1 − p),  αₜ = y·α + (1 − y)(1 − α),
//
// of logits against targets y ∈ [0, 1] (soft targets allowed, as in
// torchvision), reduced per o.Reduction (see the package documentation:
// None returns the per-element losses with the shape of logits, the others a
// scalar). targets may have any numeric or bool dtype and the shape of
// logits, or another shape of the same size. The result has logits' dtype.
// opts may add Weights, a Mask, ClassWeights (along ClassAxis) and a
// Normalizer.
//
// It equals focal.Loss(s, o, …) in value and, under autodiff, in
// gradient. Bad parameters panic with an error wrapping the core package's
// sentinel (focal.ErrAlpha, focal.ErrGamma, …).
//
// Special cases are:
//
//	Sigmoid(NaN logit) = NaN
//	Sigmoid(±Inf logit) = the limits (0 or +Inf), as the core
//	every finite logit gives a finite loss and gradient, for every γ ≥ 0
func Sigmoid(logits, targets *graph.Node, s focal.Sigmoid, o focal.Options, opts ...Option) *graph.Node {
	return Family(logits, targets, s, o, opts...)
}

// elementwise is the driver of the losses of one logit and its target: it
// checks shapes, converts to the working dtype, applies the mask (replacing
// masked logits and targets by 0 first), the weights and the class weights
// to the per-element losses elems(x, y), counts, and reduces as
// focal.Total does (positives: targets y > 0).
func elementwise(logits, targets *graph.Node, o focal.Options, c *config, elems func(x, y *graph.Node) *graph.Node) *graph.Node {
	dims := logits.Shape().Dimensions
	x := toWork(logits, "logits")
	if targets.Shape().Size() != logits.Shape().Size() {
		panicf("%w: targets have shape %s, logits %s", focal.ErrLength, targets.Shape(), logits.Shape())
	}
	y := graph.ConvertDType(targets, work)
	if y.Rank() != x.Rank() || !y.Shape().EqualDimensions(x.Shape()) {
		y = graph.Reshape(y, dims...)
	}
	w, m := masked(dims, c.weights, c.mask)
	if m != nil {
		// Masked elements may hold anything (padding, NaN): replace them by
		// harmless values so that no NaN reaches the gradient through 0·NaN.
		x = graph.Where(m, x, graph.ZerosLike(x))
		y = graph.Where(m, y, graph.ZerosLike(y))
	}
	l := elems(x, y)
	if c.classWeights != nil {
		l = graph.Mul(l, c.classWeightsFor(x.Graph(), dims, c.axis(logits)))
	}
	if w != nil {
		l = graph.Mul(l, w)
	}
	return reduceUsed(l, m, graph.GreaterThan(y, graph.ZerosLike(y)), o, c, logits.DType())
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
func sigmoidElems(sp *sigParts, m focal.Member) *graph.Node {
	s := m.(focal.Sigmoid)
	return mulOpt(sp.AlphaT(s.Alpha), sp.Focus(s.Gamma), sp.CE())
}

func init() { register(focal.KindFocal, sigmoidElems) }

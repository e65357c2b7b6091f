package focalloss

import (
	"fmt"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/train/loss"
)

// FamilyLoss returns the loss of focal-family member m (focal.Sigmoid,
// focal.Poly1, focal.Asymmetric, focal.Quality, focal.Varifocal,
// focal.FLStar, focal.Scheduled, focal.Reduced or focal.Gaussian; the
// package focal documents each formula and its source) of logits against
// targets, with the conventions of SigmoidFocalLoss: reduced per
// o.Reduction (None: per-element losses with the shape of logits), a
// positive o.Normalizer replacing the divisor of Mean and Positives,
// positives being the targets y > 0.
//
// It equals focal.Loss(m, o, …) in value and, under autodiff, in gradient —
// including where the member's reference detaches a factor from autograd
// (Asymmetric with DetachWeight, Scheduled's γ(pₜ)), which is built under
// StopGradient here. The graph does not check targets: FL* and Asymmetric
// want y ∈ {0, 1}, which the core enforces.
func FamilyLoss(logits, targets *graph.Node, m focal.Member, o focal.Options) *graph.Node {
	return FamilyLossWeighted(logits, targets, nil, nil, m, o)
}

// FamilyLossWeighted is FamilyLoss with per-element weights and a mask
// (true = use), either of which may be nil, as in SigmoidFocalLossWeighted.
func FamilyLossWeighted(logits, targets, weights, mask *graph.Node, m focal.Member, o focal.Options) *graph.Node {
	elems, err := graphOf(m, o)
	if err != nil {
		panicf("%w", err)
	}
	return elementwise(logits, targets, weights, mask, o, func(x, y *Node) *Node { return elems(newSigParts(x, y), m) })
}

// Family returns member m as a GoMLX loss function, with the conventions of
// SigmoidFocal (labels[0] targets, optional weights and bool mask in
// labels[1:]). Bad parameters return an error wrapping the core package's
// sentinel.
func Family(m focal.Member, o focal.Options) (loss.LossFn, error) {
	if _, err := graphOf(m, o); err != nil {
		return nil, err
	}
	return func(labels, predictions []*Node) *Node {
		w, mk := splitExtras(labels[1:])
		return FamilyLossWeighted(predictions[0], labels[0], w, mk, m, o)
	}, nil
}

// graphs holds the element-wise graph of each member kind; the file of
// each member's graph registers it.
var graphs = map[focal.Kind]func(s *sigParts, m focal.Member) *Node{}

// register sets the graph of the unweighted per-element losses of kind k.
// The function receives the member as registered under k.
func register(k focal.Kind, elems func(s *sigParts, m focal.Member) *Node) { graphs[k] = elems }

// graphOf validates m and o through the core package and returns m's graph.
func graphOf(m focal.Member, o focal.Options) (func(s *sigParts, m focal.Member) *Node, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: nil focal family member", focal.ErrParam)
	}
	if _, err := focal.Loss(m, o, focal.Outputs[float64]{}, focal.Input[float64]{}); err != nil {
		return nil, err
	}
	elems, ok := graphs[m.Kind()]
	if !ok {
		return nil, fmt.Errorf("%w: focal family member %s has no graph form", focal.ErrParam, m.Kind())
	}
	return elems, nil
}

// guardedPow returns a^g = exp(g log a) for a ≥ 0, and 0 where a is below
// the smallest normal float64: there 1/a, the derivative of log a, would
// overflow and meet a zero as Inf·0 = NaN; a^g's limit is 0 (g > 0).
func guardedPow(a *Node, g float64) *Node {
	ok := GreaterThan(a, Scalar(a.Graph(), work, smallestNormal))
	safe := Where(ok, a, OnesLike(a))
	return Where(ok, Exp(MulScalar(Log(safe), g)), ZerosLike(a))
}

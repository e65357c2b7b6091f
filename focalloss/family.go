package focalloss

import (
	"fmt"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// Family returns the loss of focal-family member m (focal.Sigmoid,
// focal.Poly1, focal.Asymmetric, focal.Quality, focal.Varifocal,
// focal.FLStar, focal.Scheduled, focal.Reduced or focal.Gaussian; the
// package focal documents each formula and its source) of logits against
// targets, with the conventions of Sigmoid: reduced per o.Reduction (None:
// per-element losses with the shape of logits), a positive o.Normalizer or
// a Normalizer option replacing the divisor of Mean and Positives,
// positives being the targets y > 0.
//
// It equals focal.Loss(m, o, …) in value and, under autodiff, in gradient —
// including where the member's reference detaches a factor from autograd
// (Asymmetric with DetachWeight, Scheduled's γ(pₜ)), which is built under
// StopGradient here. The graph does not check targets: FL* and Asymmetric
// want y ∈ {0, 1}, which the core enforces.
func Family(logits, targets *graph.Node, m focal.Member, o focal.Options, opts ...Option) *graph.Node {
	c := mustConfig(opts)
	elems, err := graphOf(m, o, c)
	if err != nil {
		panicf("%w", err)
	}
	return elementwise(logits, targets, o, c, func(x, y *graph.Node) *graph.Node { return elems(newSigParts(x, y), m) })
}

// graphs holds the element-wise graph of each member kind; the file of
// each member's graph registers it.
var graphs = map[focal.Kind]func(s *sigParts, m focal.Member) *graph.Node{}

// register sets the graph of the unweighted per-element losses of kind k.
// The function receives the member as registered under k.
func register(k focal.Kind, elems func(s *sigParts, m focal.Member) *graph.Node) { graphs[k] = elems }

// graphOf validates m, o and the options through the core package and
// returns m's graph.
func graphOf(m focal.Member, o focal.Options, c *config) (func(s *sigParts, m focal.Member) *graph.Node, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: nil focal family member", focal.ErrParam)
	}
	if _, err := focal.Loss(m, o, focal.Outputs[float64]{}, focal.Input[float64]{}); err != nil {
		return nil, err
	}
	if err := checkOptions(o, c); err != nil {
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
func guardedPow(a *graph.Node, g float64) *graph.Node {
	ok := graph.GreaterThan(a, graph.Scalar(a.Graph(), work, smallestNormal))
	safe := graph.Where(ok, a, graph.OnesLike(a))
	return graph.Where(ok, graph.Exp(graph.MulScalar(graph.Log(safe), g)), graph.ZerosLike(a))
}

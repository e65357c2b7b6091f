package focalloss

import (
	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// aslElems is the asymmetric loss: (1 − p)^γ₊ softplus(−x) for y = 1, and
// p_m^γ₋ (−log(1 − p_m)), p_m = max(p − m, 0), for y = 0; with
// DetachWeight the focusing weights are constants for autodiff, as in the
// reference's disable_torch_grad_focal_loss.
func aslElems(s *sigParts, m focal.Member) *graph.Node {
	a := m.(focal.Asymmetric)
	detach := func(w *graph.Node) *graph.Node {
		if w != nil && a.DetachWeight {
			return graph.StopGradient(w)
		}
		return w
	}
	pos := mulOpt(detach(pow(a.GammaPos, func() *graph.Node { return s.q }, func() *graph.Node { return graph.Neg(s.spPos) })), s.spNeg)
	var neg *graph.Node
	if a.Margin == 0 {
		w := pow(a.GammaNeg, func() *graph.Node { return s.p }, func() *graph.Node { return graph.Neg(s.spNeg) })
		neg = mulOpt(detach(w), s.spPos)
	} else {
		// p_m = p − m > 0: −log(1 − p_m) = −log(q + m), no cancellation; the
		// loss and its gradient are 0 where p ≤ m (a tie p = m included).
		d := graph.AddScalar(s.p, -a.Margin)
		on := graph.GreaterThan(d, graph.ZerosLike(d))
		dOn := graph.Where(on, d, graph.ZerosLike(d))
		c := graph.Neg(graph.Log(graph.AddScalar(s.q, a.Margin)))
		var w *graph.Node
		if k, ok := intGamma(a.GammaNeg); ok {
			w = pow(float64(k), func() *graph.Node { return dOn }, nil)
		} else if a.GammaNeg > 0 {
			w = guardedPow(dOn, a.GammaNeg)
		}
		neg = graph.Where(on, mulOpt(detach(w), c), graph.ZerosLike(d))
	}
	return graph.Where(s.isOne, pos, neg)
}

func init() { register(focal.KindASL, aslElems) }

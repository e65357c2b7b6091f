package focalloss

import (
	"github.com/focalgo/focal"
	. "github.com/gomlx/gomlx/core/graph"
)

// aslElems is the asymmetric loss: (1 − p)^γ₊ softplus(−x) for y = 1, and
// p_m^γ₋ (−log(1 − p_m)), p_m = max(p − m, 0), for y = 0; with
// DetachWeight the focusing weights are constants for autodiff, as in the
// reference's disable_torch_grad_focal_loss.
func aslElems(s *sigParts, m focal.Member) *Node {
	a := m.(focal.Asymmetric)
	detach := func(w *Node) *Node {
		if w != nil && a.DetachWeight {
			return StopGradient(w)
		}
		return w
	}
	pos := mulOpt(detach(pow(a.GammaPos, func() *Node { return s.q }, func() *Node { return Neg(s.spPos) })), s.spNeg)
	var neg *Node
	if a.Margin == 0 {
		w := pow(a.GammaNeg, func() *Node { return s.p }, func() *Node { return Neg(s.spNeg) })
		neg = mulOpt(detach(w), s.spPos)
	} else {
		// p_m = p − m > 0: −log(1 − p_m) = −log(q + m), no cancellation; the
		// loss and its gradient are 0 where p ≤ m (a tie p = m included).
		d := AddScalar(s.p, -a.Margin)
		on := GreaterThan(d, ZerosLike(d))
		dOn := Where(on, d, ZerosLike(d))
		c := Neg(Log(AddScalar(s.q, a.Margin)))
		var w *Node
		if k, ok := intGamma(a.GammaNeg); ok {
			w = pow(float64(k), func() *Node { return dOn }, nil)
		} else if a.GammaNeg > 0 {
			w = guardedPow(dOn, a.GammaNeg)
		}
		neg = Where(on, mulOpt(detach(w), c), ZerosLike(d))
	}
	return Where(s.isOne, pos, neg)
}

func init() { register(focal.KindASL, aslElems) }

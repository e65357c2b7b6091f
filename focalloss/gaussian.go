package focalloss

import (
	"github.com/focalgo/focal"
	. "github.com/gomlx/gomlx/core/graph"
)

// gaussianElems is the Gaussian focal loss of heatmaps: (1 − p)^γ
// softplus(−x) where y = 1, and (1 − y)^β p^γ softplus(x) elsewhere.
func gaussianElems(s *sigParts, m focal.Member) *Node {
	gs := m.(focal.Gaussian)
	pos := mulOpt(pow(gs.Gamma, func() *Node { return s.q }, func() *Node { return Neg(s.spPos) }), s.spNeg)
	oneMinusY := OneMinus(s.y)
	penalty := pow(gs.Beta, func() *Node { return oneMinusY }, func() *Node { return Log1p(Neg(s.y)) })
	neg := mulOpt(penalty, pow(gs.Gamma, func() *Node { return s.p }, func() *Node { return Neg(s.spNeg) }), s.spPos)
	return Where(s.isOne, pos, neg)
}

func init() { register(focal.KindGaussian, gaussianElems) }

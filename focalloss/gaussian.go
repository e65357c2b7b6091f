package focalloss

import (
	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// gaussianElems is the Gaussian focal loss of heatmaps: (1 − p)^γ
// softplus(−x) where y = 1, and (1 − y)^β p^γ softplus(x) elsewhere.
func gaussianElems(s *sigParts, m focal.Member) *graph.Node {
	gs := m.(focal.Gaussian)
	pos := mulOpt(pow(gs.Gamma, func() *graph.Node { return s.q }, func() *graph.Node { return graph.Neg(s.spPos) }), s.spNeg)
	oneMinusY := graph.OneMinus(s.y)
	penalty := pow(gs.Beta, func() *graph.Node { return oneMinusY }, func() *graph.Node { return graph.Log1p(graph.Neg(s.y)) })
	neg := mulOpt(penalty, pow(gs.Gamma, func() *graph.Node { return s.p }, func() *graph.Node { return graph.Neg(s.spNeg) }), s.spPos)
	return graph.Where(s.isOne, pos, neg)
}

func init() { register(focal.KindGaussian, gaussianElems) }

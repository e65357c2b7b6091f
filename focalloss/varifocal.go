package focalloss

import (
	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// varifocalElems is varifocal loss: q·ce (or ce) for targets q > 0, and
// α σ^γ softplus(x) for q = 0, the weight differentiated as in mmdet.
func varifocalElems(s *sigParts, m focal.Member) *graph.Node {
	v := m.(focal.Varifocal)
	pos := s.CE()
	if v.IoUWeighted {
		pos = graph.Mul(s.y, pos)
	}
	w := pow(v.Gamma, func() *graph.Node { return s.p }, func() *graph.Node { return graph.Neg(s.spNeg) })
	a := v.Alpha
	if a == 0 { // no weighting
		a = 1
	}
	neg := graph.MulScalar(mulOpt(w, s.spPos), a)
	return graph.Where(graph.GreaterThan(s.y, graph.ZerosLike(s.y)), pos, neg)
}

func init() { register(focal.KindVarifocal, varifocalElems) }

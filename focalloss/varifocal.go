package focalloss

import (
	"github.com/focalgo/focal"
	. "github.com/gomlx/gomlx/core/graph"
)

// varifocalElems is varifocal loss: q·ce (or ce) for targets q > 0, and
// α σ^γ softplus(x) for q = 0, the weight differentiated as in mmdet.
func varifocalElems(s *sigParts, m focal.Member) *Node {
	v := m.(focal.Varifocal)
	pos := s.CE()
	if v.IoUWeighted {
		pos = Mul(s.y, pos)
	}
	w := pow(v.Gamma, func() *Node { return s.p }, func() *Node { return Neg(s.spNeg) })
	a := v.Alpha
	if a == 0 { // no weighting
		a = 1
	}
	neg := MulScalar(mulOpt(w, s.spPos), a)
	return Where(GreaterThan(s.y, ZerosLike(s.y)), pos, neg)
}

func init() { register(focal.KindVarifocal, varifocalElems) }

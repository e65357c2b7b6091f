package focalloss

import (
	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// poly1Elems is Poly-1 focal loss, αₜ m^γ ce + ε m^{γ+1}.
func poly1Elems(s *sigParts, m focal.Member) *graph.Node {
	p := m.(focal.Poly1)
	l := mulOpt(s.AlphaT(p.Alpha), s.Focus(p.Gamma), s.CE())
	if p.Epsilon == 0 {
		return l
	}
	return graph.Add(l, graph.MulScalar(s.Focus(p.Gamma+1), p.Epsilon))
}

func init() { register(focal.KindPoly1, poly1Elems) }

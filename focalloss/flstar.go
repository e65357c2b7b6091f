package focalloss

import (
	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// flStarElems is FL*, αₜ softplus(−z)/γ with z = γ xₜ + β, xₜ = (2y − 1)x.
func flStarElems(s *sigParts, m focal.Member) *graph.Node {
	f := m.(focal.FLStar)
	x, y := s.x, s.y
	gm := f.Gamma
	if gm == 0 { // read as 1
		gm = 1
	}
	xt := graph.Mul(graph.AddScalar(graph.MulScalar(y, 2), -1), x)
	z := graph.AddScalar(graph.MulScalar(xt, gm), f.Beta)
	l := graph.MulScalar(softplus(graph.Neg(z)), 1/gm)
	if f.Alpha != 0 {
		l = graph.Mul(graph.AddScalar(graph.MulScalar(y, 2*f.Alpha-1), 1-f.Alpha), l)
	}
	return l
}

func init() { register(focal.KindFLStar, flStarElems) }

package focalloss

import (
	"math"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// reducedElems is reduced focal loss: αₜ ce where pₜ < th, else
// αₜ ((1 − pₜ)/th)^γ ce = αₜ exp(γ(log m − log th)) ce.
func reducedElems(s *sigParts, m focal.Member) *graph.Node {
	r := m.(focal.Reduced)
	ce := mulOpt(s.AlphaT(r.Alpha), s.CE())
	if r.Gamma == 0 { // f = 1 on both sides
		return ce
	}
	th := r.Threshold
	if th == 0 { // read as 1
		th = 1
	}
	f := graph.Exp(graph.MulScalar(graph.AddScalar(s.LogM(), -math.Log(th)), r.Gamma))
	hard := graph.LessThan(graph.OneMinus(s.M()), graph.Scalar(s.x.Graph(), work, th))
	return graph.Where(hard, ce, graph.Mul(f, ce))
}

func init() { register(focal.KindReduced, reducedElems) }

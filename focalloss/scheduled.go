package focalloss

import (
	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// scheduledElems is focal loss with γ = γ(pₜ) per element, γ a constant for
// autodiff (piecewise constant; the reference picks it outside autograd):
// αₜ exp(γ(pₜ) log m) ce.
func scheduledElems(s *sigParts, m focal.Member) *graph.Node {
	sc := m.(focal.Scheduled)
	pt := graph.StopGradient(graph.OneMinus(s.M()))
	g := s.x.Graph()
	gm := graph.Scalar(g, work, sc.Schedule.Else)
	for i := len(sc.Schedule.Below) - 1; i >= 0; i-- {
		below := graph.LessThan(pt, graph.Scalar(g, work, sc.Schedule.Below[i]))
		gm = graph.Where(below, graph.Scalar(g, work, sc.Schedule.Gammas[i]), graph.BroadcastToDims(gm, pt.Shape().Dimensions...))
	}
	if gm.IsScalar() {
		gm = graph.BroadcastToDims(gm, pt.Shape().Dimensions...)
	}
	w := graph.Exp(graph.Mul(gm, s.LogM()))
	return mulOpt(s.AlphaT(sc.Alpha), w, s.CE())
}

func init() { register(focal.KindFLSD, scheduledElems) }

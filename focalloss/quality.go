package focalloss

import (
	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// qflElems is quality focal loss, |y − σ|^β ce: focal loss with γ = β for
// hard targets; for soft ones y − σ is formed from whichever of p and 1 − p
// is exact, and the factor is exp(β log|y − σ|), set to 0 at σ = y exactly
// (the loss's minimum, where the core takes gradient 0), or a product of
// y − σ for even integer β.
func qflElems(s *sigParts, m focal.Member) *graph.Node {
	q := m.(focal.Quality)
	b := q.Beta
	hard := mulOpt(s.Focus(b), s.CE())
	if b == 0 {
		return hard
	}
	u := graph.Where(s.nonneg, graph.Sub(s.q, graph.OneMinus(s.ys)), graph.Sub(s.ys, s.p)) // y − σ
	var f *graph.Node
	if k, ok := intGamma(b); ok && k%2 == 0 {
		f = u
		for range k - 1 {
			f = graph.Mul(f, u)
		}
	} else {
		f = guardedPow(graph.Abs(u), b)
	}
	return graph.Where(s.hard, hard, graph.Mul(f, s.CE()))
}

func init() { register(focal.KindQFL, qflElems) }

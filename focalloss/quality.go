package focalloss

import (
	"github.com/focalgo/focal"
	. "github.com/gomlx/gomlx/core/graph"
)

// qflElems is quality focal loss, |y − σ|^β ce: focal loss with γ = β for
// hard targets; for soft ones y − σ is formed from whichever of p and 1 − p
// is exact, and the factor is exp(β log|y − σ|), set to 0 at σ = y exactly
// (the loss's minimum, where the core takes gradient 0), or a product of
// y − σ for even integer β.
func qflElems(s *sigParts, m focal.Member) *Node {
	q := m.(focal.Quality)
	b := q.Beta
	hard := mulOpt(s.Focus(b), s.CE())
	if b == 0 {
		return hard
	}
	u := Where(s.nonneg, Sub(s.q, OneMinus(s.ys)), Sub(s.ys, s.p)) // y − σ
	var f *Node
	if k, ok := intGamma(b); ok && k%2 == 0 {
		f = u
		for range k - 1 {
			f = Mul(f, u)
		}
	} else {
		f = guardedPow(Abs(u), b)
	}
	return Where(s.hard, hard, Mul(f, s.CE()))
}

func init() { register(focal.KindQFL, qflElems) }

package focalloss

import (
	"github.com/gomlx/gomlx/core/graph"
)

// sigParts are the quantities of working-dtype logits x and targets y that
// every sigmoid loss is built from, each without cancellation, as the core's
// kernel computes them:
//
//	p = σ(x), q = 1 − p,  spPos = softplus(x) = −log q,  spNeg = softplus(−x) = −log p
//
// from one e^(−|x|) and one log1p. Targets are y; ys is y where it is soft
// and ½ where it is 0 or 1, for the soft-target branches: Where computes
// both of its sides, and ½ keeps their log y and log(1 − y) finite, so that
// a zero adjoint never meets an Inf there.
type sigParts struct {
	x, y, ys, p, q, spPos, spNeg, l1 *graph.Node
	nonneg, isOne, isZero, hard      *graph.Node
	ce, m, logm                      *graph.Node // built on first use
}

func newSigParts(x, y *graph.Node) *sigParts {
	s := &sigParts{x: x, y: y}
	zero := graph.ZerosLike(x)
	e := graph.Exp(graph.Neg(graph.Abs(x))) // ∂|x|/∂x = +1 at 0
	s.l1 = graph.Log1p(e)
	// GoMLX gives a Max tie's gradient to the first operand. At x = 0 the
	// log1p term has derivative −½ (from |x|'s +1), so max(x, 0) must take
	// the tie (+1) and max(0, −x) must not (0): softplus′(0) = ½ and
	// d softplus(−x)/dx = −½ at 0.
	s.spPos = graph.Add(graph.Max(x, zero), s.l1)
	s.spNeg = graph.Add(graph.Max(zero, graph.Neg(x)), s.l1)
	s.nonneg = graph.GreaterOrEqual(x, zero)  // the side |x| takes at 0
	inv := graph.Reciprocal(graph.OnePlus(e)) // 1/(1 + e^(−|x|))
	ei := graph.Mul(e, inv)
	s.p = graph.Where(s.nonneg, inv, ei)
	s.q = graph.Where(s.nonneg, ei, inv)
	s.isOne = graph.Equal(y, graph.OnesLike(y))
	s.isZero = graph.Equal(y, graph.ZerosLike(y))
	s.hard = graph.LogicalOr(s.isOne, s.isZero)
	s.ys = graph.Where(s.hard, graph.Scalar(x.Graph(), work, 0.5), y)
	return s
}

// CE returns the binary cross-entropy −y log p − (1 − y) log(1 − p):
// softplus(−x) or softplus(x) for hard targets; for soft ones
// softplus(x) − x·y with the large term kept whole, x(1 − y) + log1p(e^(−|x|))
// for x ≥ 0 and −x·y + log1p(e^(−|x|)) for x < 0.
func (s *sigParts) CE() *graph.Node {
	if s.ce == nil {
		soft := graph.Add(graph.Where(s.nonneg, graph.Mul(s.x, graph.OneMinus(s.ys)), graph.Neg(graph.Mul(s.x, s.ys))), s.l1)
		s.ce = graph.Where(s.isOne, s.spNeg, graph.Where(s.isZero, s.spPos, soft))
	}
	return s.ce
}

// M returns m = 1 − pₜ = y(1 − p) + (1 − y)p, exact for hard targets.
func (s *sigParts) M() *graph.Node {
	if s.m == nil {
		s.m = graph.Add(graph.Mul(s.y, s.q), graph.Mul(graph.OneMinus(s.y), s.p))
	}
	return s.m
}

// LogM returns log m: −softplus(x) or −softplus(−x) for hard targets, and
// for soft ones the log-sum-exp log(y·e^(−softplus(x)) + (1 − y)·e^(−softplus(−x))).
// Its derivative is bounded, unlike that of pow(m, γ), whose γ·m^(γ−1) is
// Inf where m underflows (0 < γ < 1 at saturated logits).
func (s *sigParts) LogM() *graph.Node {
	if s.logm == nil {
		a := graph.Sub(graph.Log(s.ys), s.spPos)
		b := graph.Sub(graph.Log1p(graph.Neg(s.ys)), s.spNeg)
		s.logm = graph.Where(s.isOne, graph.Neg(s.spPos), graph.Where(s.isZero, graph.Neg(s.spNeg), logAddExp(a, b)))
	}
	return s.logm
}

// AlphaT returns αₜ = y·α + (1 − y)(1 − α), or nil for α = 0 (none).
func (s *sigParts) AlphaT(alpha float64) *graph.Node {
	if alpha == 0 {
		return nil
	}
	return graph.AddScalar(graph.MulScalar(s.y, 2*alpha-1), 1-alpha)
}

// Focus returns the focusing factor m^γ (nil for γ = 0).
func (s *sigParts) Focus(g float64) *graph.Node { return pow(g, s.M, s.LogM) }

// pow returns base^g for a base in [0, 1]: by repeated multiplication for
// integer g ≤ 8 (as the core kernel), else exp(g·log base) from logBase,
// whose derivative g·base^g·∂log base is finite where that of log base is.
// Only the form used is built. g = 0 gives nil (a factor 1).
func pow(g float64, base, logBase func() *graph.Node) *graph.Node {
	if g == 0 {
		return nil
	}
	if k, ok := intGamma(g); ok {
		b := base()
		w := b
		for range k - 1 {
			w = graph.Mul(w, b)
		}
		return w
	}
	return graph.Exp(graph.MulScalar(logBase(), g))
}

// mulOpt returns the product of the non-nil factors (at least one).
func mulOpt(factors ...*graph.Node) *graph.Node {
	var r *graph.Node
	for _, f := range factors {
		switch {
		case f == nil:
		case r == nil:
			r = f
		default:
			r = graph.Mul(r, f)
		}
	}
	return r
}

// logAddExp returns log(eᵃ + eᵇ) = max(a, b) + log1p(e^(−|a − b|)) for
// finite or −Inf a, b (not both −Inf). At a tie, Max and |a − b| both give
// the first operand the +1 side, so ∂/∂a = 1 − ½ = ½, the exact value.
func logAddExp(a, b *graph.Node) *graph.Node {
	return graph.Add(graph.Max(a, b), graph.Log1p(graph.Exp(graph.Neg(graph.Abs(graph.Sub(a, b))))))
}

// softplus returns log(1 + eᵛ) = max(v, 0) + log1p(e^(−|v|)); with GoMLX's
// tie rules its derivative at v = 0 is 1 − ½ = ½, the exact value.
func softplus(v *graph.Node) *graph.Node {
	return graph.Add(graph.Max(v, graph.ZerosLike(v)), graph.Log1p(graph.Exp(graph.Neg(graph.Abs(v)))))
}

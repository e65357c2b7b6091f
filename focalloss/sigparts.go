package focalloss

import (
	. "github.com/gomlx/gomlx/core/graph"
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
	x, y, ys, p, q, spPos, spNeg, l1 *Node
	nonneg, isOne, isZero, hard      *Node
	ce, m, logm                      *Node // built on first use
}

func newSigParts(x, y *Node) *sigParts {
	s := &sigParts{x: x, y: y}
	zero := ZerosLike(x)
	e := Exp(Neg(Abs(x))) // ∂|x|/∂x = +1 at 0
	s.l1 = Log1p(e)
	// GoMLX gives a Max tie's gradient to the first operand. At x = 0 the
	// log1p term has derivative −½ (from |x|'s +1), so max(x, 0) must take
	// the tie (+1) and max(0, −x) must not (0): softplus′(0) = ½ and
	// d softplus(−x)/dx = −½ at 0.
	s.spPos = Add(Max(x, zero), s.l1)
	s.spNeg = Add(Max(zero, Neg(x)), s.l1)
	s.nonneg = GreaterOrEqual(x, zero) // the side |x| takes at 0
	inv := Reciprocal(OnePlus(e))      // 1/(1 + e^(−|x|))
	ei := Mul(e, inv)
	s.p = Where(s.nonneg, inv, ei)
	s.q = Where(s.nonneg, ei, inv)
	s.isOne = Equal(y, OnesLike(y))
	s.isZero = Equal(y, ZerosLike(y))
	s.hard = LogicalOr(s.isOne, s.isZero)
	s.ys = Where(s.hard, Scalar(x.Graph(), work, 0.5), y)
	return s
}

// CE returns the binary cross-entropy −y log p − (1 − y) log(1 − p):
// softplus(−x) or softplus(x) for hard targets; for soft ones
// softplus(x) − x·y with the large term kept whole, x(1 − y) + log1p(e^(−|x|))
// for x ≥ 0 and −x·y + log1p(e^(−|x|)) for x < 0.
func (s *sigParts) CE() *Node {
	if s.ce == nil {
		soft := Add(Where(s.nonneg, Mul(s.x, OneMinus(s.ys)), Neg(Mul(s.x, s.ys))), s.l1)
		s.ce = Where(s.isOne, s.spNeg, Where(s.isZero, s.spPos, soft))
	}
	return s.ce
}

// M returns m = 1 − pₜ = y(1 − p) + (1 − y)p, exact for hard targets.
func (s *sigParts) M() *Node {
	if s.m == nil {
		s.m = Add(Mul(s.y, s.q), Mul(OneMinus(s.y), s.p))
	}
	return s.m
}

// LogM returns log m: −softplus(x) or −softplus(−x) for hard targets, and
// for soft ones the log-sum-exp log(y·e^(−softplus(x)) + (1 − y)·e^(−softplus(−x))).
// Its derivative is bounded, unlike that of pow(m, γ), whose γ·m^(γ−1) is
// Inf where m underflows (0 < γ < 1 at saturated logits).
func (s *sigParts) LogM() *Node {
	if s.logm == nil {
		a := Sub(Log(s.ys), s.spPos)
		b := Sub(Log1p(Neg(s.ys)), s.spNeg)
		s.logm = Where(s.isOne, Neg(s.spPos), Where(s.isZero, Neg(s.spNeg), logAddExp(a, b)))
	}
	return s.logm
}

// AlphaT returns αₜ = y·α + (1 − y)(1 − α), or nil for α = 0 (none).
func (s *sigParts) AlphaT(alpha float64) *Node {
	if alpha == 0 {
		return nil
	}
	return AddScalar(MulScalar(s.y, 2*alpha-1), 1-alpha)
}

// Focus returns the focusing factor m^γ (nil for γ = 0).
func (s *sigParts) Focus(g float64) *Node { return pow(g, s.M, s.LogM) }

// pow returns base^g for a base in [0, 1]: by repeated multiplication for
// integer g ≤ 8 (as the core kernel), else exp(g·log base) from logBase,
// whose derivative g·base^g·∂log base is finite where that of log base is.
// Only the form used is built. g = 0 gives nil (a factor 1).
func pow(g float64, base, logBase func() *Node) *Node {
	if g == 0 {
		return nil
	}
	if k, ok := intGamma(g); ok {
		b := base()
		w := b
		for range k - 1 {
			w = Mul(w, b)
		}
		return w
	}
	return Exp(MulScalar(logBase(), g))
}

// mulOpt returns the product of the non-nil factors (at least one).
func mulOpt(factors ...*Node) *Node {
	var r *Node
	for _, f := range factors {
		switch {
		case f == nil:
		case r == nil:
			r = f
		default:
			r = Mul(r, f)
		}
	}
	return r
}

// logAddExp returns log(eᵃ + eᵇ) = max(a, b) + log1p(e^(−|a − b|)) for
// finite or −Inf a, b (not both −Inf). At a tie, Max and |a − b| both give
// the first operand the +1 side, so ∂/∂a = 1 − ½ = ½, the exact value.
func logAddExp(a, b *Node) *Node {
	return Add(Max(a, b), Log1p(Exp(Neg(Abs(Sub(a, b))))))
}

// softplus returns log(1 + eᵛ) = max(v, 0) + log1p(e^(−|v|)); with GoMLX's
// tie rules its derivative at v = 0 is 1 − ½ = ½, the exact value.
func softplus(v *Node) *Node {
	return Add(Max(v, ZerosLike(v)), Log1p(Exp(Neg(Abs(v)))))
}

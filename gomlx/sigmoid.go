package gomlx

import (
	"math"

	"github.com/focalgo/focal"
	. "github.com/gomlx/gomlx/core/graph"
)

// SigmoidFocalLoss returns the sigmoid focal loss of Lin et al. (2017), eq. 5,
//
//	FL = −αₜ (1 − pₜ)^γ log pₜ,  p = σ(x),  pₜ = y·p + (1 − y)(1 − p),  αₜ = y·α + (1 − y)(1 − α),
//
// of logits against targets y ∈ [0, 1] (soft targets allowed, as in
// torchvision), reduced per s.Reduction (see the package documentation:
// None returns the per-element losses with the shape of logits, the others a
// scalar). targets may have any numeric or bool dtype and the shape of
// logits, or another shape of the same size. The result has logits' dtype.
//
// It equals focal.SigmoidFocal(s, …) in value and, under autodiff, in
// gradient. Bad parameters panic with an error wrapping the core package's
// sentinel (focal.ErrAlpha, focal.ErrGamma, …).
//
// Special cases are:
//
//	SigmoidFocalLoss(NaN logit) = NaN
//	SigmoidFocalLoss(±Inf logit) = the limits (0 or +Inf), as the core
//	every finite logit gives a finite loss and gradient, for every γ ≥ 0
func SigmoidFocalLoss(logits, targets *Node, s focal.Sigmoid) *Node {
	return SigmoidFocalLossWeighted(logits, targets, nil, nil, s)
}

// SigmoidFocalLossWeighted is SigmoidFocalLoss with per-element weights and
// a mask, either of which may be nil. weights are floats ≥ 0 (each element's
// loss is multiplied by its weight; the divisor of Mean is not); mask is
// bool, true for the elements to use, GoMLX's convention (the complement of
// the core package's ignore mask): masked elements add nothing to the loss,
// the counts and the gradient, whatever their logits and targets. Both have
// the shape of logits or a prefix of it (per-example weights over [N, …]
// logits), and are broadcast over the remaining axes.
//
// It equals focal.SigmoidFocalWeighted(s, …, w, ignore = ¬mask).
func SigmoidFocalLossWeighted(logits, targets, weights, mask *Node, s focal.Sigmoid) *Node {
	if _, err := focal.SigmoidFocal[float64](s, focal.Outputs[float64]{}, nil, nil); err != nil {
		panicf("%w", err)
	}
	dims := logits.Shape().Dimensions
	x := toWork(logits, "logits")
	if targets.Shape().Size() != logits.Shape().Size() {
		panicf("%w: targets have shape %s, logits %s", focal.ErrLength, targets.Shape(), logits.Shape())
	}
	y := ConvertDType(targets, work)
	if y.Rank() != x.Rank() || !y.Shape().EqualDimensions(x.Shape()) {
		y = Reshape(y, dims...)
	}
	w, m := masked(dims, weights, mask)
	if m != nil {
		// Masked elements may hold anything (padding, NaN): replace them by
		// harmless values so that no NaN reaches the gradient through 0·NaN.
		x = Where(m, x, ZerosLike(x))
		y = Where(m, y, ZerosLike(y))
	}
	l := sigmoidElems(x, y, s)
	if w != nil {
		l = Mul(l, w)
	}
	pos := GreaterThan(y, ZerosLike(y))
	var count *Node
	if m != nil {
		l = Where(m, l, ZerosLike(l))
		pos = LogicalAnd(pos, m)
		count = countTrue(m)
	} else {
		count = Scalar(x.Graph(), work, float64(logits.Shape().Size()))
	}
	r := reduce(l, count, countTrue(pos), s.Reduction, s.Normalizer)
	return fromWork(r, logits.DType(), s.Reduction == focal.None)
}

// maxIntGamma is the largest integer γ computed by repeated multiplication
// rather than in log space, as in the core kernel.
const maxIntGamma = 8

// intGamma reports whether γ is a small positive integer.
func intGamma(g float64) (int, bool) {
	if g >= 1 && g <= maxIntGamma && g == math.Trunc(g) {
		return int(g), true
	}
	return 0, false
}

// sigmoidElems returns the unweighted per-element losses αₜ m^γ ce, with
// m = 1 − pₜ and ce = −log pₜ, of working-dtype logits x and targets y, in
// the form of the core's kernel.SigmoidElem.
func sigmoidElems(x, y *Node, s focal.Sigmoid) *Node {
	zero := ZerosLike(x)
	e := Exp(Neg(Abs(x))) // ∂|x|/∂x = +1 at 0
	l1 := Log1p(e)
	// GoMLX gives a Max tie's gradient to the first operand. At x = 0 the
	// log1p term has derivative −½ (from |x|'s +1), so max(x, 0) must take
	// the tie (+1) and max(0, −x) must not (0): softplus′(0) = ½ and
	// d softplus(−x)/dx = −½ at 0.
	spPos := Add(Max(x, zero), l1)      // softplus(x)  = −log(1 − p)
	spNeg := Add(Max(zero, Neg(x)), l1) // softplus(−x) = −log p
	nonneg := GreaterOrEqual(x, zero)   // the side |x| takes at 0
	inv := Reciprocal(OnePlus(e))       // 1/(1 + e^(−|x|))
	ei := Mul(e, inv)
	p := Where(nonneg, inv, ei) // σ(x) and 1 − σ(x),
	q := Where(nonneg, ei, inv) // each without cancellation

	isOne := Equal(y, OnesLike(y))
	isZero := Equal(y, ZerosLike(y))
	hard := LogicalOr(isOne, isZero)
	// Soft targets. The branch is evaluated for hard targets too (Where
	// computes both sides), so it sees y = ½ there: its log y and
	// log(1 − y) stay finite and its zero adjoint never meets an Inf.
	ys := Where(hard, Scalar(x.Graph(), work, 0.5), y)
	// ce = softplus(x) − x·y, with the large term kept whole:
	// x(1 − y) + log1p(e) for x ≥ 0, −x·y + log1p(e) for x < 0.
	ceSoft := Add(Where(nonneg, Mul(x, OneMinus(ys)), Neg(Mul(x, ys))), l1)
	ce := Where(isOne, spNeg, Where(isZero, spPos, ceSoft))

	l := ce
	if g := s.Gamma; g > 0 {
		var w *Node
		if k, ok := intGamma(g); ok {
			// m = y(1 − p) + (1 − y)p, exact for hard targets.
			m := Add(Mul(y, q), Mul(OneMinus(y), p))
			w = m
			for range k - 1 {
				w = Mul(w, m)
			}
		} else {
			// log m = log(y·e^(−softplus(x)) + (1 − y)·e^(−softplus(−x))):
			// −softplus(x) or −softplus(−x) for hard targets, a log-sum-exp
			// for soft ones. Its derivative is bounded, unlike that of
			// pow(m, γ), whose γ·m^(γ−1) is Inf where m underflows.
			a := Sub(Log(ys), spPos)
			b := Sub(Log1p(Neg(ys)), spNeg)
			logm := Where(isOne, Neg(spPos), Where(isZero, Neg(spNeg), logAddExp(a, b)))
			w = Exp(MulScalar(logm, g))
		}
		l = Mul(w, l)
	}
	if s.Alpha >= 0 {
		at := AddScalar(MulScalar(y, 2*s.Alpha-1), 1-s.Alpha) // y·α + (1 − y)(1 − α)
		l = Mul(at, l)
	}
	return l
}

// logAddExp returns log(eᵃ + eᵇ) = max(a, b) + log1p(e^(−|a − b|)) for
// finite or −Inf a, b (not both −Inf). At a tie, Max and |a − b| both give
// the first operand the +1 side, so ∂/∂a = 1 − ½ = ½, the exact value.
func logAddExp(a, b *Node) *Node {
	return Add(Max(a, b), Log1p(Exp(Neg(Abs(Sub(a, b))))))
}

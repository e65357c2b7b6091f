package gomlx

import (
	"fmt"
	"math"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/train/loss"
)

// FamilyLoss returns the loss of focal-family member m (focal.Sigmoid,
// focal.Poly1, focal.Asymmetric, focal.Quality, focal.Varifocal,
// focal.FLStar, focal.Scheduled or focal.Reduced; the package focal
// documents each formula and its source) of logits against targets, with
// the conventions of SigmoidFocalLoss: reduced per the member's Reduction
// (None: per-element losses with the shape of logits), a positive
// Normalizer replacing the divisor of Mean and Positives, positives being
// the targets y > 0.
//
// It equals focal.Family(m, …) in value and, under autodiff, in gradient —
// including where the member's reference detaches a factor from autograd
// (Asymmetric with DetachWeight, Scheduled's γ(pₜ)), which is built under
// StopGradient here. The graph does not check targets: FL* and Asymmetric
// want y ∈ {0, 1}, which the core enforces.
func FamilyLoss(logits, targets *graph.Node, m focal.Member) *graph.Node {
	return FamilyLossWeighted(logits, targets, nil, nil, m)
}

// FamilyLossWeighted is FamilyLoss with per-element weights and a mask
// (true = use), either of which may be nil, as in SigmoidFocalLossWeighted.
func FamilyLossWeighted(logits, targets, weights, mask *graph.Node, m focal.Member) *graph.Node {
	if err := checkMember(m); err != nil {
		panicf("%w", err)
	}
	if s, ok := m.(focal.Sigmoid); ok {
		return SigmoidFocalLossWeighted(logits, targets, weights, mask, s)
	}
	elems, r, norm := familyElems(m)
	return elementwise(logits, targets, weights, mask, r, norm, elems)
}

// Family returns member m as a GoMLX loss function, with the conventions of
// SigmoidFocal (labels[0] targets, optional weights and bool mask in
// labels[1:]). Bad parameters return an error wrapping the core package's
// sentinel.
func Family(m focal.Member) (loss.LossFn, error) {
	if err := checkMember(m); err != nil {
		return nil, err
	}
	return func(labels, predictions []*Node) *Node {
		w, mk := splitExtras(labels[1:])
		return FamilyLossWeighted(predictions[0], labels[0], w, mk, m)
	}, nil
}

// checkMember validates m's parameters through the core package.
func checkMember(m focal.Member) error {
	if m == nil {
		return fmt.Errorf("%w: nil focal family member", focal.ErrParam)
	}
	_, err := focal.Family[float64](m, focal.Outputs[float64]{}, nil, nil)
	return err
}

// familyElems returns the element-wise graph of member m (not Sigmoid) and
// its reduction and normalizer.
func familyElems(m focal.Member) (elems func(x, y *Node) *Node, r focal.Reduction, norm float64) {
	switch v := m.(type) {
	case focal.Poly1:
		return func(x, y *Node) *Node { return poly1Elems(newSigParts(x, y), v) }, v.Reduction, v.Normalizer
	case focal.Asymmetric:
		return func(x, y *Node) *Node { return aslElems(newSigParts(x, y), v) }, v.Reduction, v.Normalizer
	case focal.Quality:
		return func(x, y *Node) *Node { return qflElems(newSigParts(x, y), v) }, v.Reduction, v.Normalizer
	case focal.Varifocal:
		return func(x, y *Node) *Node { return varifocalElems(newSigParts(x, y), v) }, v.Reduction, v.Normalizer
	case focal.FLStar:
		return func(x, y *Node) *Node { return flStarElems(x, y, v) }, v.Reduction, v.Normalizer
	case focal.Scheduled:
		return func(x, y *Node) *Node { return scheduledElems(newSigParts(x, y), v) }, v.Reduction, v.Normalizer
	case focal.Reduced:
		return func(x, y *Node) *Node { return reducedElems(newSigParts(x, y), v) }, v.Reduction, v.Normalizer
	}
	panicf("%w: focal family member %T has no graph form", focal.ErrParam, m)
	return nil, 0, 0
}

// poly1Elems is Poly-1 focal loss, αₜ m^γ ce + ε m^{γ+1}.
func poly1Elems(s *sigParts, p focal.Poly1) *Node {
	l := mulOpt(s.AlphaT(p.Alpha), s.Focus(p.Gamma), s.CE())
	if p.Epsilon == 0 {
		return l
	}
	return Add(l, MulScalar(s.Focus(p.Gamma+1), p.Epsilon))
}

// flStarElems is FL*, αₜ softplus(−z)/γ with z = γ xₜ + β, xₜ = (2y − 1)x.
func flStarElems(x, y *Node, f focal.FLStar) *Node {
	xt := Mul(AddScalar(MulScalar(y, 2), -1), x)
	z := AddScalar(MulScalar(xt, f.Gamma), f.Beta)
	l := MulScalar(softplus(Neg(z)), 1/f.Gamma)
	if f.Alpha >= 0 {
		l = Mul(AddScalar(MulScalar(y, 2*f.Alpha-1), 1-f.Alpha), l)
	}
	return l
}

// qflElems is quality focal loss, |y − σ|^β ce: focal loss with γ = β for
// hard targets; for soft ones y − σ is formed from whichever of p and 1 − p
// is exact, and the factor is exp(β log|y − σ|), set to 0 at σ = y exactly
// (the loss's minimum, where the core takes gradient 0), or a product of
// y − σ for even integer β.
func qflElems(s *sigParts, q focal.Quality) *Node {
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

// guardedPow returns a^g = exp(g log a) for a ≥ 0, and 0 where a is below
// the smallest normal float64: there 1/a, the derivative of log a, would
// overflow and meet a zero as Inf·0 = NaN; a^g's limit is 0 (g > 0).
func guardedPow(a *Node, g float64) *Node {
	ok := GreaterThan(a, Scalar(a.Graph(), work, smallestNormal))
	safe := Where(ok, a, OnesLike(a))
	return Where(ok, Exp(MulScalar(Log(safe), g)), ZerosLike(a))
}

// varifocalElems is varifocal loss: q·ce (or ce) for targets q > 0, and
// α σ^γ softplus(x) for q = 0, the weight differentiated as in mmdet.
func varifocalElems(s *sigParts, v focal.Varifocal) *Node {
	pos := s.CE()
	if v.IoUWeighted {
		pos = Mul(s.y, pos)
	}
	w := pow(v.Gamma, func() *Node { return s.p }, func() *Node { return Neg(s.spNeg) })
	neg := MulScalar(mulOpt(w, s.spPos), v.Alpha)
	return Where(GreaterThan(s.y, ZerosLike(s.y)), pos, neg)
}

// aslElems is the asymmetric loss: (1 − p)^γ₊ softplus(−x) for y = 1, and
// p_m^γ₋ (−log(1 − p_m)), p_m = max(p − m, 0), for y = 0; with
// DetachWeight the focusing weights are constants for autodiff, as in the
// reference's disable_torch_grad_focal_loss.
func aslElems(s *sigParts, a focal.Asymmetric) *Node {
	detach := func(w *Node) *Node {
		if w != nil && a.DetachWeight {
			return StopGradient(w)
		}
		return w
	}
	pos := mulOpt(detach(pow(a.GammaPos, func() *Node { return s.q }, func() *Node { return Neg(s.spPos) })), s.spNeg)
	var neg *Node
	if a.Margin == 0 {
		w := pow(a.GammaNeg, func() *Node { return s.p }, func() *Node { return Neg(s.spNeg) })
		neg = mulOpt(detach(w), s.spPos)
	} else {
		// p_m = p − m > 0: −log(1 − p_m) = −log(q + m), no cancellation; the
		// loss and its gradient are 0 where p ≤ m (a tie p = m included).
		d := AddScalar(s.p, -a.Margin)
		on := GreaterThan(d, ZerosLike(d))
		dOn := Where(on, d, ZerosLike(d))
		c := Neg(Log(AddScalar(s.q, a.Margin)))
		var w *Node
		if k, ok := intGamma(a.GammaNeg); ok {
			w = pow(float64(k), func() *Node { return dOn }, nil)
		} else if a.GammaNeg > 0 {
			w = guardedPow(dOn, a.GammaNeg)
		}
		neg = Where(on, mulOpt(detach(w), c), ZerosLike(d))
	}
	return Where(s.isOne, pos, neg)
}

// scheduledElems is focal loss with γ = γ(pₜ) per element, γ a constant for
// autodiff (piecewise constant; the reference picks it outside autograd):
// αₜ exp(γ(pₜ) log m) ce.
func scheduledElems(s *sigParts, sc focal.Scheduled) *Node {
	pt := StopGradient(OneMinus(s.M()))
	g := s.x.Graph()
	gm := Scalar(g, work, sc.Schedule.Else)
	for i := len(sc.Schedule.Below) - 1; i >= 0; i-- {
		below := LessThan(pt, Scalar(g, work, sc.Schedule.Below[i]))
		gm = Where(below, Scalar(g, work, sc.Schedule.Gammas[i]), BroadcastToDims(gm, pt.Shape().Dimensions...))
	}
	if gm.IsScalar() {
		gm = BroadcastToDims(gm, pt.Shape().Dimensions...)
	}
	w := Exp(Mul(gm, s.LogM()))
	return mulOpt(s.AlphaT(sc.Alpha), w, s.CE())
}

// reducedElems is reduced focal loss: αₜ ce where pₜ < th, else
// αₜ ((1 − pₜ)/th)^γ ce = αₜ exp(γ(log m − log th)) ce.
func reducedElems(s *sigParts, r focal.Reduced) *Node {
	ce := mulOpt(s.AlphaT(r.Alpha), s.CE())
	if r.Gamma == 0 { // f = 1 on both sides
		return ce
	}
	f := Exp(MulScalar(AddScalar(s.LogM(), -math.Log(r.Threshold)), r.Gamma))
	hard := LessThan(OneMinus(s.M()), Scalar(s.x.Graph(), work, r.Threshold))
	return Where(hard, ce, Mul(f, ce))
}

package focal

import (
	"math"

	"github.com/focalgo/focal/internal/kernel"
)

// Asymmetric holds the parameters of the asymmetric loss for multi-label
// classification (Ridnik et al., "Asymmetric Loss For Multi-Label
// Classification", ICCV 2021; reference code Alibaba-MIIL/ASL,
// src/loss_functions/losses.py, AsymmetricLoss). With p = σ(x) and hard
// targets y ∈ {0, 1}:
//
//	L₊ = −(1 − p)^γ₊ log p                      (y = 1)
//	L₋ = −p_m^γ₋ log(1 − p_m),  p_m = max(p − m, 0)  (y = 0)
//
// Separate exponents focus positives and negatives differently (γ₋ > γ₊
// discards easy negatives, which dominate multi-label data), and the
// probability margin m hard-thresholds very easy negatives (p ≤ m gives
// loss and gradient 0) and lowers the loss of mislabelled negatives.
//
// The reference builds the focusing weight w = (1 − pₜ)^γ under
// torch.set_grad_enabled(False) by default (disable_torch_grad_focal_loss):
// the weight is then a constant and the gradient is only w·∂ce/∂x. With
// DetachWeight (as in KindASL's default) this package does the same: the
// gradient is w·ce′ and the Hessian w·ce″ (what autograd gives for that
// graph), and the gradient is not the derivative of the loss. Without it
// the weight is differentiated too and Grad and Hess are the exact
// derivatives of L:
//
//	detached, y = 1:  ∂L/∂x = −(1 − p)^γ₊ (1 − p)
//	exact,    y = 1:  ∂L/∂x = (1 − p)^γ₊ [γ₊ p log p − (1 − p)]
//	detached, y = 0:  ∂L/∂x = p_m^γ₋ · p(1 − p)/(1 − p_m)
//	exact,    y = 0:  ∂L/∂x = p_m^γ₋ [γ₋ p(1 − p) (−log(1 − p_m))/p_m + p(1 − p)/(1 − p_m)]
//
// (for p > m; both are 0 for p ≤ m). Where the reference clamps
// probabilities at 1e-8 before the logarithm, this package computes
// log p as −softplus(−x), so the two differ only for |x| > 18.
//
// With γ₊ = γ₋ = γ and m = 0, exact ASL is focal loss without α.
// Targets other than 0 and 1 are an error (ErrTarget).
//
// The zero value is binary cross-entropy. KindASL's default is the
// reference's: γ₋ = 4, γ₊ = 1, m = 0.05, detached weight; the reference
// sums (Options{Reduction: Sum}).
type Asymmetric struct {
	// GammaPos is γ₊ ≥ 0, the focusing exponent of positives.
	GammaPos float64 `param:"gamma-pos"`
	// GammaNeg is γ₋ ≥ 0, the focusing exponent of negatives.
	GammaNeg float64 `param:"gamma-neg"`
	// Margin is the probability margin m ∈ [0, 1) (the reference's clip).
	Margin float64 `param:"margin"`
	// DetachWeight treats the focusing weight as a constant in the
	// gradient and Hessian, as the reference does by default.
	DetachWeight bool `param:"detach"`
}

// Validate checks γ₊, γ₋ and the margin.
func (a Asymmetric) Validate() error {
	return firstError(validGamma("gamma-pos", a.GammaPos), validGamma("gamma-neg", a.GammaNeg),
		checkParam(a.Margin >= 0 && a.Margin < 1, ErrParam, "margin", a.Margin, "want 0 ≤ m < 1"))
}

// Kind returns KindASL.
func (a Asymmetric) Kind() Kind { return KindASL }

// Elem returns the loss of one element and its first two derivatives
// (with DetachWeight, the detached ones).
func (a Asymmetric) Elem(x, y float64) (loss, grad, hess float64) { return elemOf(a, x, y, false) }

// elem is the asymmetric loss of one logit with a hard target y ∈ {0, 1}:
//
//	y = 1:  L = (1 − p)^γ₊ · softplus(−x)
//	y = 0:  L = p_m^γ₋ · (−log(1 − p_m)),  p_m = max(p − m, 0)
//
// For m > 0 and p > m, with d = p − m, c = −log(1 − d) = −log(q + m),
// k = c/d (bounded: 1 ≤ k ≤ −log m/(1 − m)) and d′ = pq, c′ = pq/(q + m):
//
//	L′ = d^γ [γ d′ k + c′]
//	L″ = d^γ [γ d″ k + c″ + γ (d′/d)((γ − 1) d′ k + 2c′)]
//
// where d″ = pq(1 − 2p) and c″ = c′(1 − 2p + c′). The factor d′/d grows
// like 1/d at the kink p → m⁺ but the bracket it multiplies is ≈ (γ + 1)d′,
// so L″ ~ d^{γ−1}: finite for every d > 0.
//
// With DetachWeight the weight w is a constant: L′ = w·ce′, L″ = w·ce″,
// what autograd computes when the weight is built without gradient
// tracking.
func (a Asymmetric) elem(x, y float64, fast bool) (l, g, h float64) {
	s := newSigParts(x, fast)
	pr, q := s.p, s.q
	if y == 1 {
		w := powGamma(q, -s.spPos, a.GammaPos)
		if a.DetachWeight {
			return w * s.spNeg, -w * q, w * pr * q
		}
		return focused(w, a.GammaPos, -pr, s.spNeg, -q, pr, q)
	}
	gn := a.GammaNeg
	if a.Margin == 0 {
		w := powGamma(pr, -s.spNeg, gn)
		if a.DetachWeight {
			return w * s.spPos, w * pr, w * pr * q
		}
		return focused(w, gn, q, s.spPos, pr, pr, q)
	}
	d := pr - a.Margin
	if !(d > 0) {
		return 0, 0, 0
	}
	qm := q + a.Margin
	pq := pr * q
	c := -math.Log(qm)
	c1 := pq / qm
	c2 := c1 * (1 - 2*pr + c1) // pq[(1 − 2p)(q + m) + pq]/(q + m)², without squaring a tiny q + m
	w := powGamma(d, math.Log(d), gn)
	if a.DetachWeight {
		return w * c, w * c1, w * c2
	}
	k := c / d
	l = w * c
	g = w * (gn*pq*k + c1)
	h = w * (gn*pq*(1-2*pr)*k + c2 + gn*(pq/d)*((gn-1)*pq*k+2*c1))
	return l, g, h
}

func (a Asymmetric) traits() traits {
	return traits{hard: true, member: kernel.Asymmetric(a.GammaPos, a.GammaNeg, a.Margin, a.DetachWeight)}
}

// KindASL names Asymmetric in the registry.
const KindASL Kind = "asl"

func init() {
	register(func() Member { return Asymmetric{GammaPos: 1, GammaNeg: 4, Margin: 0.05, DetachWeight: true} },
		"multi-label classification with many easy negatives: separate γ for positives and negatives and a probability margin (Ridnik et al. 2021)",
		"asymmetric")
}

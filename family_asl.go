package focal

import (
	"fmt"

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
// DetachWeight (DefaultAsymmetric) this package does the same: the
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
type Asymmetric struct {
	// GammaPos is γ₊ ≥ 0, the focusing exponent of positives.
	GammaPos float64
	// GammaNeg is γ₋ ≥ 0, the focusing exponent of negatives.
	GammaNeg float64
	// Margin is the probability margin m ∈ [0, 1) (the reference's clip).
	Margin float64
	// DetachWeight treats the focusing weight as a constant in the
	// gradient and Hessian, as the reference does by default.
	DetachWeight bool
	// Reduction, ClipHessian and Normalizer are as in Sigmoid.
	Reduction   Reduction
	ClipHessian bool
	Normalizer  float64
}

// DefaultAsymmetric is the reference's default: γ₋ = 4, γ₊ = 1, m = 0.05,
// detached weight, summed (its forward returns −loss.sum()).
var DefaultAsymmetric = Asymmetric{GammaPos: 1, GammaNeg: 4, Margin: 0.05, DetachWeight: true, Reduction: Sum}

// AsymmetricFocal computes the asymmetric loss of logits x against hard
// targets y ∈ {0, 1}; its contract is Family's.
func AsymmetricFocal[T Float](a Asymmetric, out Outputs[T], x, y []T) (Total, error) {
	return familyRun(a.spec(), out, x, y, nil, nil)
}

// AsymmetricFocalWeighted is AsymmetricFocal with weights and an ignore
// mask, as FamilyWeighted.
func AsymmetricFocalWeighted[T Float](a Asymmetric, out Outputs[T], x, y, w []T, ignore []bool) (Total, error) {
	return familyRun(a.spec(), out, x, y, w, ignore)
}

// Kind returns KindASL.
func (a Asymmetric) Kind() Kind { return KindASL }

// Elem returns the loss of one element and its first two derivatives
// (with DetachWeight, the detached ones).
func (a Asymmetric) Elem(x, y float64) (loss, grad, hess float64) {
	kp := a.spec().p
	return kernel.FamilyElem(x, y, &kp)
}

func (a Asymmetric) validate() error {
	if err := validGamma("gamma-pos", a.GammaPos); err != nil {
		return err
	}
	if err := validGamma("gamma-neg", a.GammaNeg); err != nil {
		return err
	}
	if !(a.Margin >= 0 && a.Margin < 1) {
		return fmt.Errorf("%w: margin = %v (want 0 ≤ m < 1)", ErrParam, a.Margin)
	}
	return nil
}

func (a Asymmetric) spec() memberSpec {
	return memberSpec{
		p: kernel.FamilyParams{Kind: kernel.FamilyASL, Gamma: a.GammaPos, GammaNeg: a.GammaNeg, Margin: a.Margin,
			Detach: a.DetachWeight, Scale: 1, ClipHess: a.ClipHessian},
		reduction: a.Reduction, norm: a.Normalizer, err: a.validate(), kind: a.Kind(), hard: true,
	}
}

func init() {
	register(kindInfo{
		kind:    KindASL,
		aliases: []string{"asymmetric"},
		purpose: "multi-label classification with many easy negatives: separate γ for positives and negatives and a probability margin (Ridnik et al. 2021)",
		def:     func() Member { return DefaultAsymmetric },
		reduce:  func(m Member, r Reduction) Member { a := m.(Asymmetric); a.Reduction = r; return a },
		params: []memberParam{
			{"gamma-pos", func(m Member, v float64) Member { a := m.(Asymmetric); a.GammaPos = v; return a }},
			{"gamma-neg", func(m Member, v float64) Member { a := m.(Asymmetric); a.GammaNeg = v; return a }},
			{"margin", func(m Member, v float64) Member { a := m.(Asymmetric); a.Margin = v; return a }},
			{"detach", func(m Member, v float64) Member { a := m.(Asymmetric); a.DetachWeight = boolParam(v); return a }},
			{"clip-hessian", func(m Member, v float64) Member { a := m.(Asymmetric); a.ClipHessian = boolParam(v); return a }},
		},
	})
}

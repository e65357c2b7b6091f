package focal

import "github.com/focalgo/focal/internal/kernel"

// Sigmoid is the sigmoid (binary, multi-label) focal loss of Lin et al.,
// "Focal Loss for Dense Object Detection", ICCV 2017, eq. 5; reference
// code torchvision.ops.sigmoid_focal_loss:
//
//	FL = −αₜ (1 − pₜ)^γ log pₜ,  p = σ(x),  pₜ = y·p + (1 − y)(1 − p),  αₜ = y·α + (1 − y)(1 − α).
//
// For soft targets y ∈ [0, 1] the loss is torchvision's
// αₜ (1 − pₜ)^γ·BCE(x, y). With m = 1 − pₜ, ce = −log pₜ and the bounded
// ratio r = m′/m = (1 − 2y)·p(1 − p)/m ∈ [−1, 1]:
//
//	∂FL/∂x   = αₜ m^γ [γ r ce + (p − y)]
//	∂²FL/∂x² = αₜ m^γ [γ(γ−1) r² ce + γ r (1 − 2p) ce + 2γ r (p − y) + p(1 − p)]
//
// These stay finite where the textbook forms multiply (1 − pₜ)^(γ−1) → ∞
// by 0 (0 < γ < 1 at saturated logits). The Hessian is negative for hard
// examples when γ > 0: Options.ClipHessian clips it.
//
// The zero value is binary cross-entropy. The paper's setting (and
// KindFocal's default) is α = 0.25, γ = 2 with the Positives reduction;
// Loss computes it on the vectorized kernels of the machine.
type Sigmoid struct {
	// Alpha ∈ [0, 1] weights positives by α and negatives by 1 − α; 0
	// turns α-weighting off (αₜ = 1, as Keras without class balancing).
	// torchvision's alpha < 0 is Alpha = 0 here, and its alpha = 0 (no
	// weight on positives) has no counterpart.
	Alpha float64 `param:"alpha"`
	// Gamma is the focusing parameter γ ≥ 0; γ = 0 is (α-balanced)
	// cross-entropy.
	Gamma float64 `param:"gamma"`
}

// Validate checks α and γ.
func (s Sigmoid) Validate() error {
	return firstError(validAlpha(s.Alpha), validGamma("gamma", s.Gamma))
}

// Kind returns KindFocal.
func (s Sigmoid) Kind() Kind { return KindFocal }

// Elem returns the sigmoid focal loss of one logit and its first two
// derivatives (unweighted, unreduced, unclipped).
func (s Sigmoid) Elem(x, y float64) (loss, grad, hess float64) { return elemOf(s, x, y, false) }

func (s Sigmoid) elem(x, y float64, _ bool) (loss, grad, hess float64) {
	p := s.params()
	return kernel.SigmoidElem(x, y, &p)
}

func (s Sigmoid) traits() traits { return traits{vector: true, sig: s.params()} }

func (s Sigmoid) params() kernel.SigmoidParams {
	return kernel.SigmoidParams{Alpha: s.Alpha, HasAlpha: s.Alpha != 0, Gamma: s.Gamma, Scale: 1}
}

// KindFocal names Sigmoid in the registry.
const KindFocal Kind = "focal"

func init() {
	register(func() Member { return Sigmoid{Alpha: 0.25, Gamma: 2} },
		"dense detection and imbalanced binary / multi-label classification (Lin et al. 2017)",
		"fl", "sigmoid")
}

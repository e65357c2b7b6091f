package focal

import (
	"fmt"
	"math"

	"github.com/focalgo/focal/internal/kernel"
)

// Reduced holds the parameters of reduced focal loss (Sergievskiy &
// Ponamarev, "Reduced Focal Loss: 1st Place Solution to xView object
// detection in Satellite Imagery", arXiv:1903.01347; reference code
// qubvel/segmentation_models.pytorch, losses/_functional.py,
// focal_loss_with_logits with reduced_threshold):
//
//	RFL = −αₜ f(pₜ) log pₜ,  f(pₜ) = 1 for pₜ < th,  ((1 − pₜ)/th)^γ for pₜ ≥ th,
//
// with p, pₜ, αₜ as in Sigmoid. Hard examples (pₜ < th) keep their full
// cross-entropy, so the focusing does not starve the positives of
// gradient; only easy examples are down-weighted. f jumps at pₜ = th
// unless th = ½; the derivatives are those of the branch an element is in.
//
// Where pₜ ≥ th everywhere (th → 0) RFL = th^{−γ}·FL; where pₜ < th
// everywhere (th = 1) it is α-balanced cross-entropy.
//
// For soft targets the reference's pₜ is exp(−BCE), not y·p + (1 − y)(1 − p)
// as here (and in Sigmoid); the two agree for hard targets.
type Reduced struct {
	// Alpha is α ∈ [0, 1], or negative (NoAlpha) for none.
	Alpha float64
	// Gamma is γ ≥ 0.
	Gamma float64
	// Threshold is th ∈ (0, 1], with th^−γ ≤ e⁶⁹⁰ ≈ 1e299.
	Threshold float64
	// Reduction, ClipHessian and Normalizer are as in Sigmoid.
	Reduction   Reduction
	ClipHessian bool
	Normalizer  float64
}

// maxLogScale bounds log th^−γ, so that the factor f stays finite and a
// zero αₜ times f is 0, not NaN.
const maxLogScale = 690

// DefaultReduced is the paper's setting th = 0.5, γ = 2, without α,
// averaged (segmentation_models_pytorch's default reduction).
var DefaultReduced = Reduced{Alpha: NoAlpha, Gamma: 2, Threshold: 0.5, Reduction: Mean}

// ReducedFocal computes reduced focal loss of logits x against targets
// y ∈ [0, 1]; its contract is Family's.
func ReducedFocal[T Float](r Reduced, out Outputs[T], x, y []T) (Total, error) {
	return familyRun(r.spec(), out, x, y, nil, nil)
}

// ReducedFocalWeighted is ReducedFocal with weights and an ignore mask, as
// FamilyWeighted.
func ReducedFocalWeighted[T Float](r Reduced, out Outputs[T], x, y, w []T, ignore []bool) (Total, error) {
	return familyRun(r.spec(), out, x, y, w, ignore)
}

// Kind returns KindReduced.
func (r Reduced) Kind() Kind { return KindReduced }

// Elem returns the loss of one element and its first two derivatives.
func (r Reduced) Elem(x, y float64) (loss, grad, hess float64) {
	kp := r.spec().p
	return kernel.FamilyElem(x, y, &kp)
}

func (r Reduced) validate() error {
	if err := validAlpha(r.Alpha); err != nil {
		return err
	}
	if err := validGamma("gamma", r.Gamma); err != nil {
		return err
	}
	if !(r.Threshold > 0 && r.Threshold <= 1) {
		return fmt.Errorf("%w: threshold = %v (want 0 < th ≤ 1)", ErrParam, r.Threshold)
	}
	if -r.Gamma*math.Log(r.Threshold) > maxLogScale {
		return fmt.Errorf("%w: threshold = %v with gamma = %v scales the loss by th^−γ > 1e299", ErrParam, r.Threshold, r.Gamma)
	}
	return nil
}

func (r Reduced) spec() memberSpec {
	return memberSpec{
		p: kernel.FamilyParams{Kind: kernel.FamilyReduced, Alpha: max(r.Alpha, 0), HasAlpha: r.Alpha >= 0,
			Gamma: r.Gamma, Threshold: r.Threshold, Scale: 1, ClipHess: r.ClipHessian},
		reduction: r.Reduction, norm: r.Normalizer, err: r.validate(), kind: r.Kind(),
	}
}

func init() {
	register(kindInfo{
		kind:    KindReduced,
		aliases: []string{"rfl", "reduced-focal"},
		purpose: "detection / segmentation with rare positives: cross-entropy for hard examples, focal down-weighting only above pₜ = th (Sergievskiy & Ponamarev 2019)",
		def:     func() Member { return DefaultReduced },
		reduce:  func(m Member, x Reduction) Member { r := m.(Reduced); r.Reduction = x; return r },
		params: []memberParam{
			{"alpha", func(m Member, v float64) Member { r := m.(Reduced); r.Alpha = v; return r }},
			{"gamma", func(m Member, v float64) Member { r := m.(Reduced); r.Gamma = v; return r }},
			{"threshold", func(m Member, v float64) Member { r := m.(Reduced); r.Threshold = v; return r }},
			{"clip-hessian", func(m Member, v float64) Member { r := m.(Reduced); r.ClipHessian = boolParam(v); return r }},
		},
	})
}

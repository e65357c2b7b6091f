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
//
// The zero value (th read as 1, no α) is binary cross-entropy.
// KindReduced's default is the paper's th = 0.5, γ = 2, without α,
// averaged (segmentation_models_pytorch's default reduction).
type Reduced struct {
	// Alpha is α ∈ [0, 1], 0 for none.
	Alpha float64 `param:"alpha"`
	// Gamma is γ ≥ 0.
	Gamma float64 `param:"gamma"`
	// Threshold is th ∈ (0, 1], with th^−γ ≤ e⁶⁹⁰ ≈ 1e299; 0 means 1.
	Threshold float64 `param:"threshold"`
}

// maxLogScale bounds log th^−γ, so that the factor f stays finite and a
// zero αₜ times f is 0, not NaN.
const maxLogScale = 690

// Validate checks α, γ and the threshold.
func (r Reduced) Validate() error {
	if err := firstError(validAlpha(r.Alpha), validGamma("gamma", r.Gamma),
		checkParam(r.Threshold >= 0 && r.Threshold <= 1, ErrParam, "threshold", r.Threshold, "want 0 < th ≤ 1, or 0 for 1")); err != nil {
		return err
	}
	if -r.Gamma*math.Log(r.threshold()) > maxLogScale {
		return fmt.Errorf("%w: threshold = %v with gamma = %v scales the loss by th^−γ > 1e299", ErrParam, r.Threshold, r.Gamma)
	}
	return nil
}

func (r Reduced) threshold() float64 {
	if r.Threshold == 0 {
		return 1
	}
	return r.Threshold
}

// Kind returns KindReduced.
func (r Reduced) Kind() Kind { return KindReduced }

// Elem returns the loss of one element and its first two derivatives.
func (r Reduced) Elem(x, y float64) (loss, grad, hess float64) { return elemOf(r, x, y, false) }

// elem is reduced focal loss: L = αₜ·f·ce with f = ((1 − pₜ)/th)^γ where
// pₜ ≥ th and f = 1 (cross-entropy) where pₜ < th. The factor is
// exp(γ(log m − log th)), whose derivative is γ r f as for m^γ.
func (r Reduced) elem(x, y float64, fast bool) (l, g, h float64) {
	s := newSigParts(x, fast)
	ce, m, logm, rr := s.focus(x, y)
	at := alphaT(r.Alpha, y)
	th := r.threshold()
	if 1-m < th {
		return at * ce, at * s.dev(y), at * s.p * s.q
	}
	f := 1.0 // γ = 0: 0·log m is NaN where m = 0 (an infinite logit)
	if r.Gamma != 0 {
		f = math.Exp(r.Gamma * (logm - math.Log(th)))
	}
	return focused(at*f, r.Gamma, rr, ce, s.dev(y), s.p, s.q)
}

func (r Reduced) traits() traits {
	return traits{member: kernel.Reduced(r.Alpha, r.Gamma, r.threshold())}
}

// KindReduced names Reduced in the registry.
const KindReduced Kind = "reduced"

func init() {
	register(func() Member { return Reduced{Gamma: 2, Threshold: 0.5} },
		"detection / segmentation with rare positives: cross-entropy for hard examples, focal down-weighting only above pₜ = th (Sergievskiy & Ponamarev 2019)",
		"rfl", "reduced-focal")
}

package focal

import (
	"fmt"
	"math"

	"github.com/focalgo/focal/internal/kernel"
)

// FLStar holds the parameters of FL* (Lin et al., "Focal Loss for Dense
// Object Detection", ICCV 2017, appendix A): with xₜ = x for y = 1 and
// xₜ = −x for y = 0,
//
//	FL* = −αₜ log σ(γ xₜ + β) / γ,
//	∂FL*/∂x = −αₜ sₜ σ(−(γ xₜ + β)),  ∂²FL*/∂x² = αₜ γ σ(γ xₜ + β) σ(−(γ xₜ + β)),
//
// sₜ = 2y − 1. The appendix uses it to show that the exact form of the
// focusing matters less than its effect: it also down-weights well
// classified examples, with accuracy close to FL's. It is convex
// in x, unlike FL, so the Hessian is never negative. γ = 1, β = 0 is
// α-balanced cross-entropy. Targets other than 0 and 1 are an error.
type FLStar struct {
	// Alpha is α ∈ [0, 1], or negative (NoAlpha) for none.
	Alpha float64
	// Gamma is γ > 0 (it divides the loss).
	Gamma float64
	// Beta is the shift β, any finite value.
	Beta float64
	// Reduction, ClipHessian and Normalizer are as in Sigmoid.
	Reduction   Reduction
	ClipHessian bool
	Normalizer  float64
}

// DefaultFLStar is γ = 2, β = 1 with RetinaNet's α = 0.25 and
// normalisation by the number of positives.
var DefaultFLStar = FLStar{Alpha: 0.25, Gamma: 2, Beta: 1, Reduction: Positives}

// FLStarLoss computes FL* of logits x against hard targets y ∈ {0, 1}; its
// contract is Family's.
func FLStarLoss[T Float](f FLStar, out Outputs[T], x, y []T) (Total, error) {
	return familyRun(f.spec(), out, x, y, nil, nil)
}

// FLStarLossWeighted is FLStarLoss with weights and an ignore mask, as
// FamilyWeighted.
func FLStarLossWeighted[T Float](f FLStar, out Outputs[T], x, y, w []T, ignore []bool) (Total, error) {
	return familyRun(f.spec(), out, x, y, w, ignore)
}

// Kind returns KindFLStar.
func (f FLStar) Kind() Kind { return KindFLStar }

// Elem returns the loss of one element and its first two derivatives.
func (f FLStar) Elem(x, y float64) (loss, grad, hess float64) {
	kp := f.spec().p
	return kernel.FamilyElem(x, y, &kp)
}

func (f FLStar) validate() error {
	if err := validAlpha(f.Alpha); err != nil {
		return err
	}
	if !(f.Gamma > 0) || math.IsInf(f.Gamma, 1) {
		return fmt.Errorf("%w: gamma = %v (FL* wants finite γ > 0)", ErrGamma, f.Gamma)
	}
	if math.IsNaN(f.Beta) || math.IsInf(f.Beta, 0) {
		return fmt.Errorf("%w: beta = %v (want finite)", ErrParam, f.Beta)
	}
	return nil
}

func (f FLStar) spec() memberSpec {
	return memberSpec{
		p: kernel.FamilyParams{Kind: kernel.FamilyFLStar, Alpha: max(f.Alpha, 0), HasAlpha: f.Alpha >= 0,
			Gamma: f.Gamma, Beta: f.Beta, Scale: 1, ClipHess: f.ClipHessian},
		reduction: f.Reduction, norm: f.Normalizer, err: f.validate(), kind: f.Kind(), hard: true,
	}
}

func init() {
	register(kindInfo{
		kind:    KindFLStar,
		aliases: []string{"fl*", "fl-star"},
		purpose: "a convex alternative focusing form from the focal-loss paper's appendix; for ablations and Newton / boosting solvers (Lin et al. 2017)",
		def:     func() Member { return DefaultFLStar },
		reduce:  func(m Member, r Reduction) Member { f := m.(FLStar); f.Reduction = r; return f },
		params: []memberParam{
			{"alpha", func(m Member, v float64) Member { f := m.(FLStar); f.Alpha = v; return f }},
			{"gamma", func(m Member, v float64) Member { f := m.(FLStar); f.Gamma = v; return f }},
			{"beta", func(m Member, v float64) Member { f := m.(FLStar); f.Beta = v; return f }},
			{"clip-hessian", func(m Member, v float64) Member { f := m.(FLStar); f.ClipHessian = boolParam(v); return f }},
		},
	})
}

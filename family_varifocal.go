package focal

import (
	"fmt"

	"github.com/focalgo/focal/internal/kernel"
)

// Varifocal holds the parameters of varifocal loss (Zhang et al.,
// "VarifocalNet: An IoU-aware Dense Object Detector", CVPR 2021;
// reference code open-mmlab/mmdetection, mmdet/models/losses/varifocal_loss.py):
//
//	VFL = −q [q log σ + (1 − q) log(1 − σ)]   q > 0
//	VFL = −α σ^γ log(1 − σ)                    q = 0
//
// for IoU-aware targets q ∈ [0, 1]. Unlike focal loss and QFL it treats
// positives and negatives asymmetrically: only negatives are down-weighted
// (by α σ^γ, a weight that is differentiated, as in the reference), while
// positives keep a constant weight q (or 1 without IoUWeighted), so that
// high-quality positives dominate training.
//
// With hard targets and IoUWeighted it is cross-entropy for positives and
// α times focal loss of a negative (no α) for negatives.
type Varifocal struct {
	// Alpha is the weight α ∈ [0, 1] of negatives (not αₜ: positives get q).
	Alpha float64
	// Gamma is γ ≥ 0, the focusing exponent of negatives.
	Gamma float64
	// IoUWeighted weights positives by their target q (else by 1), the
	// reference's iou_weighted.
	IoUWeighted bool
	// Reduction, ClipHessian and Normalizer are as in Sigmoid.
	Reduction   Reduction
	ClipHessian bool
	Normalizer  float64
}

// DefaultVarifocal is the reference's default: α = 0.75, γ = 2,
// IoU-weighted, normalised by the number of targets q > 0 (VFNet divides
// by the number of positives).
var DefaultVarifocal = Varifocal{Alpha: 0.75, Gamma: 2, IoUWeighted: true, Reduction: Positives}

// VarifocalLoss computes varifocal loss of logits x against targets
// q ∈ [0, 1]; its contract is Family's.
func VarifocalLoss[T Float](v Varifocal, out Outputs[T], x, q []T) (Total, error) {
	return familyRun(v.spec(), out, x, q, nil, nil)
}

// VarifocalLossWeighted is VarifocalLoss with weights and an ignore mask,
// as FamilyWeighted.
func VarifocalLossWeighted[T Float](v Varifocal, out Outputs[T], x, q, w []T, ignore []bool) (Total, error) {
	return familyRun(v.spec(), out, x, q, w, ignore)
}

// Kind returns KindVarifocal.
func (v Varifocal) Kind() Kind { return KindVarifocal }

// Elem returns the loss of one element and its first two derivatives.
func (v Varifocal) Elem(x, y float64) (loss, grad, hess float64) {
	kp := v.spec().p
	return kernel.FamilyElem(x, y, &kp)
}

func (v Varifocal) validate() error {
	if !(v.Alpha >= 0 && v.Alpha <= 1) {
		return fmt.Errorf("%w: alpha = %v (want 0 ≤ α ≤ 1)", ErrAlpha, v.Alpha)
	}
	return validGamma("gamma", v.Gamma)
}

func (v Varifocal) spec() memberSpec {
	return memberSpec{
		p: kernel.FamilyParams{Kind: kernel.FamilyVarifocal, Alpha: v.Alpha, Gamma: v.Gamma, IoUWeighted: v.IoUWeighted,
			Scale: 1, ClipHess: v.ClipHessian},
		reduction: v.Reduction, norm: v.Normalizer, err: v.validate(), kind: v.Kind(),
	}
}

func init() {
	register(kindInfo{
		kind:    KindVarifocal,
		aliases: []string{"vfl"},
		purpose: "dense detection with IoU-aware scores: down-weights only negatives, keeps high-quality positives dominant (Zhang et al. 2021)",
		def:     func() Member { return DefaultVarifocal },
		reduce:  func(m Member, r Reduction) Member { v := m.(Varifocal); v.Reduction = r; return v },
		params: []memberParam{
			{"alpha", func(m Member, x float64) Member { v := m.(Varifocal); v.Alpha = x; return v }},
			{"gamma", func(m Member, x float64) Member { v := m.(Varifocal); v.Gamma = x; return v }},
			{"iou-weighted", func(m Member, x float64) Member { v := m.(Varifocal); v.IoUWeighted = boolParam(x); return v }},
			{"clip-hessian", func(m Member, x float64) Member { v := m.(Varifocal); v.ClipHessian = boolParam(x); return v }},
		},
	})
}

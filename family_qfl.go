package focal

import (
	"github.com/focalgo/focal/internal/kernel"
)

// Quality holds the parameter of quality focal loss (Li et al.,
// "Generalized Focal Loss", NeurIPS 2020; reference code
// open-mmlab/mmdetection, mmdet/models/losses/gfocal_loss.py):
//
//	QFL = −|y − σ|^β [(1 − y) log(1 − σ) + y log σ],  σ = σ(x),
//
// for soft quality targets y ∈ [0, 1] (the IoU of a detection with its
// ground truth, 0 for background). It joins classification and
// localisation quality in one score; the weight |y − σ|^β is
// differentiated, as in the reference. With hard targets it is focal loss
// with γ = β and no α.
//
// At σ = y exactly the factor |y − σ|^β is not differentiable for β < 1
// (not twice for β < 2): there the loss is at its minimum, the gradient is
// 0 and the Hessian is its one-sided limit where it exists (p(1 − p) for
// β = 0, 2p²(1 − p)²·ce for β = 2, 0 for β > 2), else 0. Near that point the
// Hessian grows like |y − σ|^{β−2} and saturates at the largest finite T.
type Quality struct {
	// Beta is β ≥ 0 (the paper uses 2).
	Beta float64
	// Reduction, ClipHessian and Normalizer are as in Sigmoid.
	Reduction   Reduction
	ClipHessian bool
	Normalizer  float64
}

// DefaultQuality is β = 2, normalised by the number of targets y > 0 (GFL
// divides by the number of positive samples).
var DefaultQuality = Quality{Beta: 2, Reduction: Positives}

// QualityFocal computes quality focal loss of logits x against soft targets
// y ∈ [0, 1]; its contract is Family's.
func QualityFocal[T Float](q Quality, out Outputs[T], x, y []T) (Total, error) {
	return familyRun(q.spec(), out, x, y, nil, nil)
}

// QualityFocalWeighted is QualityFocal with weights and an ignore mask, as
// FamilyWeighted.
func QualityFocalWeighted[T Float](q Quality, out Outputs[T], x, y, w []T, ignore []bool) (Total, error) {
	return familyRun(q.spec(), out, x, y, w, ignore)
}

// Kind returns KindQFL.
func (q Quality) Kind() Kind { return KindQFL }

// Elem returns the loss of one element and its first two derivatives.
func (q Quality) Elem(x, y float64) (loss, grad, hess float64) {
	kp := q.spec().p
	return kernel.FamilyElem(x, y, &kp)
}

func (q Quality) validate() error { return validGamma("beta", q.Beta) }

func (q Quality) spec() memberSpec {
	return memberSpec{
		p:         kernel.FamilyParams{Kind: kernel.FamilyQFL, Gamma: q.Beta, Scale: 1, ClipHess: q.ClipHessian},
		reduction: q.Reduction, norm: q.Normalizer, err: q.validate(), kind: q.Kind(),
	}
}

func init() {
	register(kindInfo{
		kind:    KindQFL,
		aliases: []string{"quality", "gfl"},
		purpose: "dense detection with soft IoU-quality targets: one score for class and localisation quality (Li et al. 2020, GFL)",
		def:     func() Member { return DefaultQuality },
		reduce:  func(m Member, r Reduction) Member { q := m.(Quality); q.Reduction = r; return q },
		params: []memberParam{
			{"beta", func(m Member, v float64) Member { q := m.(Quality); q.Beta = v; return q }},
			{"clip-hessian", func(m Member, v float64) Member { q := m.(Quality); q.ClipHessian = boolParam(v); return q }},
		},
	})
}

package focal

import "github.com/focalgo/focal/internal/kernel"

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
//
// The zero value (α read as 1, γ = 0, positives weighted 1) is binary
// cross-entropy. KindVarifocal's default is the reference's: α = 0.75,
// γ = 2, IoU-weighted; VFNet divides by the number of positives
// (Options{Reduction: Positives}).
type Varifocal struct {
	// Alpha ∈ [0, 1] is the weight α of negatives (not αₜ: positives get
	// q); 0 means 1, no weighting.
	Alpha float64 `param:"alpha"`
	// Gamma is γ ≥ 0, the focusing exponent of negatives.
	Gamma float64 `param:"gamma"`
	// IoUWeighted weights positives by their target q (else by 1), the
	// reference's iou_weighted.
	IoUWeighted bool `param:"iou-weighted"`
}

// Validate checks α and γ.
func (v Varifocal) Validate() error {
	return firstError(checkParam(v.Alpha >= 0 && v.Alpha <= 1, ErrAlpha, "alpha", v.Alpha, "want 0 ≤ α ≤ 1; 0 for no weighting"),
		validGamma("gamma", v.Gamma))
}

// Kind returns KindVarifocal.
func (v Varifocal) Kind() Kind { return KindVarifocal }

// Elem returns the loss of one element and its first two derivatives.
func (v Varifocal) Elem(x, y float64) (loss, grad, hess float64) { return elemOf(v, x, y, false) }

// elem is varifocal loss: for a positive (q = y > 0) L = y·ce (or ce
// without IoUWeighted), the weight a constant; for a negative (y = 0)
// L = α pᵞ softplus(x), focal loss of a negative with the weight's
// gradient kept, as mmdet computes it.
func (v Varifocal) elem(x, y float64, fast bool) (l, g, h float64) {
	s := newSigParts(x, fast)
	if y > 0 {
		ce, _, _, _ := s.focus(x, y)
		wp := 1.0
		if v.IoUWeighted {
			wp = y
		}
		return wp * ce, wp * s.dev(y), wp * s.p * s.q
	}
	a := v.Alpha
	if a == 0 {
		a = 1
	}
	w := a * powGamma(s.p, -s.spNeg, v.Gamma)
	return focused(w, v.Gamma, s.q, s.spPos, s.p, s.p, s.q)
}

func (v Varifocal) traits() traits {
	return traits{member: kernel.Varifocal(v.Alpha, v.Gamma, v.IoUWeighted)}
}

// KindVarifocal names Varifocal in the registry.
const KindVarifocal Kind = "varifocal"

func init() {
	register(func() Member { return Varifocal{Alpha: 0.75, Gamma: 2, IoUWeighted: true} },
		"dense detection with IoU-aware scores: down-weights only negatives, keeps high-quality positives dominant (Zhang et al. 2021)",
		"vfl")
}

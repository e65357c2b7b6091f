package focal

import "github.com/focalgo/focal/internal/kernel"

// Gaussian is the focal loss of keypoint heatmaps with Gaussian-smoothed
// targets (Law & Deng, "CornerNet: Detecting Objects as Paired
// Keypoints", ECCV 2018, eq. 1; used by CenterNet; reference code
// open-mmlab/mmdetection, mmdet/models/losses/gaussian_focal_loss.py,
// gaussian_focal_loss): with p = σ(x) and targets y ∈ [0, 1] that are 1 at
// the keypoints and fall off as a Gaussian around them,
//
//	L = −(1 − p)^γ log p               y = 1
//	L = −(1 − y)^β p^γ log(1 − p)      y < 1
//
// Every location but the keypoints is a negative, and (1 − y)^β lowers the
// penalty of negatives near a keypoint, whose box would still overlap the
// object. The paper's (and KindGaussian's default) exponents are γ = 2
// (CornerNet's α; mmdet's alpha) and β = 4 (mmdet's gamma); CornerNet
// divides by the number of keypoints (Options{Reduction: Positives},
// which counts targets y > 0: use Sum and divide by the number of
// keypoints to match it exactly).
//
// For y = 1 it is focal loss of a positive without α; for y < 1 the
// constant c = (1 − y)^β times focal loss of a negative: with m = p,
// r = m′/m = 1 − p and ce = softplus(x),
//
//	∂L/∂x   = c p^γ [γ (1 − p) ce + p]
//	∂²L/∂x² = c p^γ [γ(γ−1)(1 − p)² ce + γ(1 − p)(1 − 2p) ce + 2γ p(1 − p) + p(1 − p)]
//
// Where the reference adds 1e-12 inside the logarithms this package takes
// log p = −softplus(−x), so the two differ only where p or 1 − p is below
// about 1e-10 (|x| > 23).
//
// The zero value (γ = β = 0) is binary cross-entropy with every target
// below 1 taken as a negative.
type Gaussian struct {
	// Gamma is the focusing exponent γ ≥ 0 (CornerNet's α).
	Gamma float64 `param:"gamma"`
	// Beta is β ≥ 0, the exponent of the penalty reduction (1 − y)^β
	// around keypoints.
	Beta float64 `param:"beta"`
}

// Validate checks γ and β.
func (g Gaussian) Validate() error {
	return firstError(validGamma("gamma", g.Gamma), validGamma("beta", g.Beta))
}

// Kind returns KindGaussian.
func (g Gaussian) Kind() Kind { return KindGaussian }

// Elem returns the loss of one element and its first two derivatives.
func (g Gaussian) Elem(x, y float64) (loss, grad, hess float64) { return elemOf(g, x, y, false) }

func (g Gaussian) elem(x, y float64, fast bool) (l, dl, d2l float64) {
	s := newSigParts(x, fast)
	if y == 1 {
		return focused(powGamma(s.q, -s.spPos, g.Gamma), g.Gamma, -s.p, s.spNeg, -s.q, s.p, s.q)
	}
	c := powGamma(1-y, log1m(y), g.Beta)
	return focused(c*powGamma(s.p, -s.spNeg, g.Gamma), g.Gamma, s.q, s.spPos, s.p, s.p, s.q)
}

func (g Gaussian) traits() traits { return traits{member: kernel.Gaussian(g.Gamma, g.Beta)} }

// KindGaussian names Gaussian in the registry.
const KindGaussian Kind = "gaussian"

func init() {
	register(func() Member { return Gaussian{Gamma: 2, Beta: 4} },
		"keypoint and center heatmaps with Gaussian-smoothed targets (CornerNet, CenterNet): focal loss with a reduced penalty near each keypoint (Law & Deng 2018)",
		"cornernet", "centernet", "gaussian-focal")
}

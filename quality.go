package focal

import (
	"math"

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
//
// The zero value (β = 0) is binary cross-entropy with soft targets.
// KindQFL's default is the paper's β = 2; GFL divides by the number of
// positive samples (Options{Reduction: Positives}).
type Quality struct {
	// Beta is β ≥ 0 (the paper uses 2).
	Beta float64 `param:"beta"`
}

// Validate checks β.
func (q Quality) Validate() error { return validGamma("beta", q.Beta) }

// Kind returns KindQFL.
func (q Quality) Kind() Kind { return KindQFL }

// Elem returns the loss of one element and its first two derivatives.
func (q Quality) Elem(x, y float64) (loss, grad, hess float64) { return elemOf(q, x, y, false) }

// elem is quality focal loss, L = |y − p|^β · ce with ce = softplus(x) − x·y.
// Hard targets are focal loss with γ = β and no α. For soft y, with
// a = |y − p|, s = sign(y − p), T₁ = a^{β−1}·pq and T₂ = a^{β−2}·p²q²
// (each formed as one exp of a sum of logs, so no intermediate overflows
// or underflows):
//
//	L′ = −s [β T₁ ce + a^β a]
//	L″ = β(β − 1) T₂ ce − β s (1 − 2p) T₁ ce + (2β + 1) pq a^β
func (q Quality) elem(x, y float64, fast bool) (l, g, h float64) {
	s := newSigParts(x, fast)
	b := q.Beta
	if y == 0 || y == 1 {
		ce, m, logm, r := s.focus(x, y)
		return focused(powGamma(m, logm, b), b, r, ce, s.dev(y), s.p, s.q)
	}
	ce, _, _, _ := s.focus(x, y)
	pq := s.p * s.q
	var u float64 // y − p, from whichever of p and q is exact
	if x >= 0 {
		u = s.q - (1 - y)
	} else {
		u = y - s.p
	}
	a := math.Abs(u)
	if a == 0 {
		switch {
		case b == 0:
			return ce, 0, pq
		case b == 2:
			return 0, 0, 2 * pq * pq * ce
		}
		return 0, 0, 0
	}
	sg := math.Copysign(1, u)
	la := math.Log(a)
	lpq := -s.spPos - s.spNeg
	ab := powGamma(a, la, b)
	t1 := math.Exp((b-1)*la + lpq)
	t2 := math.Exp((b-2)*la + 2*lpq)
	l = ab * ce
	g = -sg * (b*t1*ce + ab*a)
	h = b*(b-1)*t2*ce - b*sg*(1-2*s.p)*t1*ce + (2*b+1)*pq*ab
	if math.IsNaN(h) { // T₁ and T₂ both overflowed with opposite signs: T₂ = T₁·pq/a dominates
		h = math.Copysign(math.Inf(1), b*(b-1))
	}
	return l, g, h
}

func (q Quality) traits() traits { return traits{member: kernel.Quality(q.Beta)} }

// KindQFL names Quality in the registry.
const KindQFL Kind = "qfl"

func init() {
	register(func() Member { return Quality{Beta: 2} },
		"dense detection with soft IoU-quality targets: one score for class and localisation quality (Li et al. 2020, GFL)",
		"quality", "gfl")
}

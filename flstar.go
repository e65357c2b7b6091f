package focal

import (
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
//
// The zero value (γ read as 1, β = 0, no α) is binary cross-entropy.
// KindFLStar's default is γ = 2, β = 1 with RetinaNet's α = 0.25.
type FLStar struct {
	// Alpha is α ∈ [0, 1], 0 for none.
	Alpha float64 `param:"alpha"`
	// Gamma is γ > 0 (it divides the loss); 0 means 1.
	Gamma float64 `param:"gamma"`
	// Beta is the shift β, any finite value.
	Beta float64 `param:"beta"`
}

// Validate checks α, γ and β.
func (f FLStar) Validate() error {
	return firstError(validAlpha(f.Alpha),
		checkParam(f.Gamma >= 0 && !math.IsInf(f.Gamma, 1), ErrGamma, "gamma", f.Gamma, "FL* wants finite γ > 0, or 0 for 1"),
		validFinite("beta", f.Beta))
}

// Kind returns KindFLStar.
func (f FLStar) Kind() Kind { return KindFLStar }

// Elem returns the loss of one element and its first two derivatives.
func (f FLStar) Elem(x, y float64) (loss, grad, hess float64) { return elemOf(f, x, y, false) }

// elem is FL* of one logit with a hard target: with xₜ = ±x (sign
// sₜ = 2y − 1) and z = γ xₜ + β,
//
//	L = αₜ softplus(−z)/γ,  L′ = −αₜ sₜ σ(−z),  L″ = αₜ γ σ(z) σ(−z).
//
// For z < 0, softplus(−z)/γ is written −xₜ − β/γ + log1p(eᶻ)/γ, so a
// product γ·xₜ that overflows does not make the loss infinite.
func (f FLStar) elem(x, y float64, _ bool) (l, g, h float64) {
	st := 2*y - 1
	xt := st * x
	gm := f.Gamma
	if gm == 0 {
		gm = 1
	}
	z := gm*xt + f.Beta
	ez := math.Exp(-math.Abs(z))
	var sz, snz float64 // σ(z), σ(−z)
	if z >= 0 {
		sz, snz = 1/(1+ez), ez/(1+ez)
		l = math.Log1p(ez) / gm
	} else {
		sz, snz = ez/(1+ez), 1/(1+ez)
		l = -xt - f.Beta/gm + math.Log1p(ez)/gm
	}
	at := alphaT(f.Alpha, y)
	return at * l, -at * st * snz, at * gm * sz * snz
}

func (f FLStar) traits() traits {
	return traits{hard: true, member: kernel.FLStar(f.Alpha, f.Gamma, f.Beta)}
}

// KindFLStar names FLStar in the registry.
const KindFLStar Kind = "flstar"

func init() {
	register(func() Member { return FLStar{Alpha: 0.25, Gamma: 2, Beta: 1} },
		"a convex alternative focusing form from the focal-loss paper's appendix; for ablations and Newton / boosting solvers (Lin et al. 2017)",
		"fl*", "fl-star")
}

package kernel

import "math"

// flStarElem is FL* of one logit with a hard target: with xₜ = ±x (sign
// sₜ = 2y − 1) and z = γ xₜ + β,
//
//	L = αₜ softplus(−z)/γ,  L′ = −αₜ sₜ σ(−z),  L″ = αₜ γ σ(z) σ(−z).
//
// For z < 0, softplus(−z)/γ is written −xₜ − β/γ + log1p(eᶻ)/γ, so a
// product γ·xₜ that overflows does not make the loss infinite.
func flStarElem(x, y float64, p *FamilyParams) (l, g, h float64) {
	st := 2*y - 1
	xt := st * x
	gm := p.Gamma
	z := gm*xt + p.Beta
	ez := math.Exp(-math.Abs(z))
	var sz, snz float64 // σ(z), σ(−z)
	if z >= 0 {
		sz, snz = 1/(1+ez), ez/(1+ez)
		l = math.Log1p(ez) / gm
	} else {
		sz, snz = ez/(1+ez), 1/(1+ez)
		l = -xt - p.Beta/gm + math.Log1p(ez)/gm
	}
	at := p.alphaT(y)
	return at * l, -at * st * snz, at * gm * sz * snz
}

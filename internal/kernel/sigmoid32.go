package kernel

import "math"

// hard32 holds the constants of the float32 element function of
// SigmoidGo and SparseGo for hard targets: a branch-free path written in
// terms of the true class's logit, in float64 with exp and log1p good to
// 1e-9 relative.
//
// For a hard target y ∈ {0, 1}, with sign s = 2y − 1, xₜ = s·x, pₜ = σ(xₜ),
// m = 1 − pₜ = σ(−xₜ) and ce = softplus(−xₜ) = −log pₜ:
//
//	FL       = αₜ m^γ ce
//	∂FL/∂x   = −s αₜ m^γ (γ pₜ ce + m)
//	∂²FL/∂x² = αₜ m^γ pₜ [γ(γ−1) pₜ ce − γ(1 − 2pₜ) ce + (2γ + 1) m]
//
// (SigmoidElem's formulas with r = −s·pₜ and p − y = −s·m.)
type hard32 struct {
	p          *SigmoidParams
	g          float64
	k          int
	isInt      bool
	aPos, aNeg float64
}

func newHard32(p *SigmoidParams) hard32 {
	k, isInt := intGamma(p.Gamma)
	h := hard32{p: p, g: p.Gamma, k: k, isInt: isInt, aPos: 1, aNeg: 1}
	if p.HasAlpha {
		h.aPos, h.aNeg = p.Alpha, 1-p.Alpha
	}
	return h
}

// elem returns the unscaled loss, gradient and (if wantHess) Hessian of one
// logit xi with hard target yi ∈ {0, 1}.
func (c *hard32) elem(xi, yi float64, wantHess bool) (l, gr, h float64) {
	g := c.g
	// s·x by flipping the sign bit when y = 0.
	flip := uint64(1-int64(yi)) << 63
	xt := math.Float64frombits(math.Float64bits(xi) ^ flip)
	ax := math.Abs(xi)
	e := expNeg(ax)
	inv := 1 / (1 + e)
	// pₜ, m = inv, e·inv when xₜ ≥ 0, else swapped: select by the sign bit
	// of xₜ, without a branch.
	neg := uint64(int64(math.Float64bits(xt)) >> 63)
	a, b := math.Float64bits(inv), math.Float64bits(e*inv)
	pt := math.Float64frombits(a&^neg | b&neg)
	m := math.Float64frombits(b&^neg | a&neg)
	l1 := log1pUnit(e)
	ce := (ax-xt)*0.5 + l1
	var w float64
	switch {
	case c.isInt && c.k == 2:
		w = m * m
	case c.isInt:
		w = powInt(m, c.k)
	default:
		w = math.Exp(g * -((ax+xt)*0.5 + l1)) // log m = −softplus(xₜ)
	}
	at := c.aNeg + yi*(c.aPos-c.aNeg)
	aw := at * w
	l = aw * ce
	gr = (1 - 2*yi) * aw * (g*pt*ce + m)
	if wantHess {
		h = aw * pt * (g*(g-1)*pt*ce - g*(1-2*pt)*ce + (2*g+1)*m)
	}
	if xi != xi {
		l, gr, h = xi, xi, xi
	}
	if ax > math.MaxFloat64 {
		// ±Inf: the branch-free form computes Inf − Inf; take the limits.
		return SigmoidElem(xi, yi, c.p)
	}
	return l, gr, h
}

package focal

import "github.com/focalgo/focal/internal/kernel"

// Poly1 is Poly-1 focal loss (Leng et al., "PolyLoss: A Polynomial
// Expansion Perspective of Classification Loss Functions", ICLR 2022, and
// the poly1_focal_loss code listing in the paper):
//
//	L = FL + ε (1 − pₜ)^{γ+1},  FL = −αₜ (1 − pₜ)^γ log pₜ,
//
// with p, pₜ and αₜ as in Sigmoid. The added term is the first term of
// FL's polynomial expansion in (1 − pₜ); ε > 0 raises the weight of hard
// examples, ε < 0 lowers it (and ε < −1 can make the loss negative). The
// ε term is not α-weighted, as in the listing. Soft targets follow the
// formula, 1 − pₜ = y(1 − p) + (1 − y)p.
//
// With m = 1 − pₜ, k = γ + 1, r = m′/m and m″/m = r(1 − 2p), the added
// term P = m^k has
//
//	P′ = k P r,  P″ = k P [(k − 1) r² + r (1 − 2p)],
//
// bounded because P ≤ 1 and |r| ≤ 1.
//
// The zero value is binary cross-entropy. KindPoly1's default is
// RetinaNet's focal setting (α = 0.25, γ = 2) with ε = 1; the paper tunes
// ε per task.
type Poly1 struct {
	// Alpha is α ∈ [0, 1] of the focal term, 0 for none.
	Alpha float64 `param:"alpha"`
	// Gamma is γ ≥ 0.
	Gamma float64 `param:"gamma"`
	// Epsilon is ε, any finite value; ε = 0 is focal loss.
	Epsilon float64 `param:"epsilon"`
}

// Validate checks α, γ and ε.
func (p Poly1) Validate() error {
	return firstError(validAlpha(p.Alpha), validGamma("gamma", p.Gamma), validFinite("epsilon", p.Epsilon))
}

// Kind returns KindPoly1.
func (p Poly1) Kind() Kind { return KindPoly1 }

// Elem returns the loss of one element and its first two derivatives.
func (p Poly1) Elem(x, y float64) (loss, grad, hess float64) { return elemOf(p, x, y, false) }

func (p Poly1) elem(x, y float64, fast bool) (l, g, h float64) {
	s := newSigParts(x, fast)
	ce, m, logm, r := s.focus(x, y)
	w := alphaT(p.Alpha, y) * powGamma(m, logm, p.Gamma)
	l, g, h = focused(w, p.Gamma, r, ce, s.dev(y), s.p, s.q)
	if e := p.Epsilon; e != 0 {
		k := p.Gamma + 1
		pk := powGamma(m, logm, k)
		l += e * pk
		g += e * k * pk * r
		h += e * k * pk * ((k-1)*r*r + r*(1-2*s.p))
	}
	return l, g, h
}

func (p Poly1) traits() traits {
	return traits{member: kernel.Poly1(p.Alpha, p.Gamma, p.Epsilon)}
}

// KindPoly1 names Poly1 in the registry.
const KindPoly1 Kind = "poly1"

func init() {
	register(func() Member { return Poly1{Alpha: 0.25, Gamma: 2, Epsilon: 1} },
		"focal loss with a tunable weight on the leading polynomial term: a one-parameter retuning of FL for detection and classification (Leng et al. 2022)",
		"poly-1", "polyloss")
}

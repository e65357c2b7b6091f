package focal

import (
	"fmt"
	"math"

	"github.com/focalgo/focal/internal/kernel"
)

// Poly1 holds the parameters of Poly-1 focal loss (Leng et al., "PolyLoss:
// A Polynomial Expansion Perspective of Classification Loss Functions",
// ICLR 2022, and the poly1_focal_loss code listing in the paper):
//
//	L = FL + ε (1 − pₜ)^{γ+1},  FL = −αₜ (1 − pₜ)^γ log pₜ,
//
// with p, pₜ and αₜ as in Sigmoid. The added term is the first term of
// FL's polynomial expansion in (1 − pₜ); ε > 0 raises the weight of hard
// examples, ε < 0 lowers it (and ε < −1 can make the loss negative). The
// ε term is not α-weighted, as in the listing. Soft targets follow the
// formula, 1 − pₜ = y(1 − p) + (1 − y)p.
//
// With r = m′/m, m = 1 − pₜ, the derivatives of the ε term are
//
//	∂/∂x ε m^{γ+1}   = ε (γ+1) m^{γ+1} r
//	∂²/∂x² ε m^{γ+1} = ε (γ+1) m^{γ+1} [γ r² + r (1 − 2p)]
type Poly1 struct {
	// Alpha is α ∈ [0, 1] of the focal term, or negative (NoAlpha) for none.
	Alpha float64
	// Gamma is γ ≥ 0.
	Gamma float64
	// Epsilon is ε, any finite value; ε = 0 is focal loss.
	Epsilon float64
	// Reduction, ClipHessian and Normalizer are as in Sigmoid.
	Reduction   Reduction
	ClipHessian bool
	Normalizer  float64
}

// DefaultPoly1 is RetinaNet's focal setting (α = 0.25, γ = 2, normalised by
// the number of positives) with ε = 1; the paper tunes ε per task.
var DefaultPoly1 = Poly1{Alpha: 0.25, Gamma: 2, Epsilon: 1, Reduction: Positives}

// Poly1Focal computes Poly-1 focal loss of logits x against targets
// y ∈ [0, 1]; its contract is Family's.
func Poly1Focal[T Float](p Poly1, out Outputs[T], x, y []T) (Total, error) {
	return familyRun(p.spec(), out, x, y, nil, nil)
}

// Poly1FocalWeighted is Poly1Focal with weights and an ignore mask, as
// FamilyWeighted.
func Poly1FocalWeighted[T Float](p Poly1, out Outputs[T], x, y, w []T, ignore []bool) (Total, error) {
	return familyRun(p.spec(), out, x, y, w, ignore)
}

// Kind returns KindPoly1.
func (p Poly1) Kind() Kind { return KindPoly1 }

// Elem returns the loss of one element and its first two derivatives.
func (p Poly1) Elem(x, y float64) (loss, grad, hess float64) {
	kp := p.spec().p
	return kernel.FamilyElem(x, y, &kp)
}

func (p Poly1) validate() error {
	if err := validAlpha(p.Alpha); err != nil {
		return err
	}
	if err := validGamma("gamma", p.Gamma); err != nil {
		return err
	}
	if math.IsNaN(p.Epsilon) || math.IsInf(p.Epsilon, 0) {
		return fmt.Errorf("%w: epsilon = %v (want finite)", ErrParam, p.Epsilon)
	}
	return nil
}

func (p Poly1) spec() memberSpec {
	return memberSpec{
		p: kernel.FamilyParams{Kind: kernel.FamilyPoly1, Alpha: max(p.Alpha, 0), HasAlpha: p.Alpha >= 0,
			Gamma: p.Gamma, Epsilon: p.Epsilon, Scale: 1, ClipHess: p.ClipHessian},
		reduction: p.Reduction, norm: p.Normalizer, err: p.validate(), kind: p.Kind(),
	}
}

func init() {
	register(kindInfo{
		kind:    KindPoly1,
		aliases: []string{"poly-1", "polyloss"},
		purpose: "focal loss with a tunable weight on the leading polynomial term: a one-parameter retuning of FL for detection and classification (Leng et al. 2022)",
		def:     func() Member { return DefaultPoly1 },
		reduce:  func(m Member, r Reduction) Member { p := m.(Poly1); p.Reduction = r; return p },
		params: []memberParam{
			{"alpha", func(m Member, v float64) Member { p := m.(Poly1); p.Alpha = v; return p }},
			{"gamma", func(m Member, v float64) Member { p := m.(Poly1); p.Gamma = v; return p }},
			{"epsilon", func(m Member, v float64) Member { p := m.(Poly1); p.Epsilon = v; return p }},
			{"clip-hessian", func(m Member, v float64) Member { p := m.(Poly1); p.ClipHessian = boolParam(v); return p }},
		},
	})
}

package focal

import "github.com/focalgo/focal/internal/kernel"

// Sigmoid is the family's first member, KindFocal.

// Kind returns KindFocal.
func (s Sigmoid) Kind() Kind { return KindFocal }

// Elem returns the sigmoid focal loss of one logit and its first two
// derivatives (unweighted, unreduced, unclipped).
func (s Sigmoid) Elem(x, y float64) (loss, grad, hess float64) {
	p := s.kernelParams()
	return kernel.SigmoidElem(x, y, &p)
}

// spec is unused: FamilyWeighted hands a Sigmoid to SigmoidFocalWeighted.
func (s Sigmoid) spec() memberSpec {
	return memberSpec{reduction: s.Reduction, norm: s.Normalizer, err: s.validate(), kind: KindFocal}
}

func init() {
	register(kindInfo{
		kind:    KindFocal,
		aliases: []string{"fl", "sigmoid"},
		purpose: "dense detection and imbalanced binary / multi-label classification (Lin et al. 2017)",
		def:     func() Member { return DefaultSigmoid },
		reduce:  func(m Member, r Reduction) Member { s := m.(Sigmoid); s.Reduction = r; return s },
		params: []memberParam{
			{"alpha", func(m Member, v float64) Member { s := m.(Sigmoid); s.Alpha = v; return s }},
			{"gamma", func(m Member, v float64) Member { s := m.(Sigmoid); s.Gamma = v; return s }},
			{"clip-hessian", func(m Member, v float64) Member { s := m.(Sigmoid); s.ClipHessian = boolParam(v); return s }},
		},
	})
}

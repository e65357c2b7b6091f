package focal

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/focalgo/focal/internal/kernel"
)

// A Member is one loss of the focal family: a function L(x, y) of one
// logit and its target, summed over elements like the sigmoid focal loss.
// Sigmoid, Poly1, Asymmetric, Quality, Varifocal, FLStar, Scheduled and
// Reduced are Members; Family and FamilyWeighted evaluate any of them with
// the same conventions as SigmoidFocalWeighted (validation, weights, ignore
// mask, reductions, Total, fused gradient and Hessian diagonal).
type Member interface {
	// Kind returns the member's name in the registry.
	Kind() Kind
	// Elem returns the loss of one logit x with target y and its first and
	// second derivatives with respect to x, in float64, unweighted and
	// unreduced. The parameters are not validated.
	Elem(x, y float64) (loss, grad, hess float64)

	spec() memberSpec
}

// memberSpec is what the generic driver needs to know about a Member.
type memberSpec struct {
	p         kernel.FamilyParams
	reduction Reduction
	norm      float64
	hard      bool  // targets must be 0 or 1
	kind      Kind  // for messages
	err       error // from validating the parameters
}

// Family computes the loss of member m over logits x and targets y (same
// length) in one fused pass, writing the non-nil destinations of out (each
// of length len(x)) and returning the Total, whose Reduce(reduction) is
// the reduced loss. Its contract is SigmoidFocal's: Loss holds the
// per-element losses, Grad and Hess the gradient and Hessian diagonal of
// the reduced loss (with the member's ClipHessian and Normalizer); bad
// arguments return an error and write nothing.
//
// Special cases are:
//
//	a NaN logit or target gives NaN loss, gradient and Hessian for that element
//	every finite logit gives finite loss, gradient and Hessian; values
//	beyond the range of T saturate to ±MaxFloat of T
func Family[T Float](m Member, out Outputs[T], x, y []T) (Total, error) {
	return FamilyWeighted(m, out, x, y, nil, nil)
}

// FamilyWeighted is Family with per-element weights w (nil: all 1; finite
// and ≥ 0) and an ignore mask (nil: none; true excludes the element from
// the loss, the counts and the gradient).
func FamilyWeighted[T Float](m Member, out Outputs[T], x, y, w []T, ignore []bool) (Total, error) {
	if s, ok := m.(Sigmoid); ok {
		return SigmoidFocalWeighted(s, out, x, y, w, ignore)
	}
	if m == nil {
		return Total{}, fmt.Errorf("%w: nil member", ErrParam)
	}
	return familyRun(m.spec(), out, x, y, w, ignore)
}

// familyRun is FamilyWeighted for a member's spec. The typed functions
// call it directly: converting a parameter struct to Member would
// allocate.
func familyRun[T Float](sp memberSpec, out Outputs[T], x, y, w []T, ignore []bool) (Total, error) {
	if sp.err != nil {
		return Total{}, sp.err
	}
	if err := validateCommon(sp.reduction, sp.norm); err != nil {
		return Total{}, err
	}
	n := len(x)
	if err := checkElementwise(out, x, y, w, ignore); err != nil {
		return Total{}, err
	}
	j := getJob[familyJob[T]]()
	defer putJob(j)
	j.x, j.y, j.w, j.ign, j.out, j.hard = x, y, w, ignore, out, sp.hard
	defer j.clear()
	j.size, j.chunks = chunking(n, 2)

	// Pass 1: validate targets and weights, count.
	j.phase = phaseCheck
	j.run()
	var t Total
	for c := range j.chunks {
		if i := j.bad[c]; i >= 0 {
			if v := y[i]; !(v >= 0 && v <= 1) {
				return Total{}, fmt.Errorf("%w: targets[%d] = %v (want 0 ≤ y ≤ 1)", ErrTarget, i, v)
			} else if sp.hard && v != 0 && v != 1 {
				return Total{}, fmt.Errorf("%w: targets[%d] = %v (%s wants y ∈ {0, 1})", ErrTarget, i, v, sp.kind)
			}
			return Total{}, fmt.Errorf("%w: weights[%d] = %v (want finite ≥ 0)", ErrWeight, i, w[i])
		}
		t.Count += j.cnt[c]
		t.Positives += j.pos[c]
	}

	// Pass 2: the fused kernel.
	j.p = sp.p
	j.p.Scale = scale(sp.reduction, sp.norm, t)
	j.phase = phaseCompute
	j.run()
	t.Sum = j.sumPartials()
	return t, nil
}

func validateCommon(r Reduction, norm float64) error {
	if r < None || r > Positives {
		return fmt.Errorf("%w: %v", ErrReduction, r)
	}
	if !(norm >= 0) || math.IsInf(norm, 1) {
		return fmt.Errorf("%w: normalizer = %v (want finite ≥ 0)", ErrNormalizer, norm)
	}
	return nil
}

// validAlpha checks an αₜ parameter: in [0, 1], or negative for none.
func validAlpha(a float64) error {
	if math.IsNaN(a) || a > 1 {
		return fmt.Errorf("%w: alpha = %v (want 0 ≤ α ≤ 1, or negative for none)", ErrAlpha, a)
	}
	return nil
}

// validGamma checks a focusing exponent named name: finite and ≥ 0.
func validGamma(name string, g float64) error {
	if !(g >= 0) || math.IsInf(g, 1) {
		return fmt.Errorf("%w: %s = %v (want finite ≥ 0)", ErrGamma, name, g)
	}
	return nil
}

type familyJob[T Float] struct {
	job
	phase    int
	size     int
	hard     bool
	p        kernel.FamilyParams
	x, y, w  []T
	ign      []bool
	out      Outputs[T]
	cnt, pos [maxChunks]int64
	bad      [maxChunks]int
}

func (j *familyJob[T]) init() { j.fn = j.chunk }

// clear drops references to caller memory before the job is pooled.
func (j *familyJob[T]) clear() {
	j.x, j.y, j.w, j.ign, j.out = nil, nil, nil, nil, Outputs[T]{}
	j.p.Below, j.p.Gammas = nil, nil
}

func (j *familyJob[T]) chunk(c int) {
	lo := c * j.size
	hi := min(lo+j.size, len(j.x))
	if j.phase == phaseCheck {
		j.cnt[c], j.pos[c], j.bad[c] = checkFamilyTargets(j.y[lo:hi], sub(j.w, lo, hi), sub(j.ign, lo, hi), lo, j.hard)
		return
	}
	o := j.out
	j.partial[c] = kernel.Family(&j.p, sub(o.Loss, lo, hi), sub(o.Grad, lo, hi), sub(o.Hess, lo, hi),
		j.x[lo:hi], j.y[lo:hi], sub(j.w, lo, hi), sub(j.ign, lo, hi))
}

// checkFamilyTargets is checkTargets, with hard also rejecting targets
// other than 0 and 1.
func checkFamilyTargets[T Float](y, w []T, ignore []bool, base int, hard bool) (count, pos int64, bad int) {
	if !hard {
		return checkTargets(y, w, ignore, base)
	}
	for i, v := range y {
		if ignore != nil && ignore[i] {
			continue
		}
		if v != 0 && v != 1 {
			return 0, 0, base + i
		}
		if w != nil && !(w[i] >= 0 && float64(w[i]) <= math.MaxFloat64) {
			return 0, 0, base + i
		}
		count++
		if v > 0 {
			pos++
		}
	}
	return count, pos, -1
}

// Kind names a member of the focal family, as the command line spells it
// (focal loss --kind, focal curve --kind, focal train --loss).
type Kind string

// The registered kinds.
const (
	KindFocal     Kind = "focal"     // Sigmoid
	KindPoly1     Kind = "poly1"     // Poly1
	KindASL       Kind = "asl"       // Asymmetric
	KindQFL       Kind = "qfl"       // Quality
	KindVarifocal Kind = "varifocal" // Varifocal
	KindFLStar    Kind = "flstar"    // FLStar
	KindFLSD      Kind = "flsd"      // Scheduled
	KindReduced   Kind = "reduced"   // Reduced
)

// kindInfo is one registry entry.
type kindInfo struct {
	kind    Kind
	aliases []string
	purpose string
	def     func() Member
	reduce  func(m Member, r Reduction) Member // m with its Reduction set to r
	params  []memberParam
}

// memberParam is one parameter settable by name (NewMember).
type memberParam struct {
	name string
	set  func(m Member, v float64) Member
}

var registry []kindInfo // filled by init functions of the member files, in Kinds order

func register(k kindInfo) {
	registry = append(registry, k)
	order := []Kind{KindFocal, KindPoly1, KindASL, KindQFL, KindVarifocal, KindFLStar, KindFLSD, KindReduced}
	slices.SortFunc(registry, func(a, b kindInfo) int {
		return slices.Index(order, a.kind) - slices.Index(order, b.kind)
	})
}

func lookup(k Kind) (*kindInfo, bool) {
	for i := range registry {
		if registry[i].kind == k {
			return &registry[i], true
		}
	}
	return nil, false
}

// Kinds returns every registered kind, plain focal loss first.
func Kinds() []Kind {
	ks := make([]Kind, len(registry))
	for i, r := range registry {
		ks[i] = r.kind
	}
	return ks
}

// ParseKind returns the kind named s (case-insensitive), accepting the
// aliases listed in docs/family.md (e.g. "fl*", "asymmetric", "vfl").
func ParseKind(s string) (Kind, error) {
	for _, r := range registry {
		if strings.EqualFold(s, string(r.kind)) {
			return r.kind, nil
		}
		for _, a := range r.aliases {
			if strings.EqualFold(s, a) {
				return r.kind, nil
			}
		}
	}
	names := make([]string, len(registry))
	for i, r := range registry {
		names[i] = string(r.kind)
	}
	return "", fmt.Errorf("%w: kind %q (want one of %s)", ErrParam, s, strings.Join(names, ", "))
}

// String returns the kind's name.
func (k Kind) String() string { return string(k) }

// Purpose returns one line saying what the kind is for ("" for an
// unregistered kind).
func (k Kind) Purpose() string {
	if r, ok := lookup(k); ok {
		return r.purpose
	}
	return ""
}

// Params returns the names NewMember accepts for k, in documentation order.
func (k Kind) Params() []string {
	r, ok := lookup(k)
	if !ok {
		return nil
	}
	names := make([]string, len(r.params))
	for i, p := range r.params {
		names[i] = p.name
	}
	return names
}

// Default returns the member of kind k with its default parameters (the
// reference implementation's defaults, see each Default variable), or nil
// for an unregistered kind.
func (k Kind) Default() Member {
	if r, ok := lookup(k); ok {
		return r.def()
	}
	return nil
}

// NewMember returns the member of kind k with its default parameters, the
// reduction r, and the named parameters in params set (names as
// Kind.Params lists them; booleans as 0 or 1; α negative for none). An
// unknown kind or name returns an error wrapping ErrParam; values are
// checked when the member is used, or by Validate.
func NewMember(k Kind, r Reduction, params map[string]float64) (Member, error) {
	info, ok := lookup(k)
	if !ok {
		_, err := ParseKind(string(k))
		return nil, err
	}
	m := info.def()
	m = info.reduce(m, r)
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	slices.Sort(names) // deterministic error for several bad names
	for _, name := range names {
		i := slices.IndexFunc(info.params, func(p memberParam) bool { return strings.EqualFold(p.name, name) })
		if i < 0 {
			return nil, fmt.Errorf("%w: %s has no parameter %q (want one of %s)", ErrParam, k, name, strings.Join(k.Params(), ", "))
		}
		m = info.params[i].set(m, params[name])
	}
	return m, nil
}

// Validate returns the error that Family would return for m's parameters,
// or nil.
func Validate(m Member) error {
	if s, ok := m.(Sigmoid); ok {
		return s.validate()
	}
	if m == nil {
		return fmt.Errorf("%w: nil member", ErrParam)
	}
	sp := m.spec()
	if sp.err != nil {
		return sp.err
	}
	return validateCommon(sp.reduction, sp.norm)
}

// Curve returns the loss of one example whose probability of its true
// class is pₜ ∈ [0, 1]: a positive (y = 1, x = logit pₜ) or, with
// positive false, a negative (y = 0, x = −logit pₜ). Plots of L against
// pₜ (focal curve --kind) use it. For Quality and Varifocal a positive has
// target quality 1.
func Curve(m Member, pt float64, positive bool) float64 {
	x := math.Log(pt) - math.Log1p(-pt)
	y := 1.0
	if !positive {
		x, y = -x, 0
	}
	l, _, _ := m.Elem(x, y)
	return l
}

// boolParam is the value of a 0/1 parameter.
func boolParam(v float64) bool { return v != 0 }

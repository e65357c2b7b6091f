package focal

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/focalgo/focal/internal/kernel"
)

// A Member is one element-wise loss of the focal family: a function L(x, y)
// of one logit and its target, summed over elements. Sigmoid, Poly1,
// Asymmetric, Quality, Varifocal, FLStar, Scheduled, Reduced and Gaussian
// are Members, and Loss evaluates any of them.
//
// Every member's zero value is a usable loss: binary cross-entropy, or the
// member's own form of it (no α-weighting, no focusing).
type Member interface {
	// Kind returns the member's name in the registry.
	Kind() Kind
	// Elem returns the loss of one logit x with target y and its first and
	// second derivatives with respect to x, in float64, unweighted and
	// unreduced. The parameters are not validated.
	Elem(x, y float64) (loss, grad, hess float64)
	// Validate returns an error wrapping ErrAlpha, ErrGamma or ErrParam if
	// a parameter is out of its range, naming it.
	Validate() error

	// elem is Elem; fast computes exp and log1p to 1e-9 relative, for
	// float32 results.
	elem(x, y float64, fast bool) (loss, grad, hess float64)
	// traits says what the driver needs to know beyond the element
	// function.
	traits() traits
}

// traits are the properties of a member that the element-wise driver uses.
type traits struct {
	// hard: targets must be 0 or 1.
	hard bool
	// vector: the vectorized sigmoid kernel computes the member, with the
	// parameters sig.
	vector bool
	sig    kernel.SigmoidParams
	// member, when it names a kernel, is the member's own vector kernel
	// (see kernel.MemberSpec), which computes what its elem does; members
	// without one (and builds without vector kernels) run elemLoop.
	member kernel.MemberSpec
}

// Loss computes the loss of member m over in.Logits and in.Targets in one
// fused pass, writing the non-nil destinations of out (each as long as the
// logits) and returning the Total, whose Value is the reduced loss. Loss
// holds the weighted per-element losses; Grad and Hess the gradient and
// Hessian diagonal of the reduced loss.
//
// Bad arguments return an error wrapping ErrLength, ErrTarget, ErrWeight,
// ErrReduction, ErrNormalizer or the member's parameter error (ErrAlpha,
// ErrGamma, ErrParam), naming the argument and, for data, the first
// offending index; nothing is written.
//
// Special cases are:
//
//	a NaN logit gives NaN loss, gradient and Hessian for that element
//	every finite logit gives finite loss, gradient and Hessian, for every
//	    valid parameter; values beyond the range of T saturate to ±MaxFloat of T
//	an infinite logit gives loss 0 or +Inf; where the target is on the
//	    other side, the gradient and Hessian are NaN (∞·0)
func Loss[T Float, M Member](m M, o Options, out Outputs[T], in Input[T]) (Total, error) {
	if err := m.Validate(); err != nil {
		return Total{}, err
	}
	if err := o.validate(); err != nil {
		return Total{}, err
	}
	if err := in.check(out); err != nil {
		return Total{}, err
	}
	f := elementwise[T, M]{m: m, tr: m.traits(), in: in, out: out}
	f.clip, f.floor = o.clip()
	// The chunking depends on the member alone, not on whether this build
	// has its vector kernel: results then do not depend on the build, and
	// callers that split their work as the driver does (focal loss's
	// stream) stay bit for bit equal to one call.
	cost := 1
	if !f.tr.vector {
		cost = 2 // the Go loop: smaller chunks reach every core sooner
	}
	return run(f, len(in.Logits), cost, o)
}

// elementwise is the form of Loss.
type elementwise[T Float, M Member] struct {
	m     M
	tr    traits
	in    Input[T]
	out   Outputs[T]
	clip  bool
	floor float64
	scale float64
	// hard[c]: check found every target of chunk c to be 0 or 1, so the
	// sigmoid kernel need not look again (SigmoidParams.HardTargets).
	hard [maxChunks]bool
	// light[c]: check found no weight of chunk c above kernel.HeavyWeight
	// (SigmoidParams.LightWeights).
	light [maxChunks]bool
}

func (f *elementwise[T, M]) check(c, lo, hi int) (count, pos int64, bad int) {
	y := f.in.Targets[lo:hi]
	f.hard[c], f.light[c] = false, f.in.Weights == nil
	if f.in.Ignore == nil {
		// The common case, vectorized: every element counts. A member
		// that wants hard targets then looks for the first soft one; the
		// weights, if any, for the first bad one (the first bad element
		// is the one reported, whichever its fault).
		pos, bad, hard := kernel.TargetsHard(y)
		if f.tr.hard && !hard {
			if i := firstSoft(y[:upTo(bad, len(y))]); i >= 0 {
				bad = i
			}
		}
		if w := f.in.Weights; w != nil {
			var i int
			if i, f.light[c] = firstBadWeight(w[lo : lo+upTo(bad, len(y))]); i >= 0 {
				bad = i
			}
			hard = false // (the weighted kernels check the targets themselves)
		}
		f.hard[c] = bad < 0 && hard
		if bad >= 0 {
			bad += lo
		}
		return int64(hi - lo), pos, bad
	}
	// With the mask, the same for the elements not ignored (their number
	// is Mean's count): an ignored element's target and weight are not
	// looked at.
	w, ign := sub(f.in.Weights, lo, hi), f.in.Ignore[lo:hi]
	count, pos, bad, hard := kernel.TargetsMasked(y, ign)
	if f.tr.hard && !hard {
		if i := firstSoftKept(y[:upTo(bad, len(y))], ign); i >= 0 {
			bad = i
		}
	}
	if w != nil {
		var i int
		if i, f.light[c] = firstBadWeightKept(w[:upTo(bad, len(y))], ign); i >= 0 {
			bad = i
		}
	}
	if bad >= 0 {
		return 0, 0, lo + bad
	}
	return count, pos, -1
}

// upTo returns the end of the elements before the first bad one: bad, or
// n when it is −1 (none).
func upTo(bad, n int) int {
	if bad >= 0 {
		return bad
	}
	return n
}

// firstSoftKept is firstSoft for the targets that ignore does not ignore.
func firstSoftKept[T Float](y []T, ignore []bool) int {
	for i, v := range y {
		if v != 0 && v != 1 && !ignore[i] {
			return i
		}
	}
	return -1
}

// firstBadWeightKept is firstBadWeight for the weights whose elements
// ignore does not ignore.
func firstBadWeightKept[T Float](w []T, ignore []bool) (bad int, light bool) {
	for i, v := range w {
		if !(v >= 0 && v <= kernel.HeavyWeight) && !ignore[i] {
			if !validWeight(v) {
				return i, true
			}
			for j, u := range w[i+1:] {
				if !validWeight(u) && !ignore[i+1+j] {
					return i + 1 + j, false
				}
			}
			return -1, false
		}
	}
	return -1, true
}

// firstBadWeight returns the index of the first weight of w that is not
// finite and ≥ 0 (see validWeight), or -1, and whether no weight before
// it is above kernel.HeavyWeight (the kernels' SigmoidParams.LightWeights).
// One range test per weight finds both: a weight outside [0, HeavyWeight]
// is bad or heavy, and after a heavy one the rest are only checked.
func firstBadWeight[T Float](w []T) (bad int, light bool) {
	for i, v := range w {
		if !(v >= 0 && v <= kernel.HeavyWeight) {
			if !validWeight(v) {
				return i, true
			}
			for j, u := range w[i+1:] {
				if !validWeight(u) {
					return i + 1 + j, false
				}
			}
			return -1, false
		}
	}
	return -1, true
}

// firstSoft returns the index of the first target of y other than 0 and
// 1, or -1. The targets are in [0, 1] (Targets checked them), where
// v·(1 − v) is 0 at 0 and 1 only; summing it takes no branch per element,
// where a comparison would be mispredicted half the time on random 0s and
// 1s.
func firstSoft[T Float](y []T) int {
	var s0, s1, s2, s3 T // four sums: no chain of dependent additions
	i := 0
	for ; i+4 <= len(y); i += 4 {
		v := y[i : i+4 : i+4]
		s0 += v[0] * (1 - v[0])
		s1 += v[1] * (1 - v[1])
		s2 += v[2] * (1 - v[2])
		s3 += v[3] * (1 - v[3])
	}
	for _, v := range y[i:] {
		s0 += v * (1 - v)
	}
	if s0+s1+s2+s3 != 0 {
		for i, v := range y {
			if v != 0 && v != 1 {
				return i
			}
		}
	}
	return -1
}

func (f *elementwise[T, M]) explain(i int) error {
	v := f.in.Targets[i]
	switch {
	case !(v >= 0 && v <= 1):
		return fmt.Errorf("%w: targets[%d] = %v (want 0 ≤ y ≤ 1)", ErrTarget, i, v)
	case f.tr.hard && v != 0 && v != 1:
		return fmt.Errorf("%w: targets[%d] = %v (%s wants y ∈ {0, 1})", ErrTarget, i, v, f.m.Kind())
	}
	return fmt.Errorf("%w: weights[%d] = %v (want finite ≥ 0)", ErrWeight, i, f.in.Weights[i])
}

func (f *elementwise[T, M]) setScale(scale float64) {
	f.scale = scale
	f.tr.sig.Scale, f.tr.sig.ClipHess = scale, f.clip
}

func (f *elementwise[T, M]) compute(c, lo, hi int) float64 {
	o := f.out
	loss, grad, hess := sub(o.Loss, lo, hi), sub(o.Grad, lo, hi), sub(o.Hess, lo, hi)
	x, y, w, ign := f.in.Logits[lo:hi], f.in.Targets[lo:hi], sub(f.in.Weights, lo, hi), sub(f.in.Ignore, lo, hi)
	if !f.tr.vector {
		floor := math.Inf(-1)
		if f.clip {
			floor = f.floor
		}
		spec := f.tr.member
		spec.LightWeights = f.light[c]
		if sum, ok := kernel.Member(&spec, f.scale, floor, loss, grad, hess, x, y, w, ign); ok {
			return sum
		}
		return elemLoop(f.m, f.scale, f.clip, f.floor, loss, grad, hess, x, y, w, ign)
	}
	sig := f.tr.sig
	sig.HardTargets, sig.LightWeights = f.hard[c], f.light[c]
	sum := kernel.Sigmoid(&sig, loss, grad, hess, x, y, w, ign)
	if f.floor > 0 && hess != nil {
		floorHessian(hess, f.floor, w, ign)
	}
	return sum
}

// floorHessian raises the Hessian of every element that counts (not
// ignored, weight not 0) to at least floor.
func floorHessian[T Float](hess []T, floor float64, w []T, ignore []bool) {
	for i, h := range hess {
		if (ignore == nil || !ignore[i]) && (w == nil || w[i] != 0) {
			hess[i] = T(max(float64(h), floor))
		}
	}
}

// elemLoop is the pure-Go element-wise kernel of a member. For each i it
// sets, when the destination is non-nil,
//
//	loss[i] = wᵢ·L(x[i], y[i]),  grad[i] = s·wᵢ·∂L/∂x,  hess[i] = s·wᵢ·∂²L/∂x²
//
// with s = scale and wᵢ = w[i] (1 when w is nil, 0 when ignored), the
// Hessian clipped below at floor when clip. For a finite x[i], values
// beyond the range of T saturate to ±MaxFloat of T. It returns Σ loss[i]
// in float64. For float32, exp(−|x|) and its log1p are computed to 1e-9
// relative instead of to the last float64 bit.
func elemLoop[T Float, M Member](m M, scale float64, clip bool, floor float64, loss, grad, hess, x, y, w []T, ignore []bool) float64 {
	lim := limitOf[T]()
	fast := isFloat32[T]()
	var sum float64
	for i := range x {
		wi := 1.0
		if w != nil {
			wi = float64(w[i])
		}
		if ignore != nil && ignore[i] {
			wi = 0
		}
		var l, g, h float64
		if wi != 0 {
			xi := float64(x[i])
			l, g, h = elemOf(m, xi, float64(y[i]), fast)
			l *= wi
			g *= wi * scale
			h *= wi * scale
			if clip {
				h = max(h, floor)
			}
			if !math.IsInf(xi, 0) {
				l = min(max(l, -lim), lim)
				g = min(max(g, -lim), lim)
				h = min(max(h, -lim), lim)
			}
		}
		sum += l
		if loss != nil {
			loss[i] = T(l)
		}
		if grad != nil {
			grad[i] = T(g)
		}
		if hess != nil {
			hess[i] = T(h)
		}
	}
	return sum
}

// Curve returns the loss of one example whose probability of its true
// class is pₜ ∈ [0, 1]: a positive (y = 1, x = logit pₜ) or, with
// positive false, a negative (y = 0, x = −logit pₜ). Plots of L against
// pₜ (focal curve --kind) use it. For Quality, Varifocal and Gaussian a
// positive has target 1.
func Curve(m Member, pt float64, positive bool) float64 {
	x := math.Log(pt) - math.Log1p(-pt)
	y := 1.0
	if !positive {
		x, y = -x, 0
	}
	l, _, _ := m.Elem(x, y)
	return l
}

// Kind names a member of the focal family, as the command line spells it
// (focal loss --kind, focal curve --kind, focal train --loss).
type Kind string

// kindInfo is one registry entry.
type kindInfo struct {
	aliases []string
	purpose string
	def     func() Member // the reference implementation's parameters
}

// registry holds the kinds, filled by the init function of each member's
// file. Kinds orders it: plain focal loss first, then by name.
var registry = map[Kind]kindInfo{}

// register adds a member to the registry under its Kind: the parameters
// of its reference implementation, what it is for, and other names
// ParseKind accepts. The member's settable parameters are its fields
// tagged `param:"name"` (float64, or bool as 0/1), and the names its
// setParam method takes if it has one (paramSetter).
func register(def func() Member, purpose string, aliases ...string) {
	k := def().Kind()
	if _, dup := registry[k]; dup {
		panic("focal: kind " + string(k) + " registered twice")
	}
	registry[k] = kindInfo{aliases: aliases, purpose: purpose, def: def}
}

// paramSetter is a member with parameters that are not plain fields.
type paramSetter interface {
	Member
	// extraParams returns the names setParam takes.
	extraParams() []string
	// setParam returns the member with parameter name set to v.
	setParam(name string, v float64) Member
}

// Kinds returns every registered kind: KindFocal first, then the others
// in alphabetical order.
func Kinds() []Kind {
	ks := make([]Kind, 0, len(registry))
	for k := range registry {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b Kind) int {
		switch {
		case a == b:
			return 0
		case a == KindFocal:
			return -1
		case b == KindFocal:
			return 1
		}
		return strings.Compare(string(a), string(b))
	})
	return ks
}

// ParseKind returns the kind named s (any case), accepting the aliases
// listed in docs/family.md (e.g. "fl*", "asymmetric", "vfl").
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		r := registry[k]
		if strings.EqualFold(s, string(k)) || slices.ContainsFunc(r.aliases, func(a string) bool { return strings.EqualFold(s, a) }) {
			return k, nil
		}
	}
	names := make([]string, 0, len(registry))
	for _, k := range Kinds() {
		names = append(names, string(k))
	}
	return "", fmt.Errorf("%w: kind %q (want one of %s)", ErrParam, s, strings.Join(names, ", "))
}

// String returns the kind's name.
func (k Kind) String() string { return string(k) }

// Purpose returns one line saying what the kind is for ("" for an
// unregistered kind).
func (k Kind) Purpose() string { return registry[k].purpose }

// Default returns the member of kind k with the parameters of its
// reference implementation (each member's documentation names them), or
// nil for an unregistered kind. Each call returns a new value.
func (k Kind) Default() Member {
	if r, ok := registry[k]; ok {
		return r.def()
	}
	return nil
}

// Params returns the parameter names NewMember accepts for k, in the order
// of the member's fields.
func (k Kind) Params() []string {
	m := k.Default()
	if m == nil {
		return nil
	}
	var names []string
	t := reflect.TypeOf(m)
	for i := range t.NumField() {
		if name := t.Field(i).Tag.Get("param"); name != "" {
			names = append(names, name)
		}
	}
	if ps, ok := m.(paramSetter); ok {
		names = append(names, ps.extraParams()...)
	}
	return names
}

// NewMember returns the member of kind k with its reference parameters and
// those named in params set (names as Kind.Params lists them, any case;
// booleans as 0 or 1). An unknown kind or name returns an error wrapping
// ErrParam; values are checked by the member's Validate.
func NewMember(k Kind, params map[string]float64) (Member, error) {
	def := k.Default()
	if def == nil {
		_, err := ParseKind(string(k))
		return nil, err
	}
	v := reflect.New(reflect.TypeOf(def)).Elem()
	v.Set(reflect.ValueOf(def))
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	slices.Sort(names) // deterministic errors and order of the extra parameters
	var extra []string
	for _, name := range names {
		i, ok := paramField(v.Type(), name)
		if !ok {
			extra = append(extra, name)
			continue
		}
		switch fv := v.Field(i); fv.Kind() {
		case reflect.Bool:
			fv.SetBool(params[name] != 0)
		default:
			fv.SetFloat(params[name])
		}
	}
	m := v.Interface().(Member)
	for _, name := range extra {
		ps, ok := m.(paramSetter)
		if !ok || !slices.ContainsFunc(ps.extraParams(), func(p string) bool { return strings.EqualFold(p, name) }) {
			return nil, fmt.Errorf("%w: %s has no parameter %q (want one of %s)", ErrParam, k, name, strings.Join(k.Params(), ", "))
		}
		m = ps.setParam(strings.ToLower(name), params[name])
	}
	return m, nil
}

// paramField returns the index of the field of struct type t tagged
// `param:"name"` (any case).
func paramField(t reflect.Type, name string) (int, bool) {
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("param"); tag != "" && strings.EqualFold(tag, name) {
			return i, true
		}
	}
	return 0, false
}

// firstError returns the first non-nil error of errs: a member's Validate
// lists the checks of its parameters in order and reports the first that
// fails.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkParam returns nil if ok, else an error wrapping sentinel that names
// the parameter, its value v and what it should be. It takes v unboxed, so
// that a passing check allocates nothing.
func checkParam(ok bool, sentinel error, name string, v float64, want string) error {
	if ok {
		return nil
	}
	return fmt.Errorf("%w: %s = %v (%s)", sentinel, name, v, want)
}

// validAlpha checks an αₜ parameter: in [0, 1], 0 for none.
func validAlpha(a float64) error {
	return checkParam(a >= 0 && a <= 1, ErrAlpha, "alpha", a, "want 0 ≤ α ≤ 1; 0 for no α-weighting")
}

// validGamma checks a focusing exponent named name: finite and ≥ 0.
func validGamma(name string, g float64) error {
	return checkParam(g >= 0 && !math.IsInf(g, 1), ErrGamma, name, g, "want finite ≥ 0")
}

// validFinite checks a parameter that may take any finite value.
func validFinite(name string, v float64) error {
	return checkParam(!math.IsNaN(v) && !math.IsInf(v, 0), ErrParam, name, v, "want finite")
}

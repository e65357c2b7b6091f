package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The float32-lane kernels of the family's members for float32 data with
// hard targets (package focal's Poly1, Reduced, Varifocal and FLStar, and
// through a plain focal kernel Quality and Gaussian, which are focal loss
// without α for hard targets): the sigmoid kernel's float32 algebra
// (sigmoidHard32: exp with 2^k applied once, log1p without division, σ(t)
// and σ(−t) selected by t's sign, the Hessian's bracket through its zero)
// with each member's element math on top.
//
//	func(q *[32]float32, loss, grad, hess, x, y *float32, n int) (sum float64, done int)
//
// q holds the float32 constants (m32Pow, m32Floor, then the member's own
// from m32Own, in the order internal/kernel's hardSpec gives them, with
// the gradient's scale already multiplied in). n must be a multiple of 32.
// It stops at the first step (two blocks of lanes) with a target other
// than 0 or 1 or a logit outside [−2^64, 2^64] (NaN and ±Inf included)
// and returns how many elements it did (n when none): package kernel runs
// that step on the float64 lanes and resumes after it.
//
// FL*, Reduced, Varifocal and the plain focal kernel (Quality's and
// Gaussian's) compute the Hessian (hess may be non-nil): FL*'s has no
// cancellation, the others' is the focal loss's, whose bracket near its
// zero the sigmoid kernel's polynomial gives (hessBracket). Poly-1's ε
// term moves that zero: its Hessian takes the float64 lanes (hess must
// be nil).

// Slots of q common to the member kernels.
const (
	m32Pow   = iota // the int32 k: m^k by k multiplications
	m32Floor        // the Hessian's floor (−Inf: none)
	m32Own          // the member's first constant

	// From m32Root, the focal Hessian's bracket near its zero (see
	// hessBracket): t₀ as a float32 and the rest, the band of d = t − t₀,
	// and Q's coefficients (hessRootDegree + 1), as the sigmoid kernel's
	// qT0Hi…qRoot.
	m32Root = 16
)

// parts32 are the quantities of one block of logits x with hard targets y
// that the members are built from: the masks of y = 1 and y = 0 (the
// target check's), the true class's logit t = s·x (s = 2y − 1) and the
// mask of t < 0, and for the focal members pₜ = σ(t),
// m = σ(−t), ce = softplus(−t) and w = m^k (k from m32Pow); with the
// kernel's constants: slot i as a broadcast memory operand (qm), in a
// register (qv), as an operand of either kind (qo: memory on AVX-512,
// whose broadcasts embed), and a pair of slots by target (pair).
type parts32 struct {
	x               reg.VecVirtual
	one, zero, tneg reg.Register
	t, pt, m, ce, w reg.VecVirtual
	gam             reg.VecVirtual        // expParts: γ of each lane (its float32)
	ehi, elo        func() reg.VecVirtual // pairParts: e^−|x| (expNegPair's two parts), loaded
	label           func(string) string   // a label of the block's own
	qm              func(i int) Mem
	qv              func(i int) reg.VecVirtual
	qo              func(i int) Op
	pair            func(y1, y0 int) reg.VecVirtual // slot y1 where y = 1, y0 where y = 0
}

// member32 emits one member's float32-lane kernel. focal says whether it
// needs parts32 (the logit's σ, softplus and m^k); elem returns the loss
// and the scaled gradient of one block and, for a kernel with the
// Hessian, a function emitting the scaled, unfloored Hessian.
func (f *f32) member32(member string, focal partsKind, gamma func(s *parts32) (hi, lo reg.VecVirtual), elem func(s *parts32) (l, g reg.VecVirtual, h func() reg.VecVirtual)) {
	name, field := member+"Hard"+f.name+"F32", "memberHard:"+member
	sig := "func(q *[32]float32, loss, grad, hess, x, y *float32, n int) (sum float64, done int)"
	if f.masked {
		name, field = member+"HardMasked"+f.name+"F32", "memberHardMasked:"+member
		sig = "func(q *[32]float32, loss, grad, hess, x, y, w *float32, m *bool, n int) (sum float64, done int)"
	}
	record(f.name, field, name)
	record(f.name, "memberHardStep", 2*f.lanes())
	U := 2
	// The exponentials one step ahead (see expAhead): in registers where
	// they fit, else parked.
	var ahead *expAhead
	switch focal {
	case powParts:
		ahead = &expAhead{f: f, blocks: U, nvals: 1, parked: !f.z || !aheadFits[member], stage: func(nabs reg.VecVirtual) []reg.VecVirtual {
			return []reg.VecVirtual{f.expNeg(nabs)}
		}}
	case expParts, pairParts:
		ahead = &expAhead{f: f, blocks: U, nvals: 2, parked: true, stage: func(nabs reg.VecVirtual) []reg.VecVirtual {
			e, el := f.expNegPair(nabs)
			return []reg.VecVirtual{e, el}
		}}
	}
	flags := NOSPLIT
	if ahead != nil && ahead.parked {
		flags = 0 // the parked values' frame, with the kernel's own, is too large for NOSPLIT
	}
	TEXT(name, flags, sig)
	Pragma("noescape")
	if f.masked {
		Doc(name+" is the float32-lane "+member+" kernel of the focal family on "+f.name+" for hard targets with the weights w",
			"and the ignore mask m (see member32 in _gen). n must be a multiple of 32.")
	} else {
		Doc(name+" is the float32-lane "+member+" kernel of the focal family on "+f.name+" for hard targets (see member32 in _gen).",
			"n must be a multiple of 32.")
	}
	Q := Load(Param("q"), GP64())
	lossP, gradP, hessP := Load(Param("loss"), GP64()), Load(Param("grad"), GP64()), Load(Param("hess"), GP64())
	X, Y := Load(Param("x"), GP64()), Load(Param("y"), GP64())
	var r hard32Regs // the weights and the mask (masked)
	if f.masked {
		r.w, r.m = Load(Param("w"), GP64()), Load(Param("m"), GP64())
	}
	n := Load(Param("n"), GP64())
	acc0, acc1 := f.vec(), f.vec()
	VXORPD(acc0, acc0, acc0)
	VXORPD(acc1, acc1, acc1)
	i := GP64()
	XORQ(i, i)
	r.i = i
	L := func(s string) string { return name + s }
	if ahead != nil {
		ahead.prime(X, i, n, L("done"))
	}
	Label(L("loop"))
	CMPQ(i, n)
	JGE(LabelRef(L("done")))
	if ahead != nil {
		ahead.advance(X, i, n, L("ahead"))
	}
	at := func(b reg.Register, u int) Mem { return Mem{Base: b, Index: i, Scale: 4, Disp: 4 * f.lanes() * u} }
	// The check of all blocks first: a soft target or a logit beyond 2^64
	// stops the kernel before any of them.
	var wAt func(u int) reg.VecVirtual
	if f.masked {
		wAt = func(u int) reg.VecVirtual { return f.weightsAt(r, u) }
	}
	ones, zeros := f.jumpUnlessHard(U, at, Y, X, wAt, L("done"))
	qm, qv, qo := f.params(Q)
	sign := f.cbits(1 << 31)
	for u := range U {
		s := &parts32{qm: qm, qv: qv, qo: qo, one: ones[u], zero: zeros[u]}
		s.label = func(t string) string { return L(fmt.Sprint(t, u)) }
		s.x = f.vec()
		VMOVUPS(at(X, u), s.x)
		s.pair = func(y1, y0 int) reg.VecVirtual { return f.blend(s.one, qv(y0), qo(y1)) }
		if focal != pairParts {
			s.t = f.negateWhere(s.zero, s.x) // s·x
		}
		if focal == powParts || focal == expParts {
			s.tneg = f.signMask(s.t)
		}
		switch focal {
		case powParts:
			nabs := f.op(VORPS, VORPS_BCST, s.x, sign) // −|x|
			e := ahead.get(u, 0)                       // e^−|x|
			f.sigmas(s, e)
			s.ce = f.softplusNeg(s.t, s.tneg, nabs, f.log1pPoly(e)) // softplus(−t)
			s.w = f.powK(s.m, qm(m32Pow), L(fmt.Sprint("pow", u)))
		case expParts:
			f.expParts(s, gamma, ahead.get(u, 0), ahead.get(u, 1))
		case pairParts:
			s.ehi = func() reg.VecVirtual { return ahead.get(u, 0) }
			s.elo = func() reg.VecVirtual { return ahead.get(u, 1) }
		}
		l, g, h := elem(s)
		lu := func(s string) string { return L(fmt.Sprint(s, u)) }
		if f.masked {
			// Weighted as package kernel's weighting loop does (see
			// weighMember), the Hessian first: the parts it takes are
			// then free for the rest (AVX2's registers are few).
			if h != nil {
				unlessNil(hessP, lu("nohess"), func() {
					VMOVUPS(f.weighOutHeld(f.weightsAt(r, u), h(), qv(m32Floor)), at(hessP, u))
				})
			}
			unlessNil(gradP, lu("nograd"), func() { VMOVUPS(f.weighOutHeld(f.weightsAt(r, u), g, nil), at(gradP, u)) })
			l = f.weighMember(f.weightsAt(r, u), l, acc0, acc1)
			unlessNil(lossP, lu("noloss"), func() { VMOVUPS(l, at(lossP, u)) })
			continue
		}
		f.accumulate(l, acc0, acc1)
		unlessNil(lossP, lu("noloss"), func() { VMOVUPS(l, at(lossP, u)) })
		unlessNil(gradP, lu("nograd"), func() { VMOVUPS(g, at(gradP, u)) })
		if h != nil {
			// (Only here: a call without the Hessian does not compute it.)
			unlessNil(hessP, lu("nohess"), func() { VMOVUPS(f.max(h(), qo(m32Floor)), at(hessP, u)) })
		}
	}
	if ahead != nil {
		ahead.commit()
	}
	ADDQ(U8(f.lanes()*U), i)
	JMP(LabelRef(L("loop")))
	Label(L("done"))
	f.hard32End(acc0, acc1, i)
}

// partsKind says which of parts32's focal quantities a member kernel
// computes: none (the member builds its own), those with w = m^k by k
// multiplications, those with w = m^γ for a γ per lane (expParts), or
// only e^−|x| as two parts (pairParts: ehi, elo).
type partsKind int

const (
	noParts partsKind = iota
	powParts
	expParts
	pairParts
)

// aheadFits are the member kernels (of powParts) whose exponentials one
// step ahead (see expAhead) stay in registers on AVX-512. For the others,
// for the focalexp kernel's pair e + eₗ and on AVX2 (16 registers), avo's
// allocator finds too few registers (on AVX2, it takes registers 16–31,
// which need AVX-512): they are parked.
var aheadFits = map[string]bool{"poly1": true, "varifocal": true, "focal": true}

// expParts sets the focal quantities of s with w = m^γ for the γ of each
// lane that the member's gamma gives (its float32 and the rest), from
// e + eₗ = e^−|x| (expNegPair, a step ahead: see expAhead), as
//
//	m^γ = e^(−γ softplus(t)),  softplus(t) = max(t, 0) + log1p(e^−|x|),
//
// with the exponent carried in double float32: a float32 m^γ for γ > 2
// by multiplication, or e^(γ log m) from a float32 log m, errs by γ times
// m's or log m's error (γ = 3: 8e-7 relative, more beyond), while here the
// terms of the exponent keep their low parts:
//   - e^−|x| = h + hₗ, h = T·2^n + T·2^n·s rounded and hₗ its rounding
//     error (expNegPair): 4.0e-9 relative at worst on AVX-512 and 1.1e-8
//     on AVX2 (the table's, the reduction's and s's own roundings, and
//     the rest of ln 2 left out of r), against 6.2e-8 and 6.7e-8 for h
//     alone;
//   - log1p(e) = ℓ + ℓₗ, ℓ = e + P (P = e²Q(e), see log1pPoly), ℓₗ the
//     rounding error of that sum plus eₗ/(1 + e);
//   - γ·max(t, 0) and γ·ℓ exact as products and their rounding errors
//     (fused multiply-adds), their sum exact as a sum and its error
//     (Fast2Sum, the larger first), plus γ·ℓₗ and γₗ·softplus(t).
//
// What is left is the exponential's own rounding (1 ulp), Q's fit
// (3.3e-8 relative, times γ·log1p(e) ≤ γ ln 2 absolute in the exponent)
// and the products the member forms. ce = max(−t, 0) + ℓ + ℓₗ.
func (f *f32) expParts(s *parts32, gamma func(s *parts32) (hi, lo reg.VecVirtual), e, el reg.VecVirtual) {
	sign := f.cbits(1 << 31)
	inv := f.sigmas(s, e)
	// ℓ + ℓₗ = log1p(e + eₗ)
	e2 := f.mul(e, e)
	P := f.mul(e2, f.estrinPows([]reg.VecVirtual{e, e2}, log1pQ))
	l := f.add(e, P)
	ll := f.sub(P, f.sub(l, e)) // Fast2Sum: |e| ≥ |P|
	VFMADD231PS(el, inv, ll)    // + eₗ/(1 + e)
	zero := f.vec()
	VXORPS(zero, zero, zero)
	s.ce = f.add(f.add(f.max(f.xor(s.t, sign), zero), l), ll) // softplus(−t)
	tp := f.max(s.t, zero)
	gh, gl := gamma(s)
	s.gam = gh
	lo := f.mul(gl, f.add(tp, l)) // γₗ (tp + ℓ)
	VFMADD231PS(gh, ll, lo)       // + γ ℓₗ
	// γ·tp = a + aₗ and γ·ℓ = b + bₗ exactly, then a + b = S + err
	// (Fast2Sum of the larger and the smaller: both are ≥ 0).
	a := f.mul(gh, tp)
	al := f.vec()
	VMOVAPS(gh, al)
	VFMSUB213PS(a, tp, al) // γ tp − a
	VADDPS(al, lo, lo)
	b := f.mul(gh, l)
	bl := f.vec()
	VMOVAPS(gh, bl)
	VFMSUB213PS(b, l, bl) // γ ℓ − b
	VADDPS(bl, lo, lo)
	big, small := f.max(a, b), f.op(VMINPS, VMINPS_BCST, a, b)
	S := f.add(big, small)
	VADDPS(f.sub(small, f.sub(S, big)), lo, lo)
	// Beyond S = 2^24 (m^γ = 0 in float32) the low part grows with S:
	// held to ±1, as the reduction's range needs.
	lo = f.max(f.op(VMINPS, VMINPS_BCST, lo, f.c(1)), f.c(-1))
	s.w = f.expNegLo(f.xor(S, sign), f.xor(lo, sign))
}

// sigmas sets s.m = σ(−t) and s.pt = σ(t) from e = e^−|x| (see
// sigmoids) and returns 1/(1 + e).
func (f *f32) sigmas(s *parts32, e reg.VecVirtual) reg.VecVirtual {
	var inv reg.VecVirtual
	s.m, s.pt, inv = f.sigmoids(s.tneg, e)
	return inv
}

// expNegPair returns eᶻ for z ≤ 0 as expNeg does, hi = T + T·s rounded
// once (see expTable; T carries 2^n), and the rounding error of that,
// lo = T·s + (T − hi) by one fused multiply-add (T − hi is exact where
// eᶻ is a normal float32).
func (f *f32) expNegPair(z reg.VecVirtual) (hi, lo reg.VecVirtual) {
	t := f.expTable(z, nil)
	h := f.vec()
	VMOVAPS(t.s, h)
	VFMADD213PS(t.t, t.t, h) // T + T·s
	l := f.sub(t.t, h)
	VFMADD231PS(t.t, t.s, l) // T·s + (T − hi)
	return h, l
}

// powK returns m^k, k the int32 at flag: 1 for k = 0, else m times
// itself k − 1 times (a loop labelled label).
func (f *f32) powK(m reg.VecVirtual, flag Mem, label string) reg.VecVirtual {
	w := f.vec()
	VMOVAPS(m, w)
	f.kLoop(flag, label, func() { VBROADCASTSS(f.c(1), w) }, func() { VMULPS(m, w, w) }) // w = m^(k − c + 1)
	return w
}

// kLoop emits a loop over the int32 k at flag, labelled label: zero for
// k = 0, else step k − 1 times.
func (f *f32) kLoop(flag Mem, label string, zero, step func()) {
	c := GP32()
	MOVL(flag, c)
	TESTL(c, c)
	JNZ(LabelRef(label))
	zero()
	JMP(LabelRef(label + "done"))
	Label(label)
	DECL(c)
	JZ(LabelRef(label + "done"))
	step()
	JMP(LabelRef(label))
	Label(label + "done")
}

// hessBracket returns pₜ times the focal Hessian's bracket
//
//	pₜ (γ ce ((γ + 1) pₜ − 1) + (2γ + 1) m)
//
// for γ per lane (gam): where the lanes of band are set (nil: all) and
// d = t − t₀ is in the band of slots m32Root…, pₜ·d·Q(d) instead, the
// sigmoid kernel's form through the bracket's zero (see sigmoidHard32);
// the slots give γ's t₀ and Q, or an empty band.
func (f *f32) hessBracket(s *parts32, gam reg.VecVirtual, band reg.Register) reg.VecVirtual {
	c := f.add(gam, f.c(1))
	if f.z {
		VFMSUB213PS_BCST(f.c(1), s.pt, c)
	} else {
		VFMSUB213PS(f.c(1), s.pt, c)
	} // (γ + 1) pₜ − 1
	h := f.mul(f.mul(f.mul(s.pt, s.ce), gam), c)
	tg1 := f.add(f.add(gam, gam), f.c(1))
	VFMADD231PS(tg1, f.mul(s.m, s.pt), h)
	d := f.sub(f.sub(s.t, s.qo(m32Root)), s.qo(m32Root+1))
	in := f.cmp(cmpGE, d, s.qo(m32Root+2))
	f.andTo(in, f.cmp(cmpLE, d, s.qo(m32Root+3)))
	if band != nil {
		f.andTo(in, band)
	}
	q := s.qv(m32Root + 4 + hessRootDegree)
	for k := hessRootDegree - 1; k >= 0; k-- {
		if f.z {
			VFMADD213PS_BCST(s.qm(m32Root+4+k), d, q)
		} else {
			VFMADD213PS(s.qv(m32Root+4+k), d, q)
		}
	}
	return f.blend(in, h, f.mul(f.mul(q, d), s.pt))
}

// abs returns |v|.
func (f *f32) abs(v reg.VecVirtual) reg.VecVirtual { return f.and(v, f.cbits(1<<31-1)) }

// gammaBracket returns γ pₜ ce + m, γ per lane or a constant operand.
func (f *f32) gammaBracket(s *parts32, gamma Op) reg.VecVirtual {
	b := f.mul(s.pt, gamma)
	VFMADD213PS(s.m, s.ce, b) // γ pₜ ce + m
	return b
}

// Slots of the members' own constants, from m32Own: a pair is the value
// for y = 1, then for y = 0.
const (
	// poly1: αₜ, −s αₜ scale, γ, ε, −s ε (γ + 1) scale
	p1A1 = m32Own + iota
	p1A0
	p1G1
	p1G0
	p1Gamma
	p1Eps
	p1E1
	p1E0
)

// poly1 is focal.Poly1 for hard targets, integer γ ≤ 2 and ε ≥ 0 (all its
// terms of one sign):
//
//	L = m^γ (αₜ ce + ε m)
//	scale·L′ = m^γ [−s αₜ scale (γ pₜ ce + m) − s ε (γ + 1) scale m pₜ]
func (f *f32) poly1(s *parts32) (l, g reg.VecVirtual, h func() reg.VecVirtual) {
	lb := f.mul(s.ce, s.pair(p1A1, p1A0))
	VFMADD231PS(s.qv(p1Eps), s.m, lb) // αₜ ce + ε m
	l = f.mul(lb, s.w)
	g = f.mul(f.gammaBracket(s, s.qo(p1Gamma)), s.pair(p1G1, p1G0))
	VFMADD231PS(s.pair(p1E1, p1E0), f.mul(s.m, s.pt), g)
	return l, f.mul(g, s.w), nil
}

const (
	// reduced: αₜ, αₜ th^−γ, −s αₜ scale, −s αₜ th^−γ scale, γ, t_th (the
	// least float32 logit with σ(t) ≥ th)
	rdA1 = m32Own + iota
	rdA0
	rdC1
	rdC0
	rdG1
	rdG0
	rdGC1
	rdGC0
	rdGamma
	rdT
)

// reduced is focal.Reduced for hard targets and integer γ ≤ 2:
// cross-entropy below the threshold (t < t_th), th^−γ times focal loss
// above:
//
//	L = αₜ ce,                 scale·L′ = −s αₜ scale m            (t < t_th)
//	L = αₜ th^−γ m^γ ce,  scale·L′ = −s αₜ th^−γ scale m^γ (γ pₜ ce + m)
//
// and the Hessian the focal one with these factors and γ = 0 below.
func (f *f32) reduced(s *parts32) (l, g reg.VecVirtual, h func() reg.VecVirtual) {
	above := f.cmp(cmpGE, s.t, s.qo(rdT))
	lf := f.blend(above, s.pair(rdA1, rdA0), f.mul(s.w, s.pair(rdC1, rdC0)))
	l = f.mul(lf, s.ce)
	above = f.cmp(cmpGE, s.t, s.qo(rdT)) // again: AVX2's registers are few
	gf := f.blend(above, s.pair(rdG1, rdG0), f.mul(s.w, s.pair(rdGC1, rdGC0)))
	zero := f.vec()
	VXORPS(zero, zero, zero)
	gm := f.blend(f.cmp(cmpGE, s.t, s.qo(rdT)), zero, s.qo(rdGamma)) // γ above, 0 below
	g = f.mul(gf, f.gammaBracket(s, gm))
	return l, g, func() reg.VecVirtual {
		return f.mul(f.abs(gf), f.hessBracket(s, gm, f.cmp(cmpGE, s.t, s.qo(rdT))))
	}
}

const (
	// varifocal: αₜ (1 for y = 1), the signed, scaled αₜ, γₜ (0 for y = 1)
	vfA1 = m32Own + iota
	vfA0
	vfG1
	vfG0
	vfGamma1
	vfGamma0
)

// varifocal is focal.Varifocal for hard targets and integer γ ≤ 2: focal
// loss with αₜ = 1, γₜ = 0 for y = 1 (cross-entropy, the IoU weight being
// y = 1) and αₜ = α, γₜ = γ for y = 0 (α m^γ softplus(x), m = p):
//
//	L = αₜ m^γₜ ce,  scale·L′ = −s αₜ scale m^γₜ (γₜ pₜ ce + m)
//
// and the focal Hessian with the same constants.
func (f *f32) varifocal(s *parts32) (l, g reg.VecVirtual, h func() reg.VecVirtual) {
	w := f.blend(s.one, s.w, f.c(1)) // m^γₜ
	l = f.mul(f.mul(w, s.pair(vfA1, vfA0)), s.ce)
	gf := f.mul(s.pair(vfG1, vfG0), w)
	g = f.mul(f.gammaBracket(s, s.pair(vfGamma1, vfGamma0)), gf)
	return l, g, func() reg.VecVirtual {
		// The negatives' focal Hessian (the band of γ), the positives'
		// cross-entropy one (γₜ = 0).
		return f.mul(f.abs(gf), f.hessBracket(s, s.pair(vfGamma1, vfGamma0), s.zero))
	}
}

const (
	// flstar: γ as a float32 and the rest, β likewise, αₜ/γ, the signed,
	// scaled αₜ, αₜ γ scale
	fsGammaHi = m32Own + iota
	fsGammaLo
	fsBetaHi
	fsBetaLo
	fsL1
	fsL0
	fsG1
	fsG0
	fsH1
	fsH0
)

// flstar is focal.FLStar: with z = γ t + β,
//
//	L = αₜ softplus(−z)/γ,  scale·L′ = −s αₜ scale σ(−z),
//	scale·L″ = αₜ γ scale σ(z) σ(−z).
//
// z is a double float32, zₕ + zₗ (γ t exact by a fused multiply-add,
// β + γ t by TwoSum, the low parts of γ and β added to zₗ), and e^−|z| is
// e^(−|zₕ| ∓ zₗ): one float32 z would be off by up to half an ulp of a
// large |z|, and e^−|z| by that much relative. The loss takes zₕ alone
// (its error is below 2^−24 of the loss, which is at least |z|/γ · αₜ).
func (f *f32) flstar(s *parts32) (l, g reg.VecVirtual, h func() reg.VecVirtual) {
	sign := f.cbits(1 << 31)
	gh := s.qv(fsGammaHi)
	p := f.mul(s.t, gh)
	VFMSUB213PS(p, s.t, gh) // γₕ t − p, exact
	pe := gh
	zh := f.add(p, s.qo(fsBetaHi))
	bb := f.sub(zh, p)
	zl := f.add(f.sub(p, f.sub(zh, bb)), f.sub(f.load(s.qm(fsBetaHi)), bb)) // TwoSum's error
	zl = f.add(zl, pe)
	VFMADD231PS(s.qv(fsGammaLo), s.t, zl) // + γₗ t
	zl = f.add(zl, s.qo(fsBetaLo))
	// e^(−|z|) = e^(−|zₕ| − sign(zₕ) zₗ)
	nzh := f.xor(zh, sign)
	lo := f.xor(zl, f.and(nzh, sign))
	// Beyond |z| = 180 (e^−|z| clamped to 0) zₗ grows with z: held to ±1.
	lo = f.max(f.op(VMINPS, VMINPS_BCST, lo, f.c(1)), f.c(-1))
	e := f.expNegLo(f.op(VORPS, VORPS_BCST, zh, sign), lo)
	inv := f.div(f.load(f.c(1)), f.add(e, f.c(1)))
	ei := f.mul(e, inv)
	zneg := f.signMask(zh)
	snz := f.selectSign(zneg, inv, ei) // σ(−z)
	l = f.mul(f.add(f.max(nzh, f.c(0)), f.log1pPoly(e)), s.pair(fsL1, fsL0))
	g = f.mul(snz, s.pair(fsG1, fsG0))
	return l, g, func() reg.VecVirtual { return f.mul(f.mul(ei, inv), s.pair(fsH1, fsH0)) }
}

const (
	// focal: αₜ, −s αₜ scale, γ
	flA1 = m32Own + iota
	flA0
	flG1
	flG0
	flGamma
)

// focal is focal loss with αₜ and integer γ ≤ 2, loss, gradient and
// Hessian: Quality's and Gaussian's form for hard targets (without α),
//
//	L = αₜ m^γ ce,  scale·L′ = −s αₜ scale m^γ (γ pₜ ce + m),
//	scale·L″ = αₜ scale m^γ pₜ (γ ce ((γ + 1) pₜ − 1) + (2γ + 1) m).
func (f *f32) focal(s *parts32) (l, g reg.VecVirtual, h func() reg.VecVirtual) {
	l = f.mul(f.mul(s.ce, s.pair(flA1, flA0)), s.w)
	gf := f.mul(s.pair(flG1, flG0), s.w)
	g = f.mul(f.gammaBracket(s, s.qo(flGamma)), gf)
	return l, g, func() reg.VecVirtual { return f.mul(f.abs(gf), f.hessBracket(s, s.qv(flGamma), nil)) }
}

const (
	// focalexp: αₜ, −s αₜ scale, the thresholds t₁ ≤ t₂ (float32 logits),
	// and γ for t < t₁, t₁ ≤ t < t₂ and t ≥ t₂, each as a float32 and the
	// rest
	fxA1 = m32Own + iota
	fxA0
	fxG1
	fxG0
	fxT1
	fxT2
	fxGam0
	fxGam0Lo
	fxGam1
	fxGam1Lo
	fxGam2
	fxGam2Lo
)

// scheduledGamma returns γ of each lane of focalexp, hi and lo: the
// piece of the schedule that t falls in (t ≥ t₁, t ≥ t₂ compared exactly:
// package kernel's thresholds are the least float32 logits whose pₜ
// reaches each of the schedule's).
func (f *f32) scheduledGamma(s *parts32) (hi, lo reg.VecVirtual) {
	pick := func(g0, g1, g2 int) reg.VecVirtual {
		v := f.blend(f.cmp(cmpGE, s.t, s.qo(fxT1)), s.qv(g0), s.qo(g1))
		return f.blend(f.cmp(cmpGE, s.t, s.qo(fxT2)), v, s.qo(g2))
	}
	return pick(fxGam0, fxGam1, fxGam2), pick(fxGam0Lo, fxGam1Lo, fxGam2Lo)
}

// focalexp is focal loss with αₜ and a γ per lane (scheduledGamma), m^γ
// from expParts, loss and gradient (its Hessian takes the float64 lanes):
// focal.Scheduled (FLSD), and focal loss for the γ that the focal kernel
// does not multiply out,
//
//	L = αₜ m^γ ce,  scale·L′ = −s αₜ scale m^γ (γ pₜ ce + m).
func (f *f32) focalexp(s *parts32) (l, g reg.VecVirtual, h func() reg.VecVirtual) {
	l = f.mul(f.mul(s.ce, s.pair(fxA1, fxA0)), s.w)
	g = f.mul(f.gammaBracket(s, s.gam), f.mul(s.pair(fxG1, fxG0), s.w))
	return l, g, nil
}

// weighMember returns the weighted loss of one block of a masked member
// kernel, as package kernel's weighting loop (weighRange) makes it from
// the unweighted one: loss (≥ 0, finite where the weight is not 0) times
// the weights wv in float32 (the exact product rounded once, as the
// loop's float64 product rounded to float32 is), held to MaxFloat32, 0
// where a weight is 0; it adds the float64 products, each held to
// MaxFloat32 too, to acc0 and acc1.
func (f *f32) weighMember(wv, loss, acc0, acc1 reg.VecVirtual) reg.VecVirtual {
	out := f.keep(f.cmp(cmpNEQ, wv, f.c(0)), f.op(VMINPS, VMINPS_BCST, f.mul(loss, wv), f.c(math.MaxFloat32)))
	loss = f.keep(f.cmp(cmpNEQ, wv, f.c(0)), loss) // the sum's: no Inf·0 where ignored
	// One half at a time, the limit from memory: AVX2's registers are few.
	for h, acc := range []reg.VecVirtual{acc0, acc1} {
		p, q := f.widen(loss, h), f.widen(wv, h)
		VMULPD(q, p, p)
		VMINPD(f.limF64(), p, p) // p < lim ? p : lim
		VADDPD(p, acc, acc)
	}
	return out
}

// weighOutHeld returns v times the weights wv as weighRange makes it:
// the float32 product, raised to floor where below it (floor nil: none;
// NaN stays NaN), held to ±MaxFloat32, and 0 where a weight is 0.
func (f *f32) weighOutHeld(wv, v reg.VecVirtual, floor reg.VecVirtual) reg.VecVirtual {
	p := f.mul(v, wv)
	if floor != nil {
		p = f.max(floor, p) // floor > p ? floor : p, as Go's h < floor test
	}
	// Held to ±MaxFloat32 with the limit first: a NaN p stays NaN.
	p = f.op(VMINPS, VMINPS_BCST, f.load(f.c(math.MaxFloat32)), p)
	p = f.max(f.load(f.c(-math.MaxFloat32)), p)
	return f.keep(f.cmp(cmpNEQ, wv, f.c(0)), p)
}

// members32Masked emits the masked forms of the float32-lane member
// kernels: memberHardMasked…F32, which take the weights w and the ignore
// mask m, the weight 0 where ignored, and write what package kernel's
// weighting loop makes of the plain kernel's outputs (see weighMember,
// weighOutHeld), with the Hessian's floor (q's) after the weight; a
// target or logit whose weight is 0 is not checked.
func (f *f32) members32Masked() {
	f.masked = true
	defer func() { f.masked = false }()
	f.members32()
}

// members32 emits the float32-lane member kernels.
func (f *f32) members32() {
	f.member32("poly1", powParts, nil, f.poly1)
	f.member32("reduced", powParts, nil, f.reduced)
	f.member32("varifocal", powParts, nil, f.varifocal)
	f.member32("flstar", noParts, nil, f.flstar)
	f.member32("focal", powParts, nil, f.focal)
	f.member32("focalexp", expParts, f.scheduledGamma, f.focalexp)
	f.member32("asl", pairParts, nil, f.asl)
	f.member32("aslExact", pairParts, nil, f.aslExact)
}

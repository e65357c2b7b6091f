package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

const (
	// asl: the signed, scaled gradient factors (−scale for y = 1, scale
	// for y = 0), the margin m and logit(m), each a float32 and the rest,
	// the least float32 logit whose p exceeds m (package focal's test
	// p − m > 0), γ₋ as an int32 and as a float32, γ₊ as a float32 (its
	// int32 is m32Pow);
	// from m32Root, the Taylor coefficients of p − m in u = x − logit(m)
	// (aslTerms, the first as a float32 and the rest)
	asG1 = m32Own + iota
	asG0
	asMg
	asMgLo
	asXm
	asXmLo
	asXt
	asKNeg
	asGammaNeg
	asGammaPos
	asNear = m32Root
)

// aslNear is the width, in the logit, of the margin's neighbourhood where
// asl computes p − m from its Taylor series in x − logit(m); aslTerms is
// the number of the series' terms it takes (package kernel's
// aslNearTerms).
const (
	aslNear  = 0.5
	aslTerms = 10
)

// asl is focal.Asymmetric with a detached weight (KindASL's default) for
// hard targets, integer γ₊ ≤ 2 and γ₋ ≤ 8, and a margin m in [2^−20, 1/4],
// loss and gradient (its Hessian takes the float64 lanes):
//
//	y = 1:  L = q^γ₊ softplus(−x),  scale·L′ = −scale q^γ₊ q
//	y = 0:  L = d^γ₋ c,  scale·L′ = scale d^γ₋ pq/(q + m)   (0 where p ≤ m)
//
// with p = σ(x), q = σ(−x), d = p − m and c = −log(1 − d) = −log(q + m).
// d^γ₋ multiplies d's relative error by γ₋, and d cancels at the margin,
// so d is a double float32 (dₕ + dₗ):
//   - within aslNear of the margin's logit xₘ, d = u·R(u), u = x − xₘ
//     (x − xₘ's float32 part is exact: x and xₘ are within a factor 2
//     there, which m ≤ 1/4 makes so), R(u) = Σ aₖ u^(k−1) the Taylor
//     series of σ(xₘ + u) − m to aslTerms terms (package kernel's
//     aslNear: within 3.9e-9 relative for m ≤ 1/4), its first term and
//     the products' errors kept (p − m from p would keep only (p − m)/p
//     of p's relative accuracy, which vanishes at the margin);
//   - beyond it, d = (pₕ − mₕ) + (pₗ − mₗ), the first difference's error
//     kept (Fast2Sum), with p and q as double float32s from
//     e + eₗ = e^−|x| (expNegPair, 4e-9 relative on AVX-512, 1.1e-8 on
//     AVX2): 1/(1 + e) with its low part from the division's residual,
//     e/(1 + e) with its own from the two adding up to 1; p's error over
//     (p − m)/p ≥ 0.37 there.
//
// d^γ₋ is dₕ^γ₋ by multiplication plus γ₋ dₕ^(γ₋−1) dₗ. With v = q + m
// (its rounding error kept) and z = d/v, c = log1p(z) + dₗ for z ≤ 1
// (log1p′(z) = v ≈ 1) and, for z > 1 (v < 1/2), c = log(1/v) =
// k ln 2 + log1p(f − 1), 1/v = f·2^k, f ∈ [1, 2): one log1pPoly for
// either and for the positives' softplus(−x) = max(−x, 0) + log1p(e).
// The positives' q^γ₊ is compensated (powKComp) from q's two parts.
func (f *f32) asl(s *parts32) (l, g reg.VecVirtual, h func() reg.VecVirtual) {
	return f.aslForm(s, false)
}

// aslExact is asl for the exact form (the weight differentiated too,
// focal.Asymmetric without DetachWeight): with the same parts,
//
//	y = 1:  scale·L′ = −scale q^γ₊ (γ₊ p softplus(−x) + q)
//	y = 0:  scale·L′ = scale d^γ₋ pq (γ₋ c/d + 1/(q + m))
//
// (every term of one sign), c/d by one more division.
func (f *f32) aslExact(s *parts32) (l, g reg.VecVirtual, h func() reg.VecVirtual) {
	return f.aslForm(s, true)
}

// aslForm emits asl, or with exact aslExact.
func (f *f32) aslForm(s *parts32, exact bool) (l, g reg.VecVirtual, h func() reg.VecVirtual) {
	sign := f.cbits(1 << 31)
	f.defBlends = true
	defer func() { f.defBlends = false }()
	// AVX2's sixteen registers do not hold the parts: there the long-lived
	// ones wait in the frame.
	hold := func(v reg.VecVirtual) func() reg.VecVirtual {
		if f.z {
			return func() reg.VecVirtual { return v }
		}
		m := AllocLocal(4 * f.lanes())
		VMOVUPS(v, m)
		return func() reg.VecVirtual { r := f.vec(); VMOVUPS(m, r); return r }
	}
	one := func() reg.Register { return s.one }
	if !f.z {
		h := hold(s.one.(reg.VecVirtual))
		one = func() reg.Register { return h() }
	}
	x := s.x
	// p and q as double float32s: 1/(sₕ + sₗ) and e/(sₕ + sₗ),
	// sₕ + sₗ = 1 + e + eₗ, the low parts from the residuals.
	e := s.ehi()
	sh := f.add(e, f.c(1))
	sl := f.add(f.sub(f.load(f.c(1)), sh), e) // Fast2Sum: 1 ≥ e
	VADDPS(s.elo(), sl, sl)
	inv := f.div(f.load(f.c(1)), sh)
	ei := f.mul(e, inv)
	il := f.load(f.c(1))
	VFNMADD231PS(inv, sh, il) // 1 − inv·sₕ
	VFNMADD231PS(inv, sl, il)
	il = f.mul(il, inv)
	// The two quotients add up to 1: e/(sₕ + sₗ) − ei =
	// ((1 − inv) − ei) − il, both differences exact (Sterbenz: inv ≥ 1/2,
	// 1 − inv ≈ ei).
	el := f.sub(f.sub(f.sub(f.load(f.c(1)), inv), ei), il)
	xneg := f.signMask(x)
	ph, qh := f.selectSign(xneg, ei, inv), f.selectSign(xneg, inv, ei)
	pl, ql := f.selectSign(xneg, el, il), f.selectSign(xneg, il, el)
	// v = q + m and its rounding error, 1/v, and the negatives' gradient
	// factor pq/v.
	mg := s.qv(asMg)
	vh := f.add(qh, mg)
	big, small := f.max(qh, mg), f.op(VMINPS, VMINPS_BCST, qh, mg)
	vl := f.add(f.sub(big, vh), small)
	VADDPS(ql, vl, vl)
	vl = f.add(vl, s.qo(asMgLo))
	rv := f.div(f.load(f.c(1)), f.add(vh, vl))
	pq := f.mul(f.add(ph, pl), f.add(qh, ql))
	G := hold(f.mul(f.blend(one(), f.mul(pq, rv), qh), s.pair(asG1, asG0)))
	var pqh, pph func() reg.VecVirtual
	if exact {
		pqh, pph = hold(pq), hold(f.add(ph, pl))
	}
	wp, wpl := f.powKComp(qh, ql, s.qm(m32Pow), s.label("powp")) // q^γ₊ (the positives')
	VADDPS(wpl, wp, wp)
	wph := hold(wp)
	rvh := hold(rv)
	// d far from the margin: (pₕ − mₕ) + (pₗ − mₗ).
	t1 := f.sub(ph, s.qo(asMg))
	t2 := f.sub(f.sub(f.sub(ph, t1), s.qo(asMg)), s.qo(asMgLo)) // Fast2Sum's error (p > m) − mₗ
	VADDPS(pl, t2, t2)
	dh := f.add(t1, t2)
	dl := f.add(f.sub(t1, dh), t2)
	dhh, dlh := hold(dh), hold(dl)
	// d near the margin: u·R(u), u = x − xₘ as u₁ + u₁ₗ, R = a₁ + u S(u)
	// as Rₕ + Rₗ.
	uh := f.sub(x, s.qo(asXm)) // exact where near
	u1 := f.sub(uh, s.qo(asXmLo))
	u1l := f.sub(f.sub(uh, u1), s.qo(asXmLo))
	S := s.qv(asNear + aslTerms)
	for k := aslTerms - 1; k >= 2; k-- {
		if f.z {
			VFMADD213PS_BCST(s.qm(asNear+k), u1, S)
		} else {
			VFMADD213PS(s.qv(asNear+k), u1, S)
		}
	}
	t := f.mul(S, u1)
	Rh := f.add(t, s.qo(asNear))
	Rl := f.add(f.sub(f.load(s.qm(asNear)), Rh), t) // Fast2Sum: a₁ ≥ u S(u)
	Rl = f.add(Rl, s.qo(asNear+1))
	ndh := f.mul(u1, Rh)
	ndl := f.twoProdErr(u1, Rh, ndh)
	VFMADD231PS(u1, Rl, ndl)
	VFMADD231PS(u1l, Rh, ndl)
	near := f.cmp(cmpLT, uh, f.c(aslNear))
	dh = f.blend(near, dhh(), ndh)
	dl = f.blend(near, dlh(), ndl)
	var Xs func() reg.VecVirtual
	if exact {
		// The factor of γ c in the gradient, signed and scaled: p for
		// y = 1, pq/d for y = 0.
		X := f.blend(one(), f.div(pqh(), dh), pph())
		Xs = hold(f.mul(X, s.pair(asG1, asG0)))
	}
	// w = d^γ₋ and z = d/v.
	w := f.powKCorr(dh, dl, s.qm(asKNeg), s.qo(asGammaNeg), s.label("pown"))
	rv = rvh()
	z := f.mul(dh, rv)
	// c: log1p(z) + dₗ for z ≤ 1, else k ln 2 + log1p(f − 1) with
	// 1/v = f·2^k; softplus(−x) = max(−x, 0) + log1p(e) for y = 1.
	kf := f.vec()
	VPSRLD(U8(23), rv, kf)
	if f.z {
		VPSUBD_BCST(f.cbits(127), kf, kf)
	} else {
		VPSUBD(f.cbits(127), kf, kf)
	}
	VCVTDQ2PS(kf, kf)
	fm := f.op(VORPS, VORPS_BCST, f.and(rv, f.cbits(1<<23-1)), f.cbits(0x3f800000))
	fm = f.sub(fm, f.c(1))
	add := f.mul(kf, f.c(float32(math.Ln2))) // ln 2 rounded to float32: 2.8e-9 relative
	inz := f.cmp(cmpLE, z, f.c(1))
	arg := f.blend(inz, fm, z)
	add = f.blend(inz, add, dl)
	o := one()
	arg = f.blend(o, arg, s.ehi())
	add = f.blend(o, add, f.max(f.xor(x, sign), f.c(0)))
	c := f.add(f.log1pPoly(arg), add)
	w = f.blend(o, w, wph())
	// Zero where y = 0 and p ≤ m.
	keep := f.or(o, f.cmp(cmpGE, x, s.qo(asXt)))
	l = f.keep(keep, f.mul(w, c))
	gf := G()
	if exact {
		VFMADD231PS(f.mul(c, s.pair(asGammaPos, asGammaNeg)), Xs(), gf) // + γ c X
	}
	g = f.keep(keep, f.mul(w, gf))
	return l, g, nil
}

// twoProdErr returns a·b − p, p the float32 product of a and b: its
// rounding error, exact (a fused multiply-add).
func (f *f32) twoProdErr(a, b, p reg.VecVirtual) reg.VecVirtual {
	e := f.vec()
	VMOVAPS(b, e)
	VFMSUB213PS(p, a, e) // a·e − p
	return e
}

// powKComp returns d^k for d = dh + dl (a double float32) and k the int32
// at flag, as w + wl: w = dₕ^k by k − 1 multiplications, wl their
// rounding errors (fused multiply-adds) and dₗ's share, carried along
// (a compensated power: within about one rounding of the product). k = 0
// gives 1 + 0, k = 1 dₕ + dₗ. label names its loop.
func (f *f32) powKComp(dh, dl reg.VecVirtual, flag Mem, label string) (w, wl reg.VecVirtual) {
	w, wl = f.vec(), f.vec()
	VMOVAPS(dh, w)
	VMOVAPS(dl, wl)
	f.kLoop(flag, label, func() {
		VBROADCASTSS(f.c(1), w)
		VXORPS(wl, wl, wl)
	}, func() { // w + wl = d^(k − c + 1)
		p := f.mul(w, dh)
		e := f.twoProdErr(w, dh, p)
		VFMADD231PS(w, dl, e)  // + w dₗ
		VFMADD231PS(wl, dh, e) // + wl dₕ
		VMOVAPS(p, w)
		VMOVAPS(e, wl)
	})
	return w, wl
}

// powKCorr returns d^k for d = dh + dl (a double float32), k the int32 at
// flag and kf its float32: dₕ^(k−1) by k − 2 multiplications, then
// dₕ^(k−1)·dₕ + k dₕ^(k−1) dₗ (1 for k = 0, dₕ + dₗ for k = 1). label
// names its loop.
func (f *f32) powKCorr(dh, dl reg.VecVirtual, flag Mem, kf Op, label string) reg.VecVirtual {
	w := f.vec()
	c := GP32()
	MOVL(flag, c)
	CMPL(c, U8(1))
	JA(LabelRef(label))
	// k ≤ 1: 1, or dₕ + dₗ
	VBROADCASTSS(f.c(1), w)
	JB(LabelRef(label + "done"))
	VADDPS(dl, dh, w)
	JMP(LabelRef(label + "done"))
	Label(label) // k ≥ 2
	VMOVAPS(dh, w)
	Label(label + "loop") // w = dₕ^(k − c + 1)
	DECL(c)
	CMPL(c, U8(1))
	JE(LabelRef(label + "last"))
	VMULPS(dh, w, w)
	JMP(LabelRef(label + "loop"))
	Label(label + "last")
	k := f.mul(w, kf)
	VMULPS(dh, w, w)
	VFMADD231PS(k, dl, w)
	Label(label + "done")
	return w
}

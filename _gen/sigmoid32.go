package main

import (
	"fmt"
	"math"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// f32 emits float32 arithmetic: on AVX-512 16 lanes per ZMM register, with
// constants as {1to16} broadcast operands of a table of float32s; on AVX2 8
// lanes per YMM register, with constants as 32-byte vectors and vector
// masks.
type f32 struct {
	name   string
	z      bool
	sym    Symbol
	consts map[uint32]int
	bits   []uint32
}

func newF32(avx512 bool) *f32 {
	name := "AVX2"
	if avx512 {
		name = "AVX512"
	}
	return &f32{name: name, z: avx512, sym: Symbol{Name: "consts32" + name, Static: true}, consts: map[uint32]int{}}
}

// stride is the size of a constant in the table.
func (f *f32) stride() int {
	if f.z {
		return 4
	}
	return 32
}

// lanes is the float32 lane count of a vector.
func (f *f32) lanes() int {
	if f.z {
		return 16
	}
	return 8
}

func (f *f32) vec() reg.VecVirtual {
	if f.z {
		return ZMM()
	}
	return YMM()
}

func (f *f32) mask() reg.Register {
	if f.z {
		return K()
	}
	return YMM()
}

func (f *f32) c(v float32) Mem { return f.cbits(math.Float32bits(v)) }

func (f *f32) cbits(b uint32) Mem {
	off, ok := f.consts[b]
	if !ok {
		off = f.stride() * len(f.bits)
		f.consts[b] = off
		f.bits = append(f.bits, b)
	}
	return NewDataAddr(f.sym, off)
}

func (f *f32) emitConsts() {
	GLOBL(f.sym.Name, RODATA|NOPTR)
	for i, b := range f.bits {
		for j := 0; j < f.stride()/4; j++ {
			DATA(f.stride()*i+4*j, U32(b))
		}
	}
}

// op emits d = x ∘ y, y a register or a constant (or parameter) operand.
func (f *f32) op(plain, bcst instr, x reg.VecVirtual, y Op) reg.VecVirtual {
	d := f.vec()
	if m, ok := y.(Mem); ok && f.z {
		bcst(m, x, d)
	} else {
		plain(y, x, d)
	}
	return d
}

func (f *f32) add(x reg.VecVirtual, y Op) reg.VecVirtual { return f.op(VADDPS, VADDPS_BCST, x, y) }
func (f *f32) sub(x reg.VecVirtual, y Op) reg.VecVirtual { return f.op(VSUBPS, VSUBPS_BCST, x, y) }
func (f *f32) mul(x reg.VecVirtual, y Op) reg.VecVirtual { return f.op(VMULPS, VMULPS_BCST, x, y) }
func (f *f32) div(x reg.VecVirtual, y Op) reg.VecVirtual { return f.op(VDIVPS, VDIVPS_BCST, x, y) }
func (f *f32) max(x reg.VecVirtual, y Op) reg.VecVirtual { return f.op(VMAXPS, VMAXPS_BCST, x, y) }
func (f *f32) xor(x reg.VecVirtual, y Op) reg.VecVirtual { return f.op(VXORPS, VXORPS_BCST, x, y) }
func (f *f32) and(x reg.VecVirtual, y Op) reg.VecVirtual { return f.op(VANDPS, VANDPS_BCST, x, y) }

// load returns a register holding the constant or parameter m (4 bytes,
// broadcast: parameters are single float32s on both instruction sets).
func (f *f32) load(m Mem) reg.VecVirtual {
	d := f.vec()
	VBROADCASTSS(m, d)
	return d
}

// horner sets p = p·x + c.
func (f *f32) horner(p, x reg.VecVirtual, c float32) {
	if f.z {
		VFMADD213PS_BCST(f.c(c), x, p)
	} else {
		VFMADD213PS(f.c(c), x, p)
	}
}

// fnmadd sets d = d − c·x for a constant c.
func (f *f32) fnmadd(c Mem, x, d reg.VecVirtual) {
	if f.z {
		VFNMADD231PS_BCST(c, x, d)
	} else {
		VFNMADD231PS(c, x, d)
	}
}

func (f *f32) cmp(pred uint8, x reg.VecVirtual, y Op) reg.Register {
	k := f.mask()
	if m, ok := y.(Mem); ok && f.z {
		VCMPPS_BCST(U8(pred), m, x, k)
	} else {
		VCMPPS(U8(pred), y, x, k)
	}
	return k
}

// blend returns m ? t : fl.
func (f *f32) blend(m reg.Register, fl reg.VecVirtual, t Op) reg.VecVirtual {
	d := f.vec()
	mm, isMem := t.(Mem)
	switch {
	case f.z && isMem:
		VBLENDMPS_BCST(mm, fl, m, d)
	case f.z:
		VBLENDMPS(t, fl, m, d)
	default:
		VBLENDVPS(m, t, fl, d)
	}
	return d
}

// or returns the union of two masks.
func (f *f32) or(a, b reg.Register) reg.Register {
	d := f.mask()
	if f.z {
		KORW(a, b, d)
	} else {
		VORPS(a, b, d)
	}
	return d
}

// andTo sets d = d ∩ a.
func (f *f32) andTo(d, a reg.Register) {
	if f.z {
		KANDW(a, d, d)
	} else {
		VANDPS(a, d, d)
	}
}

// jumpUnlessAll jumps to label unless every lane of m is set.
func (f *f32) jumpUnlessAll(m reg.Register, label string) {
	if f.z {
		KORTESTW(m, m)
		JCC(LabelRef(label)) // CF = all ones
		return
	}
	g := GP32()
	VMOVMSKPS(m, g)
	CMPL(g, U32(0xff))
	JNE(LabelRef(label))
}

// estrin returns Σ c[i]·xⁱ (see isa.estrin).
func (f *f32) estrin(x reg.VecVirtual, c []float32) reg.VecVirtual {
	return f.estrinPows([]reg.VecVirtual{x}, c)
}

// estrinPows is estrin with x, x², x⁴, … already computed in pows (at
// least x), the rest computed here.
func (f *f32) estrinPows(pows []reg.VecVirtual, c []float32) reg.VecVirtual {
	x := pows[0]
	for 1<<len(pows) < len(c) {
		p := pows[len(pows)-1]
		pows = append(pows, f.mul(p, p))
	}
	var rec func(c []float32) reg.VecVirtual
	rec = func(c []float32) reg.VecVirtual {
		if len(c) == 1 {
			return f.load(f.c(c[0]))
		}
		if len(c) == 2 {
			t := f.load(f.c(c[1]))
			f.horner(t, x, c[0])
			return t
		}
		lvl := 0
		for 2<<lvl < len(c) {
			lvl++
		}
		lo, hi := rec(c[:1<<lvl]), rec(c[1<<lvl:])
		VFMADD213PS(lo, pows[lvl], hi) // hi·x^h + lo
		return hi
	}
	return rec(c)
}

// expReduced returns e^r and k for z ≤ 0 (clamped at −180), with
// eᶻ = e^r·2^k: k = round(z/ln 2), r = z − k·ln 2 by float32 Cody–Waite
// constants (ln2Hi32 has 12 trailing zero bits), |r| ≤ ln2/2, and e^r by
// its Taylor polynomial of degree 7 (truncation below 5.3e-9 relative, a
// tenth of float32's rounding). expNeg and expNegFlush scale it. The clamp
// lies below the point (z ≈ −173.3) where even the largest gradient scale
// the kernels take, 2^100, leaves eᶻ·scale below float32's smallest
// subnormal: the scaled products the kernels form from e^r and k round to
// 0 there, as the exact ones do.
func (f *f32) expReduced(z reg.VecVirtual) (p, k reg.VecVirtual) {
	const ln2Hi32, ln2Lo32 = 0.693145751953125, 1.428606765330187045e-06
	r := f.max(z, f.c(-180))
	k = f.vec()
	if f.z {
		VRNDSCALEPS(U8(8), f.mul(r, f.c(float32(math.Log2E))), k)
	} else {
		VROUNDPS(U8(8), f.mul(r, f.c(float32(math.Log2E))), k)
	}
	f.fnmadd(f.c(ln2Hi32), k, r)
	f.fnmadd(f.c(ln2Lo32), k, r)
	c := make([]float32, 6)
	for i := range c {
		c[i] = float32(1 / fact(i+2))
	}
	q := f.estrin(r, c)
	VFMADD213PS(r, f.mul(r, r), q) // r + r²·q
	return f.add(q, f.c(1)), k
}

// expNeg returns eᶻ for z ≤ 0 (0 below −103.97, where it underflows) on
// AVX-512: as isa.exp, in float32 (see expReduced), with 2^k applied
// exactly by VSCALEFPS, subnormal results included. (AVX2 uses
// expNegFlush.)
func (f *f32) expNeg(z reg.VecVirtual) reg.VecVirtual {
	p, k := f.expReduced(z)
	return f.scalef(p, k)
}

// scalef returns p·2^k (k integral), rounded once, subnormals included
// (AVX-512).
func (f *f32) scalef(p, k reg.VecVirtual) reg.VecVirtual {
	d := f.vec()
	VSCALEFPS(k, p, d)
	return d
}

// log1p01 returns log(1 + e) for e ∈ [0, 1], as isa.log1p01 in float32
// with R truncated after Lg4 (error below 1e-9 relative).
func (f *f32) log1p01(e reg.VecVirtual) reg.VecVirtual {
	const ln2Hi32, ln2Lo32 = 6.9313812256e-01, 9.0580006145e-06 // fdlibm e_logf.c
	big := f.cmp(cmpGT, e, f.c(float32(math.Sqrt2-1)))
	fv := f.blend(big, e, f.mul(f.sub(e, f.c(1)), f.c(0.5)))
	k := f.vec()
	VXORPS(k, k, k)
	k = f.blend(big, k, f.c(1))
	s := f.div(fv, f.add(fv, f.c(2)))
	s2 := f.mul(s, s)
	R := f.load(f.c(lg4))
	f.horner(R, s2, lg3)
	f.horner(R, s2, lg2)
	f.horner(R, s2, lg1)
	R = f.mul(R, s2)
	hfsq := f.mul(f.mul(fv, fv), f.c(0.5))
	u := f.add(f.mul(s, f.add(hfsq, R)), f.mul(k, f.c(ln2Lo32)))
	v := f.sub(f.sub(hfsq, u), fv)
	return f.sub(f.mul(k, f.c(ln2Hi32)), v)
}

// Slots of q, the float32 parameters of the float32-lane kernels (as in
// internal/kernel/vec.go). The gradient's factor αₜ·scale comes signed,
// −s αₜ scale with s = 2y − 1, whole (qG1, qG0) and divided by 2^B (qH1,
// qH0: the scaled AVX2 kernel, which multiplies its exponentials by 2^B
// instead).
const (
	qA     = iota // αₜ for y = 1: α (1 without α)
	qB            // αₜ for y = 0: 1 − α (1 without α)
	qGamma        // γ
	qScale        // scale
	qG1           // −α·scale
	qG0           // (1 − α)·scale
	qH1           // −α·scale·2^−B
	qH0           // (1 − α)·scale·2^−B
	qDown         // 2^−B
	qUp           // 2^B
	qBias         // the int32 127 + B
)

// sigmoidHard32 emits a float32-lane kernel for float32 data with hard
// targets, integer γ ≤ 2 (kernel.maxGamma32), loss and gradient (no
// Hessian):
//
//	func(p *[32]float64, q *[16]float32, loss, grad, x, y *float32, n int) (sum float64, done int)
//
// q holds the float32 parameters (qA…qBias). It stops at the first step
// with a target other than 0 or 1 and returns how many elements it did (n
// when none), in steps of 32 elements. These are the AVX-512 kernels; on
// AVX2 sigmoidHard32VEX emits them.
//
// For y ∈ {0, 1}, with sign s = 2y − 1 and t = s·x (the true class's logit),
// pₜ = σ(t), m = 1 − pₜ, ce = softplus(−t) = max(−t, 0) + log1p(e^−|x|):
//
//	FL = αₜ m^γ ce,  scale·∂FL/∂x = −s αₜ scale·m^γ (γ pₜ ce + m)
//
// (SigmoidElem with r = −s·pₜ, p − y = −s·m.) In float32 every step is
// within a few ulps and the products of at most two factors m keep loss
// and gradient within 1e-6 relative of the float64 path.
//
// For t ≥ 0, m ≈ e^−t leaves float32's normal range at t ≈ 87.3 and its
// subnormals at 103.97, m^γ much earlier, and the bits a subnormal factor
// lacks are missing from the product. With |scale| ≤ 1 the gradient is
// then below 2^−125 and so is that error, and the plain kernel
// (sigmoidHardAVX512F32) multiplies αₜ m^γ, shared with the loss, by
// γ pₜ ce + m and by the scale last. A larger scale, up to 2^100, makes a
// normal float32 of such a gradient; the scaled kernel
// (sigmoidHardScaledAVX512F32) multiplies from the scale down instead:
// −s αₜ scale·(γ pₜ ce + m), whose m comes already scaled, as
// αₜ·scale·e^r/(1 + e^−|x|) times 2^k by one VSCALEFPS (one rounding,
// subnormals included), then m, γ times. No partial product is then below
// half the result, and none loses bits the result keeps. (γ pₜ ce needs no
// such care: where it leaves the normal range, t > 87.3 with γ ≥ 1, the
// result, about (γ + 1)·αₜ·scale·m^(γ+1) < 3·2^−152, rounds to 0.)
func (f *f32) sigmoidHard32(scaled bool) {
	if !f.z {
		f.sigmoidHard32VEX(scaled)
		return
	}
	r := f.hard32Begin(scaled, "sigmoidHard32", "n must be a multiple of 32.")
	X, Y, i, L := r.x, r.y, r.i, r.label
	// Two blocks per iteration, each step emitted for both in turn: their
	// exp → log1p chains overlap.
	const U = 2
	at := func(b reg.Register, u int) Mem { return Mem{Base: b, Index: i, Scale: 4, Disp: 4 * f.lanes() * u} }
	x, y := make([]reg.VecVirtual, U), make([]reg.VecVirtual, U)
	one := make([]reg.Register, U)
	var hard reg.Register
	for u := range U {
		x[u], y[u] = f.vec(), f.vec()
		VMOVUPS(at(X, u), x[u])
		VMOVUPS(at(Y, u), y[u])
		one[u] = f.cmp(cmpEQ, y[u], f.c(1))
		h := f.or(one[u], f.cmp(cmpEQ, y[u], f.c(0)))
		if u > 0 {
			f.andTo(h, hard)
		}
		hard = h
	}
	f.jumpUnlessAll(hard, L("done")) // a soft target: stop before these blocks

	m, pt, ce := make([]reg.VecVirtual, U), make([]reg.VecVirtual, U), make([]reg.VecVirtual, U)
	er, k, inv := make([]reg.VecVirtual, U), make([]reg.VecVirtual, U), make([]reg.VecVirtual, U)
	tpos := make([]reg.Register, U)
	for u := range U {
		t := f.blend(one[u], f.xor(x[u], f.cbits(1<<31)), x[u]) // s·x
		er[u], k[u] = f.expReduced(f.xor(f.and(x[u], f.cbits(1<<31-1)), f.cbits(1<<31)))
		e := f.scalef(er[u], k[u]) // e^−|x|
		l1 := f.log1p01(e)
		inv[u] = f.div(f.load(f.c(1)), f.add(e, f.c(1)))
		ei := f.mul(e, inv[u])
		tpos[u] = f.cmp(cmpGE, t, f.c(0))
		m[u] = f.blend(tpos[u], inv[u], ei)                        // σ(−t)
		pt[u] = f.blend(tpos[u], ei, inv[u])                       // σ(t)
		ce[u] = f.add(f.max(f.xor(t, f.cbits(1<<31)), f.c(0)), l1) // softplus(−t)
	}

	if scaled {
		f.hard32ScaledTail(r, U, at, one, tpos, x, m, pt, ce, er, k, inv)
	} else {
		f.hard32PlainTail(r, U, at, one, x, m, pt, ce)
	}

	ADDQ(U8(f.lanes()*U), i)
	JMP(LabelRef(L("loop")))

	Label(L("done"))
	f.hard32End(r.acc0, r.acc1, i)
}

// hard32PlainTail emits the loss and gradient of sigmoidHardAVX512F32
// (see sigmoidHard32) from m, pₜ and ce.
func (f *f32) hard32PlainTail(r hard32Regs, U int, at func(reg.Register, int) Mem, one []reg.Register, x, m, pt, ce []reg.VecVirtual) {
	P, Q, lossP, gradP, acc0, acc1, L := r.p, r.q, r.loss, r.grad, r.acc0, r.acc1, r.label
	qa := func(i int) Mem { return Mem{Base: Q, Disp: 4 * i} }
	w := make([]reg.VecVirtual, U)
	for u := range w {
		w[u] = f.load(f.c(1))
	}
	f.mulPowK(P, L("pow"), w, m)

	for u := range U {
		aw := f.mul(w[u], f.blend(one[u], f.load(qa(qB)), qa(qA))) // αₜ m^γ
		nan := f.cmp(cmpUNORD, x[u], x[u])
		loss := f.mul(aw, ce[u])
		loss = f.blend(nan, loss, f.cbits(0x7fc00000))
		f.accumulate(loss, acc0, acc1)
		lu := func(s string) string { return L(fmt.Sprint(s, u)) }
		TESTQ(lossP, lossP)
		JZ(LabelRef(lu("noloss")))
		VMOVUPS(loss, at(lossP, u))
		Label(lu("noloss"))

		TESTQ(gradP, gradP)
		JZ(LabelRef(lu("nograd")))
		g := f.add(f.mul(f.mul(pt[u], qa(qGamma)), ce[u]), m[u])
		g = f.mul(f.mul(aw, g), qa(qScale))
		g = f.blend(one[u], g, f.xor(g, f.cbits(1<<31))) // −s·…
		g = f.blend(nan, g, f.cbits(0x7fc00000))
		VMOVUPS(g, at(gradP, u))
		Label(lu("nograd"))
	}
}

// hard32ScaledTail emits the loss and gradient of
// sigmoidHardScaledAVX512F32 (see sigmoidHard32) from m, pₜ, ce, and e^r,
// k and 1/(1 + e^−|x|) for the scaled m.
func (f *f32) hard32ScaledTail(r hard32Regs, U int, at func(reg.Register, int) Mem, one, tpos []reg.Register, x, m, pt, ce, er, k, inv []reg.VecVirtual) {
	P, Q, lossP, gradP, acc0, acc1, L := r.p, r.q, r.loss, r.grad, r.acc0, r.acc1, r.label
	qa := func(i int) Mem { return Mem{Base: Q, Disp: 4 * i} }
	loss := make([]reg.VecVirtual, U)
	for u := range U {
		loss[u] = f.mul(ce[u], f.blend(one[u], f.load(qa(qB)), qa(qA))) // αₜ ce
	}
	f.mulPowK(P, L("pow"), loss, m) // αₜ ce m^γ

	nan := make([]reg.Register, U)
	for u := range U {
		nan[u] = f.cmp(cmpUNORD, x[u], x[u])
		l := f.blend(nan[u], loss[u], f.cbits(0x7fc00000))
		f.accumulate(l, acc0, acc1)
		lu := L(fmt.Sprint("noloss", u))
		TESTQ(lossP, lossP)
		JZ(LabelRef(lu))
		VMOVUPS(l, at(lossP, u))
		Label(lu)
	}

	TESTQ(gradP, gradP)
	JZ(LabelRef(L("nograd")))
	g := make([]reg.VecVirtual, U)
	for u := range U {
		sa := f.blend(one[u], f.load(qa(qG0)), qa(qG1)) // −s αₜ scale
		ms := f.mul(sa, inv[u])
		VSCALEFPS(k[u], f.mul(ms, er[u]), tpos[u], ms) // t ≥ 0: −s αₜ scale·m, rounded once
		g[u] = f.mul(f.mul(pt[u], qa(qGamma)), ce[u])
		VFMADD213PS(ms, sa, g[u]) // −s αₜ scale (γ pₜ ce + m)
	}
	f.mulPowK(P, L("gpow"), g, m)
	for u := range U {
		VMOVUPS(f.blend(nan[u], g[u], f.cbits(0x7fc00000)), at(gradP, u))
	}
	Label(L("nograd"))
}

// log1pQ are the coefficients of Q, a degree-7 fit of (log1p(e) − e)/e² on
// [0, 1], minimax for the relative error of e + e²·Q(e): 3.3e-8 before
// rounding; the kernel's float32 evaluation is within 2 ulp
// (TestVecMath32Within2ULP). Made by python3 _gen/fit/log1p_q.py.
var log1pQ = []float32{
	-4.9999647963e-01, 3.3321322613e-01, -2.4857163626e-01, 1.9153654772e-01,
	-1.3753801978e-01, 7.9204531238e-02, -3.0065789609e-02, 5.3648236561e-03,
}

// log1pPoly returns log(1 + e) for e ∈ [0, 1] as e + e²·Q(e), without
// division or range reduction.
func (f *f32) log1pPoly(e reg.VecVirtual) reg.VecVirtual {
	e2 := f.mul(e, e)
	q := f.estrinPows([]reg.VecVirtual{e, e2}, log1pQ)
	VFMADD213PS(e, e2, q) // e + e²·q
	return q
}

// expNegFlush is expNeg with one scaling step: 2^k is built in the
// exponent field with the biased exponent clamped at 0, so eᶻ below
// 2^−126 (z < −87.3) is 0 rather than subnormal. (The AVX2 kernel uses
// expNegBiased, its form with a larger bias.)
func (f *f32) expNegFlush(z reg.VecVirtual) reg.VecVirtual {
	p, k := f.expReduced(z)
	return f.scale2k(p, k, f.c(math.Float32frombits(127)))
}

// expNegBiased returns eᶻ·2^B for z ≤ 0, bias holding the int32s 127 + B
// (B ≥ 0), as expNegFlush does for B = 0: 0 where eᶻ·2^B is below 2^−126.
func (f *f32) expNegBiased(z reg.VecVirtual, bias Op) reg.VecVirtual {
	p, k := f.expReduced(z)
	return f.scale2k(p, k, bias)
}

// scale2k returns p·2^(k+B) for integral k, bias holding the int32s
// 127 + B, with 2^(k+B) built in the exponent field: 0 where k + B < −126.
func (f *f32) scale2k(p, k reg.VecVirtual, bias Op) reg.VecVirtual {
	VCVTPS2DQ(k, k)
	VPADDD(bias, k, k)
	VPMAXSD(f.cbits(0), k, k)
	VPSLLD(U8(23), k, k)
	VMULPS(k, p, p)
	return p
}

// hard32Regs are the argument registers of a float32-lane kernel, its
// float64 loss accumulators (lower and upper halves), its element index
// and its label maker.
type hard32Regs struct {
	p, q, loss, grad, x, y, n reg.Register
	acc0, acc1                reg.VecVirtual
	i                         reg.Register
	label                     func(string) string
}

// hard32Begin starts a float32-lane kernel, the scaled form or the plain
// one (see sigmoidHard32; gen names its generator function, for the doc
// comment): it loads the arguments, zeroes the accumulators and the index,
// and opens the loop, which leaves for label("done") once the index reaches
// n.
func (f *f32) hard32Begin(scaled bool, gen, steps string) hard32Regs {
	name, what := "sigmoidHard"+f.name+"F32", "|scale| ≤ 1"
	if scaled {
		name, what = "sigmoidHardScaled"+f.name+"F32", "|scale| > 1"
	}
	TEXT(name, NOSPLIT, "func(p *[32]float64, q *[16]float32, loss, grad, x, y *float32, n int) (sum float64, done int)")
	record(f.name, strings.Replace(name, f.name, "", 1), name)
	record(f.name, "hardStep", map[bool]int{true: 32, false: 8}[f.z])
	Pragma("noescape")
	Doc(name+" is the float32-lane sigmoid kernel for hard targets, small integer γ and "+what+" (see "+gen+" in _gen).", steps)
	var r hard32Regs
	for _, a := range []struct {
		name string
		reg  *reg.Register
	}{{"p", &r.p}, {"q", &r.q}, {"loss", &r.loss}, {"grad", &r.grad}, {"x", &r.x}, {"y", &r.y}, {"n", &r.n}} {
		*a.reg = Load(Param(a.name), GP64())
	}
	r.acc0, r.acc1 = f.vec(), f.vec()
	VXORPD(r.acc0, r.acc0, r.acc0)
	VXORPD(r.acc1, r.acc1, r.acc1)
	r.i = GP64()
	XORQ(r.i, r.i)
	r.label = func(s string) string { return name + s }
	Label(r.label("loop"))
	CMPQ(r.i, r.n)
	JGE(LabelRef(r.label("done")))
	return r
}

// mulPowK multiplies each block's v by its m k times, k the integer γ in
// the parameter flags at P (a loop labelled label, all blocks in each
// pass).
func (f *f32) mulPowK(P reg.Register, label string, v, m []reg.VecVirtual) {
	c := GP64()
	MOVQ(Mem{Base: P, Disp: 32 * parFlags}, c)
	Label(label)
	TESTQ(c, c)
	JZ(LabelRef(label + "done"))
	for u := range v {
		VMULPS(m[u], v[u], v[u])
	}
	DECQ(c)
	JMP(LabelRef(label))
	Label(label + "done")
}

// accumulate adds the float32 lanes of loss, widened to float64, to acc0
// (the lower half) and acc1 (the upper half).
func (f *f32) accumulate(loss, acc0, acc1 reg.VecVirtual) {
	lo, hi := f.vec(), f.vec()
	if f.z {
		hy := YMM()
		VCVTPS2PD(loss.AsY(), lo)
		VEXTRACTF32X8(U8(1), loss, hy)
		VCVTPS2PD(hy, hi)
	} else {
		hx := XMM()
		VCVTPS2PD(loss.AsX(), lo)
		VEXTRACTF128(U8(1), loss, hx)
		VCVTPS2PD(hx, hi)
	}
	VADDPD(lo, acc0, acc0)
	VADDPD(hi, acc1, acc1)
}

// hard32End returns the sum of the float64 accumulators acc0 and acc1 and
// the element count i from a float32-lane kernel.
func (f *f32) hard32End(acc0, acc1 reg.VecVirtual, i reg.Register) {
	VADDPD(acc1, acc0, acc0)
	s := newISA(f.z).hsum(V{acc0})
	VZEROUPPER()
	Store(s, ReturnIndex(0))
	Store(i, ReturnIndex(1))
	RET()
}

// sigmoidHard32VEX is sigmoidHard32 on AVX2 (VEX encodings, 16 registers,
// one block of 8 per iteration), computed with fewer operations: log1p
// by a polynomial instead of a division, one exponent scaling, the sign of
// t selecting σ(t) and σ(−t) directly (VBLENDVPS reads the sign bit), and
// the signed, scaled αₜ of the gradient taken from q.
//
// The plain kernel builds 2^k in the exponent field and flushes e^−|x|
// below 2^−126 to 0 (expNegFlush), which, as the subnormal factors on
// AVX-512, costs gradients below 2^−125 while |scale| ≤ 1. Without
// VSCALEFPS the scaled kernel takes its scaled m from e^−|x|·2^B, built
// with the bias 127 + B, B the scale's binary exponent plus 8 (see
// hard32Bias in internal/kernel): σ(t) and σ(−t) times 2^B go into
// γ pₜ ce + m, and the signed αₜ·scale·2^−B multiplies it before the γ
// factors m. The bias keeps the scaled m a normal float32 wherever the
// result is one, and the construction's flush below 2^−126 costs only
// results below αₜ·scale·2^−B·2^−126 ≤ 2^−133. e^−|x| itself is
// e^−|x|·2^B times 2^−B, rounded once, σ(±t) likewise.
func (f *f32) sigmoidHard32VEX(scaled bool) {
	r := f.hard32Begin(scaled, "sigmoidHard32VEX", "n must be a multiple of 8.")
	P, Q, lossP, gradP, X, Y := r.p, r.q, r.loss, r.grad, r.x, r.y
	qm := func(i int) Mem { return Mem{Base: Q, Disp: 4 * i} }
	qv := func(i int) reg.VecVirtual { return f.load(qm(i)) }

	acc0, acc1, i, L := r.acc0, r.acc1, r.i, r.label
	at := func(b reg.Register) Mem { return Mem{Base: b, Index: i, Scale: 4} }
	x, y := f.vec(), f.vec()
	VMOVUPS(at(X), x)
	VMOVUPS(at(Y), y)
	one := f.cmp(cmpEQ, y, f.c(1))
	f.jumpUnlessAll(f.or(one, f.cmp(cmpEQ, y, f.c(0))), L("done")) // a soft target: stop before this block

	sign := f.cbits(1 << 31)
	t := f.blend(one, f.xor(x, sign), x) // s·x
	nabs := f.vec()
	VORPS(sign, x, nabs) // −|x|
	var e, m, pt, eiB, invB, mB reg.VecVirtual
	if scaled {
		bias := f.vec()
		VPBROADCASTD(qm(qBias), bias)
		eB := f.expNegBiased(nabs, bias) // e^−|x|·2^B
		down := qv(qDown)
		e = f.mul(eB, down)
		invB = f.div(qv(qUp), f.add(e, f.c(1))) // 2^B/(1 + e)
		eiB = f.mul(eB, f.mul(invB, down))
		mB = f.vec()
		VBLENDVPS(t, invB, eiB, mB) // σ(−t)·2^B: t < 0 takes 2^B/(1 + e)
		m = f.mul(mB, down)         // σ(−t)
	} else {
		e = f.expNegFlush(nabs)
		inv := f.div(f.load(f.c(1)), f.add(e, f.c(1)))
		ei := f.mul(e, inv)
		m, pt = f.vec(), f.vec()
		VBLENDVPS(t, inv, ei, m)  // σ(−t): t < 0 takes 1/(1 + e)
		VBLENDVPS(t, ei, inv, pt) // σ(t)
	}
	ce := f.add(f.max(f.xor(t, sign), f.c(0)), f.log1pPoly(e)) // softplus(−t)

	var loss, w reg.VecVirtual
	if scaled {
		loss = f.mul(ce, f.blend(one, qv(qB), qv(qA))) // αₜ ce
		f.mulPowK(P, L("pow"), []reg.VecVirtual{loss}, []reg.VecVirtual{m})
	} else {
		w = f.load(f.c(1))
		f.mulPowK(P, L("pow"), []reg.VecVirtual{w}, []reg.VecVirtual{m})
		loss = f.mul(f.mul(w, f.blend(one, qv(qB), qv(qA))), ce) // αₜ m^γ ce
	}
	nan := f.cmp(cmpUNORD, x, x)
	loss = f.blend(nan, loss, f.cbits(0x7fc00000))
	f.accumulate(loss, acc0, acc1)
	TESTQ(lossP, lossP)
	JZ(LabelRef(L("noloss")))
	VMOVUPS(loss, at(lossP))
	Label(L("noloss"))

	TESTQ(gradP, gradP)
	JZ(LabelRef(L("nograd")))
	var g reg.VecVirtual
	if scaled {
		ptB := f.vec()
		VBLENDVPS(t, eiB, invB, ptB) // σ(t)·2^B
		g = f.mul(ptB, qv(qGamma))
		VFMADD213PS(mB, ce, g)                       // (γ pₜ ce + m)·2^B
		g = f.mul(g, f.blend(one, qv(qH0), qv(qH1))) // −s αₜ scale (γ pₜ ce + m)
		f.mulPowK(P, L("gpow"), []reg.VecVirtual{g}, []reg.VecVirtual{m})
	} else {
		g = f.mul(pt, qv(qGamma))
		VFMADD213PS(m, ce, g)                                  // γ pₜ ce + m
		g = f.mul(f.mul(w, f.blend(one, qv(qG0), qv(qG1))), g) // −s αₜ scale m^γ (…)
	}
	g = f.blend(nan, g, f.cbits(0x7fc00000))
	VMOVUPS(g, at(gradP))
	Label(L("nograd"))

	ADDQ(U8(f.lanes()), i)
	JMP(LabelRef(L("loop")))

	Label(L("done"))
	f.hard32End(acc0, acc1, i)
}

// mathFuncs32 emits the float32-lane exp and log1p of the hard-target
// kernel as functions over arrays, for the tests:
//
//	func(dst, src *float32, n int)
//
// exp takes z ≤ 0, log1p takes e ∈ [0, 1]; n is a multiple of the lane
// count. On AVX2 they are expNegFlushAVX2F32 and log1pPolyAVX2F32, on
// AVX-512 expNegAVX512F32 and log1p01AVX512F32.
func (f *f32) mathFuncs32() {
	type fn struct {
		name string
		f    func(x reg.VecVirtual) reg.VecVirtual
	}
	fns := []fn{
		{"expNegFlush", f.expNegFlush},
		{"log1pPoly", f.log1pPoly},
	}
	if f.z {
		fns = []fn{{"expNeg", f.expNeg}, {"log1p01", f.log1p01}}
	}
	for _, fn := range fns {
		name := fn.name + f.name + "F32"
		record(f.name, map[bool]string{true: "expNeg32", false: "log1p32"}[strings.HasPrefix(fn.name, "exp")], name)
		TEXT(name, NOSPLIT, "func(dst, src *float32, n int)")
		Pragma("noescape")
		Doc(name + " sets dst[i] = " + fn.name + "(src[i]) for i < n, a multiple of the lane count (tests only).")
		dst := Load(Param("dst"), GP64())
		src := Load(Param("src"), GP64())
		n := Load(Param("n"), GP64())
		i := GP64()
		XORQ(i, i)
		Label(name + "loop")
		CMPQ(i, n)
		JGE(LabelRef(name + "done"))
		x := f.vec()
		VMOVUPS(Mem{Base: src, Index: i, Scale: 4}, x)
		VMOVUPS(fn.f(x), Mem{Base: dst, Index: i, Scale: 4})
		ADDQ(U8(f.lanes()), i)
		JMP(LabelRef(name + "loop"))
		Label(name + "done")
		VZEROUPPER()
		RET()
	}
}

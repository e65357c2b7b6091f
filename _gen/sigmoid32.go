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

	expUsed bool   // whether a kernel uses expTable's table …
	expSym  Symbol // … named so

	weighted bool // the kernel being emitted weighs its outputs (see sigmoidHard32Weighted) …
	masked   bool // … and takes an ignore mask

	defBlends bool // define blends' destinations first (see blendDest)

	limUsed bool   // whether a kernel uses limF64's vector …
	limSym  Symbol // … named so
}

func newF32(avx512 bool) *f32 {
	name := "AVX2"
	if avx512 {
		name = "AVX512"
	}
	return &f32{name: name, z: avx512, sym: Symbol{Name: "consts32" + name, Static: true}, consts: map[uint32]int{},
		limSym: Symbol{Name: "limF64" + name, Static: true}}
}

// limF64 is a vector of float64 MaxFloat32s (64 bytes: a full operand on
// either level), as a memory operand.
func (f *f32) limF64() Mem {
	f.limUsed = true
	return NewDataAddr(f.limSym, 0)
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
	f.emitExpTable()
	if f.limUsed {
		GLOBL(f.limSym.Name, RODATA|NOPTR)
		for j := range 8 {
			DATA(8*j, U64(math.Float64bits(math.MaxFloat32)))
		}
	}
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
	d := f.blendDest()
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

// blendDest returns the destination of a blend. avo takes an AVX-512
// blend under a mask (VBLENDMPS) to read its destination, as merge
// masking would, so a fresh destination would be live from the kernel's
// start, and through its loop, taking a register for all of it: where
// defBlends is set (kernels with many blends), it is defined first by a
// zeroing (a move the core eliminates).
func (f *f32) blendDest() reg.VecVirtual {
	d := f.vec()
	if f.z && f.defBlends {
		VXORPS(d, d, d)
	}
	return d
}

// signMask returns the lanes of v whose sign bit is set: an opmask on
// AVX-512 (VPMOVD2M), v itself on AVX2 (VBLENDVPS reads the sign bit).
func (f *f32) signMask(v reg.VecVirtual) reg.Register {
	if !f.z {
		return v
	}
	k := K()
	VPMOVD2M(v, k)
	return k
}

// selectSign returns a in the lanes of the sign mask m (see signMask), b
// in the others.
func (f *f32) selectSign(m reg.Register, a, b reg.VecVirtual) reg.VecVirtual {
	d := f.blendDest()
	if f.z {
		VBLENDMPS(a, b, m, d)
	} else {
		VBLENDVPS(m, a, b, d)
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

// jumpUnlessHard emits the check of U blocks before any is computed: it
// jumps to label unless every target (at(Y, u)) is 0 or 1 (or, when wAt is
// not nil, its weight in wAt(u) is 0) and, when X is not nil, every logit
// (at(X, u)) is within ±2⁶⁴ (a NaN fails). It returns each block's masks
// of the targets equal to 1 and to 0.
func (f *f32) jumpUnlessHard(U int, at func(b reg.Register, u int) Mem, Y, X reg.Register, wAt func(u int) reg.VecVirtual, label string) (ones, zeros []reg.Register) {
	var ok reg.Register
	for u := range U {
		y := f.vec()
		VMOVUPS(at(Y, u), y)
		var x reg.VecVirtual
		if X != nil {
			x = f.vec()
			VMOVUPS(at(X, u), x)
		}
		one, zero := f.cmp(cmpEQ, y, f.c(1)), f.cmp(cmpEQ, y, f.c(0))
		ones, zeros = append(ones, one), append(zeros, zero)
		h := f.or(one, zero)
		if X != nil {
			f.andTo(h, f.cmp(cmpLE, f.and(x, f.cbits(1<<31-1)), f.c(0x1p64))) // NaN: false
		}
		if wAt != nil {
			// A weight of 0 passes any target and logit: its outputs are 0.
			h = f.or(h, f.cmp(cmpEQ, wAt(u), f.c(0)))
		}
		if u > 0 {
			f.andTo(h, ok)
		}
		ok = h
	}
	f.jumpUnlessAll(ok, label)
	return ones, zeros
}

// params returns the kernel's parameter block at Q by index: as memory
// (qm), loaded into a register (qv), and as an operand (qo): a broadcast
// memory operand on AVX-512, a register on AVX2 (whose memory operands
// are whole vectors).
func (f *f32) params(Q reg.Register) (qm func(int) Mem, qv func(int) reg.VecVirtual, qo func(int) Op) {
	qm = func(i int) Mem { return Mem{Base: Q, Disp: 4 * i} }
	qv = func(i int) reg.VecVirtual { return f.load(qm(i)) }
	qo = func(i int) Op {
		if f.z {
			return qm(i)
		}
		return qv(i)
	}
	return qm, qv, qo
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
// tenth of float32's rounding): the scaled kernels' exponential, which
// they scale themselves (directly, or by expNegBiased). The clamp lies
// below the point (z ≈ −173.3) where even the largest gradient scale the
// kernels take, 2^100, leaves eᶻ·scale below float32's smallest
// subnormal: the scaled products the kernels form from e^r and k round to
// 0 there, as the exact ones do. A NaN z stays NaN.
func (f *f32) expReduced(z reg.VecVirtual) (p, k reg.VecVirtual) {
	const ln2Hi32, ln2Lo32 = 0.693145751953125, 1.428606765330187045e-06
	r := f.max(f.load(f.c(-180)), z) // z if NaN
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

// expNeg returns eᶻ for z ≤ 0 (0 below −103.97, where it underflows):
// T + T·s (see expTable), with 2^n applied to T before, off the chain of
// dependent operations: T·2^n + T·2^n·s rounded once, which is eᶻ
// rounded once but where it is subnormal (T·2^n is rounded there too:
// within 2^−148). T·2^n comes by VSCALEFPS on AVX-512; on AVX2 as
// T·2^(n+64), built in the exponent field (exact, and 0 only below
// 2^−190), times 2^−64. Within 2 ulp (TestVecMath32Within2ULP).
func (f *f32) expNeg(z reg.VecVirtual) reg.VecVirtual {
	return f.expNegLo(z, nil)
}

// expNegLo is expNeg of z + lo, lo (if not nil) a correction far below
// z's ulp (the low part of a double-float32 z), added to r after the
// reduction (see expTable).
func (f *f32) expNegLo(z, lo reg.VecVirtual) reg.VecVirtual {
	t := f.expTable(z, lo)
	VFMADD213PS(t.t, t.t, t.s) // T·2^n + T·2^n·s
	return t.s
}

// expTableN is the number of entries of expTable's table on each
// instruction set: 32 on AVX-512 (VPERMT2PS picks from two registers'
// worth), 8 on AVX2 (VPERMPS picks from one).
func (f *f32) expTableN() int {
	if f.z {
		return 32
	}
	return 8
}

// expParts32 are the parts of eᶻ = (T + T·s)·2^n (see expTable).
type expParts32 struct {
	s  reg.VecVirtual // e^r − 1 + c
	t  reg.VecVirtual // T = 2^(j/N), rounded to float32, times 2^n
	kq reg.VecVirtual // 1.5·2^23 + k: k = N·n + j in its low bits
}

// expTable returns the parts of eᶻ⁺ˡᵒ for z ≤ 0 (lo: see expNegLo; nil
// for 0), z clamped at −180 (see expReduced for why there; a NaN z stays
// NaN): k = round(z·N/ln 2), N the table's size (expTableN), found with
// the sum 1.5·2^23 + z·N/ln 2 rounded once, whose low mantissa bits are
// then k = N·n + j and index the tables directly; k itself by one
// subtraction (exact); r = z − k·(L/N) by one fused multiply-add, rounded
// once, L = ln 2 rounded to float32, plus lo, |r| ≤ ln 2/(2N) (0.0109 or
// 0.0434); T = 2^(j/N) rounded to float32, and c = 2^(j/N)/T − 1 (below
// 2^−24), from the table's two halves; and
// s = e^r − 1 + c − (k/N)(ln 2 − L), e^r − 1 by its Taylor polynomial of
// degree 3 on AVX-512 (truncation 5.7e-10 relative) and 4 on AVX2
// (1.3e-9), as r + r²·q(r): eᶻ = (T + T·s)·2^n, up to T·c·(e^r − 1)
// (below 2^−30 of it) and (k/N)(ln 2 − L)·(e^r − 1) (below 5.4e-9 and
// 2.2e-8 of it), which the kernels leave out.
//
// T comes times 2^n (rounded once where that is subnormal, see expNeg).
//
// The order is for latency, which bounds the kernels more than their
// operation count: the chain from z to s is the clamp, a fused
// multiply-add, a subtraction and a fused multiply-add to r and two after
// it (Estrin's scheme), while the tables' permutes, the terms of c and
// the scaling of T run beside it.
func (f *f32) expTable(z, lo reg.VecVirtual) expParts32 {
	const magic = 0x1.8p23
	ln2 := float32(math.Ln2)
	ln2Lo := float32(math.Ln2 - float64(ln2))
	N := f.expTableN()
	r := f.max(f.load(f.c(-180)), z) // z if NaN
	var p expParts32
	p.kq = f.load(f.c(float32(float64(N) / math.Ln2)))
	f.fma213(p.kq, r, f.c(magic)) // 1.5·2^23 + k
	k := f.sub(p.kq, f.c(magic))  // exact
	f.fnmadd(f.c(ln2/float32(N)), k, r)
	if lo != nil {
		VADDPS(lo, r, r)
	}
	p.t = f.expTab(p.kq, 0)
	if f.z {
		p.t = f.scalef(p.t, f.mul(k, f.c(1/float32(N)))) // k/N, whose floor is n
	} else {
		// (kq's bits − 0x4b400000) = k, and (k + 8·191) >> 3 = n + 127 + 64.
		e := f.vec()
		VPSUBD(f.cbits(0x4b400000-8*191), p.kq, e)
		VPSRAD(U8(3), e, e)
		VPMAXSD(f.cbits(0), e, e)
		VPSLLD(U8(23), e, e)
		VMULPS(e, p.t, p.t)
		VMULPS(f.c(0x1p-64), p.t, p.t)
	}
	p.s = f.expTab(p.kq, 1)
	f.fnmadd(f.c(ln2Lo/float32(N)), k, p.s) // c − (k/N)(ln 2 − L)
	r2 := f.mul(r, r)
	q := f.load(f.c(1.0 / 6))
	f.horner(q, r, 0.5)
	if !f.z {
		VFMADD231PS(f.c(1.0/24), r2, q) // degree 4
	}
	VADDPS(r, p.s, p.s)
	VFMADD231PS(q, r2, p.s) // e^r − 1 + c − (k/N)(ln 2 − L)
	return p
}

// expTab returns the entries of half h of expTable's table (0: T, 1: c)
// that the low bits of kq index.
func (f *f32) expTab(kq reg.VecVirtual, h int) reg.VecVirtual {
	N := f.expTableN()
	if !f.expUsed {
		f.expUsed = true
		f.expSym = Symbol{Name: "exptab32" + f.name, Static: true}
	}
	d := f.vec()
	if f.z {
		VMOVUPS(NewDataAddr(f.expSym, 4*N*h), d)
		VPERMT2PS(NewDataAddr(f.expSym, 4*N*h+64), kq, d)
	} else {
		VPERMPS(NewDataAddr(f.expSym, 4*N*h), kq, d)
	}
	return d
}

// emitExpTable writes expTable's table: T = 2^(j/N) rounded to float32,
// then c = 2^(j/N)/T − 1.
func (f *f32) emitExpTable() {
	if !f.expUsed {
		return
	}
	N := f.expTableN()
	GLOBL(f.expSym.Name, RODATA|NOPTR)
	for h := range 2 {
		for j := range N {
			v := math.Exp2(float64(j) / float64(N))
			part := float32(v)
			if h == 1 {
				part = float32(v/float64(part) - 1)
			}
			DATA(4*(N*h+j), U32(math.Float32bits(part)))
		}
	}
}

// fma213 sets d = d·x + c for a constant c.
func (f *f32) fma213(d, x reg.VecVirtual, c Mem) {
	if f.z {
		VFMADD213PS_BCST(c, x, d)
	} else {
		VFMADD213PS(c, x, d)
	}
}

// scalef returns p·2^k (k integral), rounded once, subnormals included
// (AVX-512).
func (f *f32) scalef(p, k reg.VecVirtual) reg.VecVirtual {
	d := f.vec()
	VSCALEFPS(k, p, d)
	return d
}

// Slots of q, the float32 parameters of the float32-lane kernels (as in
// internal/kernel/vec.go). The gradient's factor αₜ·scale comes signed,
// −s αₜ scale with s = 2y − 1, whole (qG1, qG0) and divided by 2^B (qH1,
// qH0: the scaled AVX2 kernel, which multiplies its exponentials by 2^B
// instead); the Hessian's unsigned (qS1; for y = 0 it is qG0).
const (
	qA         = iota // αₜ for y = 1: α (1 without α)
	qB                // αₜ for y = 0: 1 − α (1 without α)
	qGamma            // γ
	qScale            // scale
	qG1               // −α·scale
	qG0               // (1 − α)·scale
	qH1               // −α·scale·2^−B
	qH0               // (1 − α)·scale·2^−B
	qDown             // 2^−B
	qUp               // 2^B
	qBias             // the int32 127 + B
	qS1               // α·scale
	qGamma1           // γ + 1
	qTwoGamma1        // 2γ + 1
	qClip             // the Hessian's floor: 0 (clipped) or −Inf
	qT0Hi             // t₀, the zero of the Hessian's bracket, as a float32 …
	qT0Lo             // … and the rest
	qBandLo           // the bracket is d·Q(d), d = t − t₀, for qBandLo ≤ d ≤ qBandHi
	qBandHi
	qRoot // Q's coefficients, constant term first (hessRootDegree + 1 slots)
)

// hessRootDegree is the degree of Q (see _gen/fit/hess_root.py).
const hessRootDegree = 11

// sigmoidHard32 emits a float32-lane kernel for float32 data with hard
// targets and integer γ ≤ 2 (kernel.maxGamma32): loss, gradient and, in
// the plain form, the Hessian diagonal.
//
//	func(p *[32]float64, q *[32]float32, loss, grad, hess, x, y *float32, n int) (sum float64, done int)
//
// q holds the float32 parameters (qA…qRoot). It stops at the first step
// with a target other than 0 or 1 and returns how many elements it did (n
// when none), in steps of 32 elements. The scaled form (|scale| > 1) takes
// no Hessian: hess must be nil.
//
// For y ∈ {0, 1}, with sign s = 2y − 1 and t = s·x (the true class's logit),
// pₜ = σ(t), m = 1 − pₜ, ce = softplus(−t) = max(−t, 0) + log1p(e^−|x|):
//
//	FL = αₜ m^γ ce
//	scale·∂FL/∂x   = −s αₜ scale·m^γ (γ pₜ ce + m)
//	scale·∂²FL/∂x² = αₜ scale·m^γ pₜ (γ ce ((γ + 1) pₜ − 1) + (2γ + 1) m)
//
// (SigmoidElem with r = −s·pₜ, p − y = −s·m; the Hessian's bracket is
// γ(γ−1) pₜ ce − γ(1 − 2pₜ) ce + (2γ + 1) m with its ce terms joined, so
// that (γ + 1) pₜ − 1 is one fused multiply-add.) The bracket crosses zero
// for hard examples, at a t₀ < 0 fixed for each γ ∈ {1, 2}: there its two
// terms cancel, and in float32 arithmetic it would be within a few ulps
// of them, not of itself. Where they exceed 3|bracket| it is instead
// d·Q(d), d = t − t₀ (t₀ split in two: d is exact but for one rounding),
// Q a polynomial of degree 11 fitted for relative error
// (_gen/fit/hess_root.py; the coefficients are in q, from
// internal/kernel's hessRoots), and the Hessian keeps float32's relative
// accuracy through the zero.
//
// Both instruction sets compute it the same way, with few operations:
// e^−|x| by a table (expNeg), log1p by a polynomial (log1pPoly) instead
// of a division, 2^k applied once, the sign of t selecting σ(t) and σ(−t)
// directly (VBLENDVPS reads the sign bit on AVX2, VPMOVD2M makes it a
// mask on AVX-512), the target check's masks reused for t and αₜ, m^γ
// from m (γ − 1 products), and the signed, scaled αₜ of the gradient
// taken from q; AVX-512 forms t and ce by masked operations. A NaN logit
// needs no mask of its own: the exponential's clamp keeps it, and
// e^−|x| carries it into every output. Each iteration runs two
// blocks (of 16 lanes on AVX-512, 8 on AVX2), the second's code after the
// first's: their chains overlap in the out-of-order core (four blocks of
// 8 on AVX2 measured the same).
//
// For t ≥ 0, m ≈ e^−t leaves float32's normal range at t ≈ 87.3 and its
// subnormals at 103.97, m^γ much earlier, and the bits a subnormal factor
// lacks are missing from the product. With |scale| ≤ 1 the gradient is
// then below 2^−125 and so is that error: the plain kernels take e^−|x|
// as expNeg gives it, subnormals included (within 2^−148), and multiply
// m^γ by the rest. A larger scale,
// up to 2^100, makes a normal float32 of such a gradient, and the scaled
// kernels multiply from the scale down instead:
//
//   - AVX-512: −s αₜ scale·(γ pₜ ce + m), whose m comes already scaled, as
//     αₜ·scale·e^r/(1 + e^−|x|) times 2^k by one VSCALEFPS (one rounding,
//     subnormals included), then m, γ times.
//   - AVX2, without VSCALEFPS: its scaled m comes from e^−|x|·2^B, built
//     with the bias 127 + B, B the scale's binary exponent plus 8 (see
//     hard32Bias in internal/kernel): σ(t) and σ(−t) times 2^B go into
//     γ pₜ ce + m, and the signed αₜ·scale·2^−B multiplies it before the
//     γ factors m. The bias keeps the scaled m a normal float32 wherever
//     the result is one, and the construction's flush below 2^−126 costs
//     only results below αₜ·scale·2^−B·2^−126 ≤ 2^−133.
//
// No partial product is then below half the result, and none loses bits
// the result keeps. (γ pₜ ce needs no such care: where it leaves the
// normal range, t > 87.3 with γ ≥ 1, the result, about
// (γ + 1)·αₜ·scale·m^(γ+1) < 3·2^−152, rounds to 0.)
//
// The trusted form (plain, |scale| ≤ 1) is for targets the caller has
// checked to be 0 or 1 (package focal's first pass, see TargetsHard in
// internal/kernel): it makes no check of its own, only the mask y = 1,
// and forms t from it (see knownHard): three fewer operations per block
// of 8 on AVX2, two per block of 16 on AVX-512.
func (f *f32) sigmoidHard32(scaled, trusted bool) {
	U := 2
	if f.weighted && (scaled || trusted) {
		panic("the weighted kernel is the plain, checking form")
	}
	// The exponentials one step ahead (see expAhead) in the plain forms:
	// parked in AVX2's checking form, whose registers do not hold them.
	var ahead *expAhead
	if !scaled {
		ahead = &expAhead{f: f, blocks: U, nvals: 1, parked: !trusted && !f.z, stage: func(nabs reg.VecVirtual) []reg.VecVirtual {
			return []reg.VecVirtual{f.expNeg(nabs)}
		}}
	}
	r := f.hard32Begin(scaled, trusted, "sigmoidHard32", "n must be a multiple of 32.", ahead)
	P, Q, X, Y, i, L := r.p, r.q, r.x, r.y, r.i, r.label
	at := func(b reg.Register, u int) Mem { return Mem{Base: b, Index: i, Scale: 4, Disp: 4 * f.lanes() * u} }
	if ahead != nil {
		ahead.advance(X, i, r.n, L("ahead"))
	}
	var ones, zeros []reg.Register
	if !trusted {
		// The target check of all blocks first: a soft target stops the
		// kernel before any of them.
		var wAt func(u int) reg.VecVirtual // (nil: none)
		if f.weighted {
			wAt = func(u int) reg.VecVirtual { return f.weightsAt(r, u) }
		}
		ones, zeros = f.jumpUnlessHard(U, at, Y, nil, wAt, L("done"))
	}
	qm, qv, qo := f.params(Q)
	sign := f.cbits(1 << 31)
	for u := range U {
		lu := func(s string) string { return L(fmt.Sprint(s, u)) }
		x := f.vec()
		VMOVUPS(at(X, u), x)
		var one reg.Register
		var t reg.VecVirtual // s·x
		if trusted {
			one, t = f.knownHard(at(Y, u), x)
		} else {
			one, t = ones[u], f.negateWhere(zeros[u], x)
		}
		nabs := f.op(VORPS, VORPS_BCST, x, sign) // −|x|
		tneg := f.signMask(t)
		var e, m, pt, inv reg.VecVirtual
		var er, k, eiB, invB, mB reg.VecVirtual
		switch {
		case scaled && f.z:
			er, k = f.expReduced(nabs)
			e = f.scalef(er, k)
			m, pt, inv = f.sigmoids(tneg, e)
		case scaled:
			bias := f.vec()
			VPBROADCASTD(qm(qBias), bias)
			eB := f.expNegBiased(nabs, bias) // e^−|x|·2^B
			down := qv(qDown)
			e = f.mul(eB, down)
			invB = f.div(qv(qUp), f.add(e, f.c(1))) // 2^B/(1 + e)
			eiB = f.mul(eB, f.mul(invB, down))
			mB = f.selectSign(tneg, invB, eiB) // σ(−t)·2^B
			m = f.mul(mB, down)                // σ(−t)
		default: // the plain forms, whose exponentials come a step ahead
			e = ahead.get(u, 0)
			m, pt, inv = f.sigmoids(tneg, e)
		}
		ce := f.softplusNeg(t, tneg, nabs, f.log1pPoly(e)) // softplus(−t)

		var loss, w reg.VecVirtual
		if scaled {
			loss = f.mul(ce, f.blend(one, qv(qB), qo(qA))) // αₜ ce
			f.mulPowK(P, lu("pow"), []reg.VecVirtual{loss}, []reg.VecVirtual{m})
		} else {
			w = f.powK(m, Mem{Base: P, Disp: 32 * parFlags}, lu("pow"))
			loss = f.mul(f.mul(w, f.blend(one, qv(qB), qo(qA))), ce) // αₜ m^γ ce
		}
		if f.weighted {
			// The loss as package kernel's weighting loop makes it: the
			// sum over float64 products, the output float32's product
			// (the same rounding of the same exact product) but held to
			// MaxFloat32 where it overflows from a finite loss.
			loss = f.weigh(f.weightsAt(r, u), loss, r.acc0, r.acc1)
		} else {
			f.accumulate(loss, r.acc0, r.acc1)
		}
		unlessNil(r.loss, lu("noloss"), func() {
			VMOVUPS(loss, at(r.loss, u))
		})

		unlessNil(r.grad, lu("nograd"), func() {
			var g reg.VecVirtual
			switch {
			case scaled && f.z:
				sa := f.blend(one, qv(qG0), qo(qG1)) // −s αₜ scale
				ms := f.mul(sa, inv)
				tpos := f.cmp(cmpGE, t, f.c(0))
				VSCALEFPS(k, f.mul(ms, er), tpos, ms) // t ≥ 0: −s αₜ scale·m, rounded once
				g = f.mul(f.mul(pt, qo(qGamma)), ce)
				VFMADD213PS(ms, sa, g) // −s αₜ scale (γ pₜ ce + m)
				f.mulPowK(P, lu("gpow"), []reg.VecVirtual{g}, []reg.VecVirtual{m})
			case scaled:
				ptB := f.selectSign(tneg, eiB, invB) // σ(t)·2^B
				g = f.mul(ptB, qo(qGamma))
				VFMADD213PS(mB, ce, g)                       // (γ pₜ ce + m)·2^B
				g = f.mul(g, f.blend(one, qv(qH0), qo(qH1))) // −s αₜ scale (γ pₜ ce + m)
				f.mulPowK(P, lu("gpow"), []reg.VecVirtual{g}, []reg.VecVirtual{m})
			default:
				g = f.mul(pt, qo(qGamma))
				VFMADD213PS(m, ce, g)                                  // γ pₜ ce + m
				g = f.mul(f.mul(w, f.blend(one, qv(qG0), qo(qG1))), g) // −s αₜ scale m^γ (…)
			}
			if f.weighted {
				g = f.weighOut(f.weightsAt(r, u), g)
			}
			VMOVUPS(g, at(r.grad, u))
		})

		if !scaled {
			unlessNil(r.hess, lu("nohess"), func() {
				// pₜ (γ ce ((γ + 1) pₜ − 1) + (2γ + 1) m), times αₜ scale m^γ:
				// pₜ·ce first, which stays below 0.3 where ce overflows γ ce.
				c := qv(qGamma1)
				if f.z {
					VFMSUB213PS_BCST(f.c(1), pt, c)
				} else {
					VFMSUB213PS(f.c(1), pt, c)
				} // (γ + 1) pₜ − 1
				h := f.mul(f.mul(f.mul(pt, ce), qo(qGamma)), c)
				VFMADD231PS(qv(qTwoGamma1), f.mul(m, pt), h)
				// Near the bracket's zero, pₜ·d·Q(d) instead (see hessRoot).
				d := f.sub(f.sub(t, qo(qT0Hi)), qo(qT0Lo))
				band := f.cmp(cmpGE, d, qo(qBandLo))
				f.andTo(band, f.cmp(cmpLE, d, qo(qBandHi)))
				q := qv(qRoot + hessRootDegree)
				for k := hessRootDegree - 1; k >= 0; k-- {
					if f.z {
						VFMADD213PS_BCST(qm(qRoot+k), d, q)
					} else {
						VFMADD213PS(qv(qRoot+k), d, q)
					}
				}
				h = f.blend(band, h, f.mul(f.mul(q, d), pt))
				h = f.mul(h, f.mul(w, f.blend(one, qv(qG0), qo(qS1))))
				h = f.max(qv(qClip), h) // keeps a NaN h
				if f.weighted {
					h = f.weighOut(f.weightsAt(r, u), h)
				}
				VMOVUPS(h, at(r.hess, u))
			})
		}
	}
	if ahead != nil {
		ahead.commit()
	}
	ADDQ(U8(f.lanes()*U), i)
	JMP(LabelRef(L("loop")))

	Label(L("done"))
	f.hard32End(r.acc0, r.acc1, i)
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

// sigmoids returns m = σ(−t) and pₜ = σ(t) from e = e^−|x|, each without
// cancellation (1/(1 + e) or e/(1 + e), chosen by t's sign: tneg, see
// signMask), and 1/(1 + e).
func (f *f32) sigmoids(tneg reg.Register, e reg.VecVirtual) (m, pt, inv reg.VecVirtual) {
	inv = f.div(f.load(f.c(1)), f.add(e, f.c(1)))
	ei := f.mul(e, inv)
	return f.selectSign(tneg, inv, ei), f.selectSign(tneg, ei, inv), inv
}

// knownHard returns, for targets at y known to be 0 or 1, the mask of
// those equal to 1 and t = s·x: x negated where the mask is clear (on
// AVX-512 by its complement; on AVX2 by a blend with the operands
// swapped), with no compare for y = 0.
func (f *f32) knownHard(y Mem, x reg.VecVirtual) (one reg.Register, t reg.VecVirtual) {
	v := f.vec()
	VMOVUPS(y, v)
	one = f.cmp(cmpEQ, v, f.c(1))
	if !f.z {
		return one, f.blend(one, f.xor(x, f.cbits(1<<31)), x)
	}
	zero := K()
	KNOTW(one, zero)
	return one, f.negateWhere(zero, x)
}

// negateWhere returns x with its sign flipped in the lanes of mask m: on
// AVX-512 by one masked XOR into a copy of x, on AVX2 by a blend.
func (f *f32) negateWhere(m reg.Register, x reg.VecVirtual) reg.VecVirtual {
	sign := f.cbits(1 << 31)
	if !f.z {
		return f.blend(m, x, f.xor(x, sign))
	}
	d := f.vec()
	VMOVAPS(x, d)
	VXORPS_BCST(sign, x, m, d)
	return d
}

// softplusNeg returns softplus(−t) = max(−t, 0) + log1p(e^−|x|), given
// tneg (the lanes where t < 0, see signMask), nabs = −|x| and l1p =
// log1p(e^−|x|): on AVX-512 by one masked subtraction of nabs from l1p
// where t < 0 (where −t = |x|), on AVX2 as written.
func (f *f32) softplusNeg(t reg.VecVirtual, tneg reg.Register, nabs, l1p reg.VecVirtual) reg.VecVirtual {
	if !f.z {
		return f.add(f.max(f.xor(t, f.cbits(1<<31)), f.c(0)), l1p)
	}
	VSUBPS(nabs, l1p, tneg, l1p)
	return l1p
}

// expNegBiased returns eᶻ·2^B for z ≤ 0, bias holding the int32s 127 + B
// (B ≥ 0): 0 where eᶻ·2^B is below 2^−126.
func (f *f32) expNegBiased(z reg.VecVirtual, bias Op) reg.VecVirtual {
	p, k := f.expReduced(z)
	return f.scale2k(p, k, bias)
}

// scale2k returns p·2^(k+B) for integral k, bias holding the int32s
// 127 + B, with 2^(k+B) built in the exponent field: 0 where k + B < −126.
func (f *f32) scale2k(p, k reg.VecVirtual, bias Op) reg.VecVirtual {
	VMULPS(f.pow2k(k, bias), p, p)
	return p
}

// pow2k turns integral k into 2^(k+B), bias holding the int32s 127 + B,
// built in the exponent field (0 where k + B < −126), and returns it.
func (f *f32) pow2k(k reg.VecVirtual, bias Op) reg.VecVirtual {
	VCVTPS2DQ(k, k)
	VPADDD(bias, k, k)
	VPMAXSD(f.cbits(0), k, k)
	VPSLLD(U8(23), k, k)
	return k
}

// hard32Regs are the argument registers of a float32-lane kernel, its
// float64 loss accumulators (lower and upper halves), its element index
// and its label maker.
type hard32Regs struct {
	p, q, loss, grad, hess, x, y, n reg.Register
	w, m                            reg.Register // the weighted kernel's weights and the masked one's mask
	acc0, acc1                      reg.VecVirtual
	i                               reg.Register
	label                           func(string) string
}

// hard32Begin starts a float32-lane kernel, the scaled form or the plain
// one (see sigmoidHard32; gen names its generator function, for the doc
// comment): it loads the arguments, zeroes the accumulators and the index,
// primes ahead (if not nil) and opens the loop, which leaves for
// label("done") once the index reaches n.
func (f *f32) hard32Begin(scaled, trusted bool, gen, steps string, ahead *expAhead) hard32Regs {
	name, what := "sigmoidHard"+f.name+"F32", "|scale| ≤ 1"
	sig := "func(p *[32]float64, q *[32]float32, loss, grad, hess, x, y *float32, n int) (sum float64, done int)"
	switch {
	case f.masked:
		name, what = "sigmoidHardMasked"+f.name+"F32", "|scale| ≤ 1, each output times the weight w[i] (0 where w[i] = 0 or m[i]), the sum over the weighted losses"
		sig = "func(p *[32]float64, q *[32]float32, loss, grad, hess, x, y, w *float32, m *bool, n int) (sum float64, done int)"
	case f.weighted:
		name, what = "sigmoidHardWeighted"+f.name+"F32", "|scale| ≤ 1, each output times the weight w[i] (0 where w[i] = 0), the sum over the weighted losses"
		sig = "func(p *[32]float64, q *[32]float32, loss, grad, hess, x, y, w *float32, n int) (sum float64, done int)"
	case scaled:
		name, what = "sigmoidHardScaled"+f.name+"F32", "|scale| > 1"
	case trusted:
		name, what = "sigmoidHardTrusted"+f.name+"F32", "|scale| ≤ 1, the targets known to be 0 or 1 (no check)"
	}
	TEXT(name, NOSPLIT, sig)
	record(f.name, strings.Replace(name, f.name, "", 1), name)
	record(f.name, "hardStep", 2*f.lanes()) // two blocks per iteration
	Pragma("noescape")
	Doc(name+" is the float32-lane sigmoid kernel for hard targets, small integer γ and "+what+" (see "+gen+" in _gen).", steps)
	var r hard32Regs
	for _, a := range []struct {
		name string
		reg  *reg.Register
	}{{"p", &r.p}, {"q", &r.q}, {"loss", &r.loss}, {"grad", &r.grad}, {"hess", &r.hess}, {"x", &r.x}, {"y", &r.y}, {"n", &r.n}} {
		*a.reg = Load(Param(a.name), GP64())
	}
	if f.weighted {
		r.w = Load(Param("w"), GP64())
	}
	if f.masked {
		r.m = Load(Param("m"), GP64())
	}
	r.acc0, r.acc1 = f.vec(), f.vec()
	VXORPD(r.acc0, r.acc0, r.acc0)
	VXORPD(r.acc1, r.acc1, r.acc1)
	r.i = GP64()
	XORQ(r.i, r.i)
	r.label = func(s string) string { return name + s }
	if ahead != nil {
		ahead.prime(r.x, r.i, r.n, r.label("done"))
	}
	Label(r.label("loop"))
	CMPQ(r.i, r.n)
	JGE(LabelRef(r.label("done")))
	return r
}

// An expAhead software-pipelines a float32-lane kernel's exponentials:
// each step (blocks of lanes) computes stage(−|x|), the exponential
// e^−|x| and what else the kernel takes from it alone, for every block of
// the next step, before its own blocks use the values the step before
// computed for them. The next step's exponentials do not wait for this
// step's work, nor it for them, so the out-of-order core overlaps the
// exponential's chain of dependent operations with the rest of the
// kernel's (about 12% less time per element on cache-resident data, on
// both levels). The values stay in registers from one step to the next,
// or, parked, in two areas of the frame that the steps take in turn
// (where the kernel's own registers leave too few).
//
// A step that stops the kernel (a target or logit its check refuses)
// leaves the next step's values unused, and the last step computes its own
// again: the stage reads no element beyond n.
type expAhead struct {
	f      *f32
	blocks int
	stage  func(nabs reg.VecVirtual) []reg.VecVirtual
	parked bool

	nvals     int                // values per block (parked)
	cur, next [][]reg.VecVirtual // in registers: this step's values and the next step's
	at, other reg.Register       // parked: this step's area and the next step's
}

// stageAt emits the stage of the step whose first element is at index
// idx of the logits at X, and parks its values at dst when parked.
func (p *expAhead) stageAt(X, idx, dst reg.Register) [][]reg.VecVirtual {
	f := p.f
	vs := make([][]reg.VecVirtual, p.blocks)
	for u := range vs {
		x := f.vec()
		VMOVUPS(Mem{Base: X, Index: idx, Scale: 4, Disp: 4 * f.lanes() * u}, x)
		vs[u] = p.stage(f.op(VORPS, VORPS_BCST, x, f.cbits(1<<31)))
		if p.parked {
			if len(vs[u]) != p.nvals {
				panic(fmt.Sprintf("expAhead: the stage returns %d values, nvals is %d", len(vs[u]), p.nvals))
			}
			for k, v := range vs[u] {
				VMOVUPS(v, p.slot(dst, u, k))
			}
		}
	}
	return vs
}

// slot is the frame address of value k of block u in the area at base.
func (p *expAhead) slot(base reg.Register, u, k int) Mem {
	return Mem{Base: base, Disp: 4 * p.f.lanes() * (u*p.nvals + k)}
}

// prime emits, before the loop, the stage of the first step at index i,
// or a jump to done when n is 0.
func (p *expAhead) prime(X, i, n reg.Register, done string) {
	CMPQ(n, U8(0))
	JE(LabelRef(done))
	if p.parked {
		size := 4 * p.f.lanes() * p.blocks * p.nvals
		area := AllocLocal(2 * size)
		p.at, p.other = GP64(), GP64()
		LEAQ(area, p.at)
		LEAQ(area.Offset(size), p.other)
	}
	p.cur = p.stageAt(X, i, p.at)
}

// advance emits, in the loop before the step's blocks, the stage of the
// next step (of this one again at the last; label names the jump).
func (p *expAhead) advance(X, i, n reg.Register, label string) {
	nx := GP64()
	LEAQ(Mem{Base: i, Disp: p.f.lanes() * p.blocks}, nx)
	CMPQ(nx, n)
	JL(LabelRef(label))
	MOVQ(i, nx)
	Label(label)
	p.next = p.stageAt(X, nx, p.other)
}

// get returns value k of block u of this step: its register, or a load
// of its parked copy.
func (p *expAhead) get(u, k int) reg.VecVirtual {
	if !p.parked {
		return p.cur[u][k]
	}
	v := p.f.vec()
	VMOVUPS(p.slot(p.at, u, k), v)
	return v
}

// commit emits, at the end of the loop body, what makes the next step's
// values this step's: moves of the registers, or an exchange of the areas.
func (p *expAhead) commit() {
	if p.parked {
		XCHGQ(p.at, p.other)
		return
	}
	for u := range p.next {
		for k := range p.next[u] {
			VMOVAPS(p.next[u][k], p.cur[u][k])
		}
	}
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
	lo, hi := f.widen(loss, 0), f.widen(loss, 1)
	VADDPD(lo, acc0, acc0)
	VADDPD(hi, acc1, acc1)
}

// widen returns the float64 lanes of half h (0: the low one) of v.
func (f *f32) widen(v reg.VecVirtual, h int) reg.VecVirtual {
	d := f.vec()
	switch {
	case h == 0 && f.z:
		VCVTPS2PD(v.AsY(), d)
	case h == 0:
		VCVTPS2PD(v.AsX(), d)
	case f.z:
		hy := YMM()
		VEXTRACTF32X8(U8(1), v, hy)
		VCVTPS2PD(hy, d)
	default:
		hx := XMM()
		VEXTRACTF128(U8(1), v, hx)
		VCVTPS2PD(hx, d)
	}
	return d
}

// sigmoidHard32Weighted emits the plain kernel again as
// sigmoidHardWeighted…F32, which takes the weights w (finite, ≥ 0) and
// writes what package kernel's weighting loop would make of the plain
// kernel's outputs, bit for bit: each output times its weight in
// float32 (the exact product rounded once, as the loop's float64 product
// rounded to float32 is), 0 where the weight is 0, the loss held to
// MaxFloat32 where a finite loss's product overflows; the sum is over the
// float64 products of the losses and their weights. A target whose weight
// is 0 is not checked, and its logit reaches no output.
//
// With masked, sigmoidHardMasked…F32 takes the ignore mask m as well: an
// ignored element's weight is 0, whatever w holds (see weightsAt).
func (f *f32) sigmoidHard32Weighted(masked bool) {
	f.weighted, f.masked = true, masked
	defer func() { f.weighted, f.masked = false, false }()
	f.sigmoidHard32(false, false)
}

// weightsAt returns the weights of block u of a weighted kernel's step:
// w's, and in the masked kernel 0 where the mask's byte is not 0. (Loaded
// where each use needs them: AVX2's registers are few.)
func (f *f32) weightsAt(r hard32Regs, u int) reg.VecVirtual {
	w := f.vec()
	VMOVUPS(Mem{Base: r.w, Index: r.i, Scale: 4, Disp: 4 * f.lanes() * u}, w)
	if !f.masked {
		return w
	}
	m := Mem{Base: r.m, Index: r.i, Scale: 1, Disp: f.lanes() * u}
	d := f.vec()
	if f.z {
		b, keep := f.vec(), K()
		VPMOVZXBD(m, b)
		VPTESTNMD(b, b, keep) // the bytes that are 0: not ignored (AVX-512 F, no BW)
		VMOVAPS_Z(w, keep, d)
		return d
	}
	b, zero := f.vec(), f.vec()
	VPMOVZXBD(m, b)
	VPXOR(zero, zero, zero)
	VPCMPGTD(zero, b, b) // ignored
	VANDNPS(w, b, d)     // w where not
	return d
}

// weigh returns the weighted loss of one block, loss times the weights wv
// (0 where a weight is 0: also for a NaN or infinite loss), held to
// MaxFloat32 where a finite loss's product overflows (an infinite loss
// stays infinite, NaN stays NaN), and adds the float64 products of the
// losses and the weights to acc0 and acc1.
func (f *f32) weigh(wv, loss, acc0, acc1 reg.VecVirtual) reg.VecVirtual {
	nz := f.cmp(cmpNEQ, wv, f.c(0))
	bound := f.max(loss, f.c(math.MaxFloat32)) // +Inf for an infinite loss
	out := f.keep(nz, f.op(VMINPS, VMINPS_BCST, bound, f.mul(loss, wv)))
	loss = f.keep(f.cmp(cmpNEQ, wv, f.c(0)), loss) // the sum's: no Inf·0 (the mask again: AVX2's registers are few)
	lo, hi := f.widen(loss, 0), f.widen(loss, 1)
	wlo, whi := f.widen(wv, 0), f.widen(wv, 1)
	VFMADD231PD(wlo, lo, acc0)
	VFMADD231PD(whi, hi, acc1)
	return out
}

// weighOut returns v times the weights wv, 0 where a weight is 0.
func (f *f32) weighOut(wv, v reg.VecVirtual) reg.VecVirtual {
	return f.keep(f.cmp(cmpNEQ, wv, f.c(0)), f.mul(v, wv))
}

// keep returns v where the lanes of m are set, 0 elsewhere.
func (f *f32) keep(m reg.Register, v reg.VecVirtual) reg.VecVirtual {
	d := f.vec()
	if f.z {
		VMOVAPS_Z(v, m, d)
	} else {
		VANDPS(m, v, d)
	}
	return d
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

// mathFuncs32 emits the float32-lane exp and log1p of the hard-target
// kernel, and the two parts of the focalexp kernel's exp (expNegPair), as
// functions over arrays, for the tests:
//
//	func(dst, src *float32, n int)
//
// exp takes z ≤ 0, log1p takes e ∈ [0, 1]; n is a multiple of the lane
// count: expNeg…F32, log1pPoly…F32, expNegPairHi…F32 and
// expNegPairLo…F32.
func (f *f32) mathFuncs32() {
	type fn struct {
		name string
		f    func(x reg.VecVirtual) reg.VecVirtual
	}
	fns := []fn{{"expNeg", f.expNeg}, {"log1pPoly", f.log1pPoly},
		{"expNegPairHi", func(x reg.VecVirtual) reg.VecVirtual { hi, _ := f.expNegPair(x); return hi }},
		{"expNegPairLo", func(x reg.VecVirtual) reg.VecVirtual { _, lo := f.expNegPair(x); return lo }}}
	field := map[string]string{"expNeg": "expNeg32", "log1pPoly": "log1p32", "expNegPairHi": "expPairHi32", "expNegPairLo": "expPairLo32"}
	for _, fn := range fns {
		name := fn.name + f.name + "F32"
		record(f.name, field[fn.name], name)
		TEXT(name, NOSPLIT, "func(dst, src *float32, n int)")
		Pragma("noescape")
		Doc(name + " sets dst[i] = " + fn.name + "(src[i]) for i < n, a multiple of the lane count (tests only).")
		dst := Load(Param("dst"), GP64())
		src := Load(Param("src"), GP64())
		n := Load(Param("n"), GP64())
		i := GP64()
		XORQ(i, i)
		loop(name, i, n, U8(f.lanes()), func() {
			x := f.vec()
			VMOVUPS(Mem{Base: src, Index: i, Scale: 4}, x)
			VMOVUPS(fn.f(x), Mem{Base: dst, Index: i, Scale: 4})
		})
		VZEROUPPER()
		RET()
	}
}

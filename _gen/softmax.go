package main

import (
	"math"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Row primitives of the softmax kernel (class axis last), for float32 or
// float64 data; n is a multiple of the lane count in each.

func (a *isa) softmaxRows(f64 bool) {
	a.rowMax(f64)
	a.expRow(f64)
	a.scaleRow(f64)
	a.hessRow(f64)
	a.softmaxCols(f64)
	a.smoothRow(f64)
	a.gradRow(f64)
}

// text starts the function of the primitive base for float32 or float64
// data: sig is its signature with T for the data type, doc its comment
// after its name. It returns the name and the size of an element.
func (a *isa) text(base string, f64 bool, sig, doc string) (name string, size int) {
	name, t, size := a.names(base, f64)
	TEXT(name, NOSPLIT, strings.ReplaceAll(sig, "*T", "*"+t))
	Pragma("noescape")
	Doc(name + " " + doc)
	return name, size
}

func (a *isa) names(base string, f64 bool) (name, t string, size int) {
	name = base + a.name + map[bool]string{true: "F64", false: "F32"}[f64]
	record(a.name, base+map[bool]string{true: "F64", false: "F32"}[f64], name)
	record(a.name, "rowLanes", a.lanes)
	if f64 {
		return name, "float64", 8
	}
	return name, "float32", 4
}

// rowMax emits func(x *T, n int) float64: max x[:n], NaN if any is NaN.
func (a *isa) rowMax(f64 bool) {
	name, size := a.text("rowMax", f64, "func(x *T, n int) float64",
		"returns the largest of x[:n], or NaN if one is NaN; n is a positive multiple of the lane count.")
	b := a.one()
	X := Load(Param("x"), GP64())
	n := Load(Param("n"), GP64())
	mx := b.loadF(Mem{Base: X}, f64)
	nan := b.zero() // lanes where a NaN was seen (all ones)
	b.sawNaN(nan, mx)
	i := GP64()
	MOVQ(U32(a.lanes), i)
	loop(name, i, n, U32(a.lanes), func() {
		v := b.loadF(Mem{Base: X, Index: i, Scale: uint8(size)}, f64)
		b.binTo(VMAXPD, VMAXPD_BCST, mx, mx, v) // a NaN v is lost here: sawNaN keeps it
		b.sawNaN(nan, v)
	})
	anyNaN := a.hreduce(nan[0], VORPD)
	r := a.hreduce(mx[0], VMAXPD)
	VORPD(anyNaN, r, r)
	VZEROUPPER()
	Store(r, ReturnIndex(0))
	RET()
}

// expRow emits func(dst *float64, x *T, m float64, n int) float64:
// dst[i] = exp(x[i] − m) for i < n, returning their sum.
func (a *isa) expRow(f64 bool) {
	name, size := a.text("expRow", f64, "func(dst *float64, x *T, m float64, n int) float64",
		"sets dst[i] = exp(x[i] − m) for i < n, a multiple of the lane count, and returns their sum.")
	b := a.one()
	D := Load(Param("dst"), GP64())
	X := Load(Param("x"), GP64())
	m := b.param("m", 16)
	n := Load(Param("n"), GP64())
	acc := b.zero()
	a.rowLoop(name, n, func(i reg.Register) {
		e := b.exp(b.sub(b.loadF(Mem{Base: X, Index: i, Scale: uint8(size)}, f64), m))
		VMOVUPD(e[0], Mem{Base: D, Index: i, Scale: 8})
		b.addTo(acc, acc, e)
	})
	r := a.hreduce(acc[0], VADDPD)
	VZEROUPPER()
	Store(r, ReturnIndex(0))
	RET()
}

// scaleRow emits func(dst *T, e *float64, s float64, n int):
// dst[i] = T(e[i]·s) for i < n.
func (a *isa) scaleRow(f64 bool) {
	name, size := a.text("scaleRow", f64, "func(dst *T, e *float64, s float64, n int)",
		"sets dst[i] = e[i]·s for i < n, a multiple of the lane count.")
	b := a.one()
	D := Load(Param("dst"), GP64())
	E := Load(Param("e"), GP64())
	s := b.param("s", 16)
	n := Load(Param("n"), GP64())
	a.rowLoop(name, n, func(i reg.Register) {
		v := b.loadF(Mem{Base: E, Index: i, Scale: 8}, true)
		b.storeF(b.mul(v, s), Mem{Base: D, Index: i, Scale: uint8(size)}, f64)
	})
	VZEROUPPER()
	RET()
}

// param returns the float64 parameter name (at offset off) in every lane
// of a register.
func (a *isa) param(name string, off int) V {
	x := XMM()
	MOVSD(NewParamAddr(name, off), x)
	v := a.vec()
	VBROADCASTSD(x, v[0])
	return v
}

// rowLoop emits a loop over the rows' elements i = 0, lanes, 2·lanes, …
// while i < n (see loop).
func (a *isa) rowLoop(name string, n reg.Register, body func(i reg.Register)) {
	i := GP64()
	XORQ(i, i)
	loop(name, i, n, U32(a.lanes), func() { body(i) })
}

// hreduce folds the lanes of v with op (VADDPD or VMAXPD) into the low
// lane of an XMM register.
func (a *isa) hreduce(v reg.VecVirtual, op func(...Op)) reg.VecVirtual {
	y := v
	if a.z {
		hi := YMM()
		VEXTRACTF64X4(U8(1), v, hi)
		y = YMM()
		op(hi, v.AsY(), y)
	}
	hi := XMM()
	VEXTRACTF128(U8(1), y, hi)
	x := XMM()
	op(hi, y.AsX(), x)
	h := XMM()
	VUNPCKHPD(x, x, h)
	op(h, x, x)
	return x
}

// sawNaN sets the lanes of nan (to all ones) where v is NaN.
func (a *isa) sawNaN(nan, v V) {
	k := a.cmp(cmpUNORD, v, v)
	if a.z {
		a.blendTo(nan, k, nan, a.cbits(math.MaxUint64))
		return
	}
	for u := range k {
		VORPD(k[u], nan[u], nan[u])
	}
}

// Slots of hessRow's constants, 32 bytes apart as in the sigmoid's
// parameter block.
const (
	hrInvD  = iota // 1/(1 + S′)
	hrGp           // Σ_{c′≠k*} Â_c′ / q_c′² (the label's, when it is not k*)
	hrAK           // Â_k* (0 unless the label is k* and S′ > 0)
	hrNegB         // −B_y
	hrScale        // s·w_j
	hrClip         // Hessian floor: 0 or −Inf
	hrSp           // S′ (1 when hrAK is 0)
)

// hessRow emits func(dst *T, e *float64, c *[32]float64, n int): the
// softmax focal loss's Hessian diagonal for a class c that is neither the
// label nor the argmax (softmaxHard's formula specialised):
//
//	p_c = e_c/(1 + S′),  h_c = s·(p_c² gp + (e_c/S′)² Â_k* + (1 − 2p_c)(−p_c B_y))
//
// clipped at the floor; the caller fixes those two classes.
func (a *isa) hessRow(f64 bool) {
	name, size := a.text("hessRow", f64, "func(dst *T, e *float64, c *[32]float64, n int)",
		"sets dst[i] to the Hessian diagonal of a class other than the label and the argmax, for i < n, a multiple of the lane count.")
	b := a.one()
	D := Load(Param("dst"), GP64())
	E := Load(Param("e"), GP64())
	C := Load(Param("c"), GP64())
	n := Load(Param("n"), GP64())
	k := func(i int) bc { return bc(Mem{Base: C, Disp: 32 * i}) }
	a.rowLoop(name, n, func(i reg.Register) {
		h := b.softmaxHess(b.loadF(Mem{Base: E, Index: i, Scale: 8}, true), func(i int) any { return k(i) })
		b.storeF(h, Mem{Base: D, Index: i, Scale: uint8(size)}, f64)
	})
	VZEROUPPER()
	RET()
}

// softmaxHess returns hessRow's Hessian of the classes with exponentials
// e from the constants k(hrInvD) … k(hrSp) (broadcast operands, or
// registers of per-lane values), clipped at the floor.
func (a *isa) softmaxHess(e V, k func(int) any) V {
	pc := a.mul(e, k(hrInvD))
	t1 := a.mul(a.mul(pc, pc), k(hrGp))
	r := a.div(e, k(hrSp))
	t2 := a.mul(a.mul(r, r), k(hrAK))
	t3 := a.mul(a.sub(a.load(a.c(1)), a.add(pc, pc)), a.mul(pc, k(hrNegB)))
	h := a.mul(a.add(a.add(t1, t2), t3), k(hrScale))
	floor, ok := k(hrClip).(V)
	if !ok {
		floor = a.load(k(hrClip).(bc))
	}
	return a.max(floor, h) // keeps a NaN h
}

// The class-strided primitives of the softmax with the class axis second
// ([N, C, d₁, …]): each handles one block of positions, two vectors'
// lanes (float64 lanes: 16 on AVX-512, 8 on AVX2) of consecutive positions
// of one image, walking the C classes stride elements apart; two vectors
// per class row halve the pages a block touches (the rows are a page
// apart at 32×32 images). e, mx, idx, sp and the coefficients are float64
// blocks (lane l of class c of e at e[c·lanes + l]); the caller fixes the
// label's and the argmax's entries.

// cols returns a's two-block form for the class-strided primitives.
func (a *isa) cols() *isa {
	b := *a
	b.unroll = 2
	return &b
}

func (a *isa) softmaxCols(f64 bool) {
	record(a.name, "colLanes", 2*a.lanes)
	a.colMax(f64)
	a.colExp(f64)
	a.colScale(f64)
	a.colHess(f64)
}

// colLoop emits a loop over the classes: body(c) with X advanced by
// stride elements and the class counter cv (float64 lanes) by one each
// time; X must be a register the loop may change.
func (a *isa) colLoop(name string, C, X, step reg.Register, body func(cv V, cls reg.Register)) {
	b := a
	cv := b.zero()
	cls := GP64()
	XORQ(cls, cls)
	Label(name + "loop")
	CMPQ(cls, C)
	JGE(LabelRef(name + "done"))
	body(cv, cls)
	b.addTo(cv, cv, b.c(1))
	ADDQ(step, X)
	INCQ(cls)
	JMP(LabelRef(name + "loop"))
	Label(name + "done")
}

// colArgs loads the data pointer and the stride (as bytes) of a class-strided primitive.
func colArgs(size int) (X, step, C reg.Register) {
	X = Load(Param("x"), GP64())
	step = Load(Param("stride"), GP64())
	SHLQ(U8(map[int]uint8{4: 2, 8: 3}[size]), step)
	C = Load(Param("classes"), GP64())
	return X, step, C
}

// colMax emits func(x *T, stride, classes int, mx, idx *float64): the
// largest logit of each lane's position (NaN if one is NaN) and the first
// class that has it.
func (a *isa) colMax(f64 bool) {
	name, size := a.text("colMax", f64, "func(x *T, stride, classes int, mx, idx *float64)",
		"sets mx and idx to the largest logit of each lane's position over classes ≥ 1 classes stride elements apart, NaN if one is NaN, and its first class.")
	b := a.cols()
	X, step, C := colArgs(size)
	MX, IDX := Load(Param("mx"), GP64()), Load(Param("idx"), GP64())
	mx := b.load(b.c(math.Inf(-1)))
	idx := b.zero()
	nan := b.zero()
	b.colLoop(name, C, X, step, func(cv V, _ reg.Register) {
		v := b.loadF(Mem{Base: X}, f64)
		gt := b.cmp(cmpGT, v, mx)
		b.blendTo(mx, gt, mx, v)
		b.blendTo(idx, gt, idx, cv)
		b.sawNaN(nan, v)
	})
	if a.z {
		b.blendTo(mx, b.cmp(cmpUNORD, nan, nan), mx, b.c(math.NaN())) // nan's set lanes are NaN
	} else {
		for u := range mx {
			VORPD(nan[u], mx[u], mx[u])
		}
	}
	b.storeF(mx, Mem{Base: MX}, true)
	b.storeF(idx, Mem{Base: IDX}, true)
	VZEROUPPER()
	RET()
}

// colExp emits func(e *float64, x *T, stride, classes int, mx, idx, sp
// *float64): e[c·lanes + l] = exp(x_c − mx) for every class, and sp the
// sum of those of the classes other than idx (S′).
func (a *isa) colExp(f64 bool) {
	name, size := a.text("colExp", f64, "func(e *float64, x *T, stride, classes int, mx, idx, sp *float64)",
		"sets e[c·lanes + l] = exp(x − mx) for each class c and lane l, and sp to their sum over the classes other than idx.")
	b := a.cols()
	E := Load(Param("e"), GP64())
	X, step, C := colArgs(size)
	m := b.loadF(Mem{Base: Load(Param("mx"), GP64())}, true)
	id := b.loadF(Mem{Base: Load(Param("idx"), GP64())}, true)
	SP := Load(Param("sp"), GP64())
	acc := b.zero()
	b.colLoop(name, C, X, step, func(cv V, _ reg.Register) {
		// One block after the other: two exponentials at once need more
		// than AVX2's 16 registers.
		one := a.one()
		for u := range b.unroll {
			blk := func(v V) V { return v[u : u+1] }
			v := one.exp(one.sub(one.loadF(b.block(Mem{Base: X}, u, size), f64), blk(m)))
			one.storeF(v, b.block(Mem{Base: E}, u, 8), true)
			other := one.cmp(cmpEQ, blk(cv), blk(id))
			one.addTo(blk(acc), blk(acc), one.blend(other, v, one.c(0)))
		}
		ADDQ(U8(8*b.step()), E)
	})
	b.storeF(acc, Mem{Base: SP}, true)
	VZEROUPPER()
	RET()
}

// colScale emits func(dst *T, stride, classes int, e, k *float64):
// dst[c·stride + l] = e[c·lanes + l]·k[l].
func (a *isa) colScale(f64 bool) {
	name, size := a.text("colScale", f64, "func(x *T, stride, classes int, e, k *float64)",
		"sets x[c·stride + l] = e[c·lanes + l]·k[l] for each class c and lane l.")
	b := a.cols()
	X, step, C := colArgs(size)
	E := Load(Param("e"), GP64())
	k := b.loadF(Mem{Base: Load(Param("k"), GP64())}, true)
	b.colLoop(name, C, X, step, func(_ V, _ reg.Register) {
		b.storeF(b.mul(b.loadF(Mem{Base: E}, true), k), Mem{Base: X}, f64)
		ADDQ(U8(8*b.step()), E)
	})
	VZEROUPPER()
	RET()
}

// colHess emits func(dst *T, stride, classes int, e *float64, c
// *[112]float64): hessRow's Hessian, class-strided, with per-lane constants:
// c[k·lanes + l] is hessRow's constant k (1/(1 + S′), gp, Â_k*, −B_y,
// s·w, floor, S′) of lane l.
func (a *isa) colHess(f64 bool) {
	name, size := a.text("colHess", f64, "func(x *T, stride, classes int, e *float64, c *[112]float64)",
		"sets x[c·stride + l] to the Hessian diagonal of class c at lane l's position from e[c·lanes + l] and the lanes' constants c (see hessRow).")
	b := a.cols()
	X, step, C := colArgs(size)
	E := Load(Param("e"), GP64())
	K := Load(Param("c"), GP64())
	one := a.one()
	b.colLoop(name, C, X, step, func(_ V, _ reg.Register) {
		// One block after the other, the constants loaded where used:
		// both blocks' would fill AVX2's 16 registers.
		for u := range b.unroll {
			k := func(i int) V { return one.loadF(Mem{Base: K, Disp: 8*b.step()*i + 8*a.lanes*u}, true) }
			h := one.softmaxHess(one.loadF(b.block(Mem{Base: E}, u, 8), true), func(i int) any { return k(i) })
			one.storeF(h, b.block(Mem{Base: X}, u, size), f64)
		}
		ADDQ(U8(8*b.step()), E)
	})
	VZEROUPPER()
	RET()
}

// Slots of smoothRow's constants, 32 bytes apart.
const (
	smMax   = iota // the row's max
	smInvD         // 1/(1 + S′)
	smGamma        // γ
	smSkip         // the class whose terms the caller adds (the argmax), as a float64
	smFlags        // int64: k, γ as an integer (γ = k by multiplication), or −1
	smLogD         // log(1 + S′): log p_c = (x_c − max) − log(1 + S′), as in Go
)

// smoothRow emits func(b *float64, e *float64, x *T, a *float64, c
// *[32]float64, n int) (f, sb float64): the label-smoothed softmax focal
// loss's terms of the classes of one row other than the argmax, with
// p_c = e_c/(1 + S′), q_c = 1 − p_c, log p_c = x_c − max − log(1 + S′)
// (at least −MaxFloat64), w_c = q_c^γ and weights a_c:
//
//	f_c = −a_c w_c log p_c,  B_c = a_c w_c (γ p_c log p_c / q_c − 1)
//
// It stores B_c in b (0 for the skipped class) and returns Σ f_c and Σ B_c.
// n is a multiple of the lane count.
func (a *isa) smoothRow(f64 bool) {
	name, size := a.text("smoothRow", f64, "func(b *float64, e *float64, x *T, a *float64, c *[32]float64, n int) (f, sb float64)",
		"stores the label-smoothed terms B_c of the classes of a row in b and returns Σ f_c and Σ B_c (see smoothRow in _gen); n is a multiple of the lane count.")
	b := a.one()
	B, E, X, A := Load(Param("b"), GP64()), Load(Param("e"), GP64()), Load(Param("x"), GP64()), Load(Param("a"), GP64())
	K := Load(Param("c"), GP64())
	n := Load(Param("n"), GP64())
	k := func(i int) bc { return bc(Mem{Base: K, Disp: 32 * i}) }
	accF, accB := b.zero(), b.zero()
	cv := b.zero()
	a.rowLoop(name, n, func(i reg.Register) {
		e := b.loadF(Mem{Base: E, Index: i, Scale: 8}, true)
		p := b.mul(e, k(smInvD))
		q := b.sub(b.load(b.c(1)), p)
		lp := b.max(b.sub(b.sub(b.loadF(Mem{Base: X, Index: i, Scale: uint8(size)}, f64), k(smMax)), k(smLogD)), b.c(-math.MaxFloat64))
		w := b.powK(q, func() V { return b.log(q) }, k(smGamma), k(smFlags), name+"pow") // q^γ
		aw := b.mul(b.loadF(Mem{Base: A, Index: i, Scale: 8}, true), w)
		f := b.neg(b.mul(aw, lp))
		bb := b.mul(aw, b.sub(b.mul(b.mul(p, k(smGamma)), b.div(lp, q)), b.c(1)))
		// The lane counter: the skipped class adds nothing.
		skip := b.cmp(cmpEQ, b.add(cv, b.lane()), k(smSkip))
		f = b.blend(skip, f, b.c(0))
		bb = b.blend(skip, bb, b.c(0))
		VMOVUPD(bb[0], Mem{Base: B, Index: i, Scale: 8})
		b.addTo(accF, accF, f)
		b.addTo(accB, accB, bb)
		b.addTo(cv, cv, b.c(float64(a.lanes)))
	})
	rf := a.hreduce(accF[0], VADDPD)
	Store(rf, ReturnIndex(0))
	rb := a.hreduce(accB[0], VADDPD)
	Store(rb, ReturnIndex(1))
	VZEROUPPER()
	RET()
}

// gradRow emits func(dst *T, b, e *float64, s, k float64, n int):
// dst[i] = s·b[i] − k·e[i], the label-smoothed gradient (k = s·ΣB/(1 + S′)).
func (a *isa) gradRow(f64 bool) {
	name, size := a.text("gradRow", f64, "func(dst *T, b, e *float64, s, k float64, n int)",
		"sets dst[i] = s·b[i] − k·e[i] for i < n, a multiple of the lane count.")
	bb := a.one()
	D, B, E := Load(Param("dst"), GP64()), Load(Param("b"), GP64()), Load(Param("e"), GP64())
	s, kk := bb.param("s", 24), bb.param("k", 32)
	n := Load(Param("n"), GP64())
	a.rowLoop(name, n, func(i reg.Register) {
		v := bb.mul(bb.loadF(Mem{Base: B, Index: i, Scale: 8}, true), s)
		bb.fnmaddToV(v, bb.loadF(Mem{Base: E, Index: i, Scale: 8}, true), kk)
		bb.storeF(v, Mem{Base: D, Index: i, Scale: uint8(size)}, f64)
	})
	VZEROUPPER()
	RET()
}

package main

import (
	"math"

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
	name, t, size := a.names("rowMax", f64)
	TEXT(name, NOSPLIT, "func(x *"+t+", n int) float64")
	Pragma("noescape")
	Doc(name + " returns the largest of x[:n], or NaN if one is NaN; n is a positive multiple of the lane count.")
	b := a.one()
	X := Load(Param("x"), GP64())
	n := Load(Param("n"), GP64())
	mx := b.loadF(Mem{Base: X}, f64)
	nan := b.zero() // lanes where a NaN was seen (all ones)
	b.sawNaN(nan, mx)
	i := GP64()
	MOVQ(U32(a.lanes), i)
	Label(name + "loop")
	CMPQ(i, n)
	JGE(LabelRef(name + "done"))
	v := b.loadF(Mem{Base: X, Index: i, Scale: uint8(size)}, f64)
	b.binTo(VMAXPD, VMAXPD_BCST, mx, mx, v) // a NaN v is lost here: sawNaN keeps it
	b.sawNaN(nan, v)
	ADDQ(U32(a.lanes), i)
	JMP(LabelRef(name + "loop"))
	Label(name + "done")
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
	name, t, size := a.names("expRow", f64)
	TEXT(name, NOSPLIT, "func(dst *float64, x *"+t+", m float64, n int) float64")
	Pragma("noescape")
	Doc(name + " sets dst[i] = exp(x[i] − m) for i < n, a multiple of the lane count, and returns their sum.")
	b := a.one()
	D := Load(Param("dst"), GP64())
	X := Load(Param("x"), GP64())
	mm := XMM()
	MOVSD(NewParamAddr("m", 16), mm)
	m := b.vec()
	VBROADCASTSD(mm, m[0])
	n := Load(Param("n"), GP64())
	acc := b.zero()
	i := GP64()
	XORQ(i, i)
	Label(name + "loop")
	CMPQ(i, n)
	JGE(LabelRef(name + "done"))
	e := b.exp(b.sub(b.loadF(Mem{Base: X, Index: i, Scale: uint8(size)}, f64), m))
	VMOVUPD(e[0], Mem{Base: D, Index: i, Scale: 8})
	b.addTo(acc, acc, e)
	ADDQ(U32(a.lanes), i)
	JMP(LabelRef(name + "loop"))
	Label(name + "done")
	r := a.hreduce(acc[0], VADDPD)
	VZEROUPPER()
	Store(r, ReturnIndex(0))
	RET()
}

// scaleRow emits func(dst *T, e *float64, s float64, n int):
// dst[i] = T(e[i]·s) for i < n.
func (a *isa) scaleRow(f64 bool) {
	name, t, size := a.names("scaleRow", f64)
	TEXT(name, NOSPLIT, "func(dst *"+t+", e *float64, s float64, n int)")
	Pragma("noescape")
	Doc(name + " sets dst[i] = e[i]·s for i < n, a multiple of the lane count.")
	b := a.one()
	D := Load(Param("dst"), GP64())
	E := Load(Param("e"), GP64())
	ss := XMM()
	MOVSD(NewParamAddr("s", 16), ss)
	s := b.vec()
	VBROADCASTSD(ss, s[0])
	n := Load(Param("n"), GP64())
	i := GP64()
	XORQ(i, i)
	Label(name + "loop")
	CMPQ(i, n)
	JGE(LabelRef(name + "done"))
	v := b.loadF(Mem{Base: E, Index: i, Scale: 8}, true)
	b.storeF(b.mul(v, s), Mem{Base: D, Index: i, Scale: uint8(size)}, f64)
	ADDQ(U32(a.lanes), i)
	JMP(LabelRef(name + "loop"))
	Label(name + "done")
	VZEROUPPER()
	RET()
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
	VORPD(k[0], nan[0], nan[0])
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
	name, t, size := a.names("hessRow", f64)
	TEXT(name, NOSPLIT, "func(dst *"+t+", e *float64, c *[32]float64, n int)")
	Pragma("noescape")
	Doc(name + " sets dst[i] to the Hessian diagonal of a class other than the label and the argmax, for i < n, a multiple of the lane count.")
	b := a.one()
	D := Load(Param("dst"), GP64())
	E := Load(Param("e"), GP64())
	C := Load(Param("c"), GP64())
	n := Load(Param("n"), GP64())
	k := func(i int) bc { return bc(Mem{Base: C, Disp: 32 * i}) }
	i := GP64()
	XORQ(i, i)
	Label(name + "loop")
	CMPQ(i, n)
	JGE(LabelRef(name + "done"))
	e := b.loadF(Mem{Base: E, Index: i, Scale: 8}, true)
	pc := b.mul(e, k(hrInvD))
	t1 := b.mul(b.mul(pc, pc), k(hrGp))
	r := b.div(e, k(hrSp))
	t2 := b.mul(b.mul(r, r), k(hrAK))
	t3 := b.mul(b.sub(b.load(b.c(1)), b.add(pc, pc)), b.mul(pc, k(hrNegB)))
	h := b.mul(b.add(b.add(t1, t2), t3), k(hrScale))
	h = b.max(b.load(k(hrClip)), h) // keeps a NaN h
	b.storeF(h, Mem{Base: D, Index: i, Scale: uint8(size)}, f64)
	ADDQ(U32(a.lanes), i)
	JMP(LabelRef(name + "loop"))
	Label(name + "done")
	VZEROUPPER()
	RET()
}

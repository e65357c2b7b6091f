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
}

func (a *isa) names(base string, f64 bool) (name, t string, size int) {
	name = base + a.name + map[bool]string{true: "F64", false: "F32"}[f64]
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

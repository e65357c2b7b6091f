package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// targets emits the target check of package focal for float32 or float64
// data, comparing in the data's own width (16 or 8 lanes per ZMM, 8 or 4
// per YMM):
//
//	func(y *T, n int) (pos, bad, hard int)
//
// pos counts the targets > 0 and bad is the start of the first block that
// holds a target outside [0, 1] (NaN included), or −1; hard is 1 when
// every target (of a good y) is 0 or 1, else 0; n is a multiple of the
// lane count.
func (a *isa) targets(f64 bool) {
	t, size, lanes := "float32", 4, 2*a.lanes
	if f64 {
		t, size, lanes = "float64", 8, a.lanes
	}
	name := "targets" + a.name + map[bool]string{true: "F64", false: "F32"}[f64]
	record(a.name, "targets"+map[bool]string{true: "F64", false: "F32"}[f64], name)
	record(a.name, "vectorBytes", 8*a.lanes)
	TEXT(name, NOSPLIT, "func(y *"+t+", n int) (pos, bad, hard int)")
	Pragma("noescape")
	Doc(name+" counts the positive targets of y[:n], finds the first block with one outside [0, 1]",
		"and reports whether all are 0 or 1 (see TargetsHard); n must be a multiple of the lane count.")
	L := func(s string) string { return name + s }

	Y := Load(Param("y"), GP64())
	n := Load(Param("n"), GP64())
	pos, i, hard := GP64(), GP64(), GP64()
	XORQ(pos, pos)
	XORQ(i, i)
	XORQ(hard, hard)

	vec := func() reg.VecVirtual {
		if a.z {
			return ZMM()
		}
		return YMM()
	}
	zero, one := vec(), vec()
	VXORPS(zero, zero, zero)
	g := GP64()
	if f64 {
		MOVQ(U64(math.Float64bits(1)), g)
		x := XMM()
		MOVQ(g, x)
		VBROADCASTSD(x, one)
	} else {
		MOVL(U32(math.Float32bits(1)), g.As32())
		x := XMM()
		MOVD(g.As32(), x)
		VBROADCASTSS(x, one)
	}
	cmp := VCMPPS
	if f64 {
		cmp = VCMPPD
	}
	const ge, le, gt, eq = 0x1d, 0x12, 0x1e, 0x00 // ordered, quiet: false for NaN
	// The largest y − y² so far, lane by lane: 0 while every target is 0
	// or 1 (for y ∈ [0, 1], y − y² rounded once is 0 only there).
	soft := vec()
	VXORPS(soft, soft, soft)
	fnmadd, maxOp := VFNMADD213PS, VMAXPS
	if f64 {
		fnmadd, maxOp = VFNMADD213PD, VMAXPD
	}

	Label(L("loop"))
	CMPQ(i, n)
	JGE(LabelRef(L("ok")))
	v := vec()
	VMOVUPS(Mem{Base: Y, Index: i, Scale: uint8(size)}, v)
	cnt := GP32()
	if a.z {
		k1, k2, k3, k4 := K(), K(), K(), K()
		cmp(U8(ge), zero, v, k1)
		cmp(U8(le), one, v, k2)
		cmp(U8(gt), zero, v, k4)
		if f64 {
			KANDB(k1, k2, k3)
			KORTESTB(k3, k3)
			JCC(LabelRef(L("bad"))) // not all ones
			KMOVB(k4, cnt)
		} else {
			KANDW(k1, k2, k3)
			KORTESTW(k3, k3)
			JCC(LabelRef(L("bad")))
			KMOVW(k4, cnt)
		}
	} else {
		m1, m2, m3, m4 := vec(), vec(), vec(), vec()
		cmp(U8(ge), zero, v, m1)
		cmp(U8(le), one, v, m2)
		cmp(U8(gt), zero, v, m4)
		VANDPS(m1, m2, m3)
		mask := GP32()
		if f64 {
			VMOVMSKPD(m3, mask)
			VMOVMSKPD(m4, cnt)
		} else {
			VMOVMSKPS(m3, mask)
			VMOVMSKPS(m4, cnt)
		}
		CMPL(mask, U32(1<<lanes-1))
		JNE(LabelRef(L("bad")))
	}
	POPCNTL(cnt, cnt)
	ADDQ(cnt.As64(), pos)
	d := vec()
	VMOVAPS(v, d)
	fnmadd(v, v, d) // y − y²
	maxOp(d, soft, soft)
	ADDQ(U32(lanes), i)
	JMP(LabelRef(L("loop")))

	Label(L("ok"))
	MOVQ(I64(-1), i)
	// hard = 1 when every lane of soft is 0.
	if a.z {
		k := K()
		cmp(U8(eq), zero, soft, k)
		if f64 {
			KORTESTB(k, k)
		} else {
			KORTESTW(k, k)
		}
		SETCS(hard.As8())
	} else {
		m, g := vec(), GP32()
		cmp(U8(eq), zero, soft, m)
		if f64 {
			VMOVMSKPD(m, g)
		} else {
			VMOVMSKPS(m, g)
		}
		CMPL(g, U32(1<<lanes-1))
		SETEQ(hard.As8())
	}
	Label(L("bad"))
	Store(pos, ReturnIndex(0))
	Store(i, ReturnIndex(1))
	Store(hard, ReturnIndex(2))
	VZEROUPPER()
	RET()
}

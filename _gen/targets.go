package main

import (
	"math"
	"strings"

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
//
// With masked, targetsMasked… takes an ignore mask m as well (a bool per
// target) and checks and counts only the targets not ignored; it returns
// the number ignored too:
//
//	func(y *T, m *bool, n int) (pos, bad, hard, ignored int)
func (a *isa) targets(f64 bool) {
	a.targetsForm(f64, false)
	a.targetsForm(f64, true)
}

func (a *isa) targetsForm(f64, masked bool) {
	t, size, lanes := "float32", 4, 2*a.lanes
	if f64 {
		t, size, lanes = "float64", 8, a.lanes
	}
	kind, sig := "targets", "func(y *"+t+", n int) (pos, bad, hard int)"
	if masked {
		kind, sig = "targetsMasked", "func(y *"+t+", m *bool, n int) (pos, bad, hard, ignored int)"
	}
	field := kind + map[bool]string{true: "F64", false: "F32"}[f64]
	name := kind + a.name + map[bool]string{true: "F64", false: "F32"}[f64]
	record(a.name, field, name)
	record(a.name, "vectorBytes", 8*a.lanes)
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	if masked {
		Doc(name+" is "+strings.Replace(name, "Masked", "", 1)+" for the targets of y[:n] that m does not ignore; it returns the number ignored too",
			"(see TargetsMasked); n must be a multiple of the lane count.")
	} else {
		Doc(name+" counts the positive targets of y[:n], finds the first block with one outside [0, 1]",
			"and reports whether all are 0 or 1 (see TargetsHard); n must be a multiple of the lane count.")
	}
	L := func(s string) string { return name + s }

	Y := Load(Param("y"), GP64())
	var M reg.Register
	var ignored reg.GPVirtual
	if masked {
		M, ignored = Load(Param("m"), GP64()), GP64()
		XORQ(ignored, ignored)
	}
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
	if masked {
		// The ignored targets as 0 (good, not positive, hard), and
		// their count.
		b, m := vec(), GP32()
		at := Mem{Base: M, Index: i, Scale: 1}
		switch {
		case a.z:
			k := K()
			if f64 {
				VPMOVZXBQ(at, b)
				VPTESTMQ(b, b, k)
			} else {
				VPMOVZXBD(at, b)
				VPTESTMD(b, b, k)
			}
			KMOVW(k, m)
			KNOTW(k, k)
			if f64 {
				VMOVAPD_Z(v, k, v)
			} else {
				VMOVAPS_Z(v, k, v)
			}
		case f64:
			VPMOVZXBQ(at, b)
			VPCMPGTQ(zero, b, b)
			VMOVMSKPD(b, m)
			VANDNPS(v, b, v)
		default:
			VPMOVZXBD(at, b)
			VPCMPGTD(zero, b, b)
			VMOVMSKPS(b, m)
			VANDNPS(v, b, v)
		}
		POPCNTL(m, m)
		ADDQ(m.As64(), ignored)
	}
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
	if masked {
		Store(ignored, ReturnIndex(3))
	}
	VZEROUPPER()
	RET()
}

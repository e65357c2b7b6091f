package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// An isa emits float64 vector arithmetic for one instruction set: AVX-512
// (8 lanes in ZMM registers, opmask registers for comparisons, embedded
// broadcast operands for constants) or AVX2+FMA (4 lanes in YMM registers,
// vector masks, constants stored as full 32-byte vectors).
//
// Constants are never kept in registers across the loop: each is a memory
// operand of the instruction that uses it ({1to8} broadcast on AVX-512), so
// the loop body holds no broadcast instructions and no spills.
type isa struct {
	name  string // AVX512 or AVX2
	z     bool   // AVX-512
	lanes int    // float64 lanes per vector

	sym    Symbol         // constant table
	consts map[uint64]int // bits → offset in the table
	bits   []uint64       // table contents in order
}

func newISA(avx512 bool) *isa {
	a := &isa{name: "AVX2", lanes: 4, consts: map[uint64]int{}}
	if avx512 {
		a.name, a.z, a.lanes = "AVX512", true, 8
	}
	a.sym = Symbol{Name: "consts" + a.name, Static: true}
	return a
}

// bc is a memory operand holding one float64 that every lane uses: 8 bytes
// on AVX-512 (used with {1to8}), a 32-byte vector of copies on AVX2.
type bc Mem

// c returns the constant v as a broadcast operand.
func (a *isa) c(v float64) bc { return a.cbits(math.Float64bits(v)) }

func (a *isa) cbits(b uint64) bc {
	off, ok := a.consts[b]
	if !ok {
		off = len(a.bits) * a.stride()
		a.consts[b] = off
		a.bits = append(a.bits, b)
	}
	return bc(NewDataAddr(a.sym, off))
}

// stride is the size of one broadcast operand in memory.
func (a *isa) stride() int {
	if a.z {
		return 8
	}
	return 32
}

// emitConsts writes the constant table; call after all functions.
func (a *isa) emitConsts() {
	if len(a.bits) == 0 {
		return
	}
	GLOBL(a.sym.Name, RODATA|NOPTR)
	for i, b := range a.bits {
		for j := 0; j < a.stride()/8; j++ {
			DATA(i*a.stride()+8*j, U64(b))
		}
	}
}

func (a *isa) vec() reg.VecVirtual {
	if a.z {
		return ZMM()
	}
	return YMM()
}

// mask returns a fresh mask register: an opmask on AVX-512, a vector on AVX2.
func (a *isa) mask() reg.Register {
	if a.z {
		return K()
	}
	return YMM()
}

// load returns a register holding the broadcast operand m.
func (a *isa) load(m bc) reg.VecVirtual {
	d := a.vec()
	if a.z {
		VBROADCASTSD(Mem(m), d)
	} else {
		VMOVUPD(Mem(m), d)
	}
	return d
}

func (a *isa) mov(src, dst reg.VecVirtual) { VMOVAPD(src, dst) }

type instr func(...Op)

// bin emits d = x ∘ y for an instruction written "ins y, x, d" in Go
// assembly; y may be a broadcast operand.
func (a *isa) bin(plain, bcst instr, x reg.VecVirtual, y any) reg.VecVirtual {
	d := a.vec()
	a.binTo(plain, bcst, d, x, y)
	return d
}

func (a *isa) binTo(plain, bcst instr, d, x reg.VecVirtual, y any) {
	switch y := y.(type) {
	case reg.VecVirtual:
		plain(y, x, d)
	case bc:
		if a.z {
			bcst(Mem(y), x, d)
		} else {
			plain(Mem(y), x, d)
		}
	default:
		panic(fmt.Sprintf("bad operand %T", y))
	}
}

// Arithmetic; the second operand may be a broadcast operand.
func (a *isa) add(x reg.VecVirtual, y any) reg.VecVirtual { return a.bin(VADDPD, VADDPD_BCST, x, y) }
func (a *isa) sub(x reg.VecVirtual, y any) reg.VecVirtual { return a.bin(VSUBPD, VSUBPD_BCST, x, y) }
func (a *isa) mul(x reg.VecVirtual, y any) reg.VecVirtual { return a.bin(VMULPD, VMULPD_BCST, x, y) }
func (a *isa) div(x reg.VecVirtual, y any) reg.VecVirtual { return a.bin(VDIVPD, VDIVPD_BCST, x, y) }
func (a *isa) and(x reg.VecVirtual, y any) reg.VecVirtual { return a.bin(VANDPD, VANDPD_BCST, x, y) }
func (a *isa) xor(x reg.VecVirtual, y any) reg.VecVirtual { return a.bin(VXORPD, VXORPD_BCST, x, y) }

// max returns x > y ? x : y (y when either is NaN).
func (a *isa) max(x reg.VecVirtual, y any) reg.VecVirtual { return a.bin(VMAXPD, VMAXPD_BCST, x, y) }

// min returns x < y ? x : y (y when either is NaN).
func (a *isa) min(x reg.VecVirtual, y any) reg.VecVirtual { return a.bin(VMINPD, VMINPD_BCST, x, y) }

func (a *isa) mulTo(d, x reg.VecVirtual, y any) { a.binTo(VMULPD, VMULPD_BCST, d, x, y) }

// neg returns −x.
func (a *isa) neg(x reg.VecVirtual) reg.VecVirtual { return a.xor(x, a.cbits(1<<63)) }

// horner sets p = p·r + c in place (one fused multiply-add).
func (a *isa) horner(p, r reg.VecVirtual, c float64) {
	m := Mem(a.c(c))
	if a.z {
		VFMADD213PD_BCST(m, r, p)
	} else {
		VFMADD213PD(m, r, p)
	}
}

// fnmaddTo sets d = d − x·c in place.
func (a *isa) fnmaddTo(d, x reg.VecVirtual, c float64) {
	m := Mem(a.c(c))
	if a.z {
		VFNMADD231PD_BCST(m, x, d)
	} else {
		VFNMADD231PD(m, x, d)
	}
}

// Comparison predicates of VCMPPD.
const (
	cmpEQ    = 0x00 // ordered, non-signalling
	cmpUNORD = 0x03
	cmpGE    = 0x1d // ordered, non-signalling
	cmpGT    = 0x1e
	cmpLT    = 0x11
)

// cmp returns the lanes where x pred y.
func (a *isa) cmp(pred uint8, x reg.VecVirtual, y any) reg.Register {
	k := a.mask()
	switch y := y.(type) {
	case reg.VecVirtual:
		VCMPPD(Imm(uint64(pred)), y, x, k)
	case bc:
		if a.z {
			VCMPPD_BCST(Imm(uint64(pred)), Mem(y), x, k)
		} else {
			VCMPPD(Imm(uint64(pred)), Mem(y), x, k)
		}
	}
	return k
}

// or returns the union of two masks.
func (a *isa) or(m1, m2 reg.Register) reg.Register {
	d := a.mask()
	if a.z {
		KORB(m1, m2, d)
	} else {
		VORPD(m1, m2, d)
	}
	return d
}

// blendTo sets d = m ? t : f; t may be a broadcast operand.
func (a *isa) blendTo(d reg.VecVirtual, m reg.Register, f reg.VecVirtual, t any) {
	switch t := t.(type) {
	case reg.VecVirtual:
		if a.z {
			VBLENDMPD(t, f, m, d)
		} else {
			VBLENDVPD(m, t, f, d)
		}
	case bc:
		if a.z {
			VBLENDMPD_BCST(Mem(t), f, m, d)
		} else {
			VBLENDVPD(m, Mem(t), f, d)
		}
	}
}

// blend returns m ? t : f.
func (a *isa) blend(m reg.Register, f reg.VecVirtual, t any) reg.VecVirtual {
	d := a.vec()
	a.blendTo(d, m, f, t)
	return d
}

// jumpIfAll jumps to label when every lane of m is set.
func (a *isa) jumpIfAll(m reg.Register, label string) {
	if a.z {
		KORTESTB(m, m) // CF = all ones
		JCS(LabelRef(label))
		return
	}
	g := GP32()
	VMOVMSKPD(m, g)
	CMPL(g, U8(0xf))
	JE(LabelRef(label))
}

// round returns x rounded to an integer: mode 0 nearest even, 1 floor.
func (a *isa) round(x reg.VecVirtual, mode uint64) reg.VecVirtual {
	d := a.vec()
	if a.z {
		VRNDSCALEPD(Imm(8|mode), x, d)
	} else {
		VROUNDPD(Imm(8|mode), x, d)
	}
	return d
}

// loadF loads lanes float64s (f64) or float32s converted to float64 from m.
func (a *isa) loadF(m Mem, f64 bool) reg.VecVirtual {
	d := a.vec()
	switch {
	case f64:
		VMOVUPD(m, d)
	default:
		VCVTPS2PD(m, d)
	}
	return d
}

// storeF stores v to m as float64 or rounded to float32.
func (a *isa) storeF(v reg.VecVirtual, m Mem, f64 bool) {
	if f64 {
		VMOVUPD(v, m)
		return
	}
	if a.z {
		h := YMM()
		VCVTPD2PS(v, h)
		VMOVUPS(h, m)
		return
	}
	h := XMM()
	VCVTPD2PSY(v, h)
	VMOVUPS(h, m)
}

// hsum returns the sum of v's lanes in the low lane of an XMM register.
func (a *isa) hsum(v reg.VecVirtual) reg.VecVirtual {
	y := v
	if a.z {
		hi := YMM()
		VEXTRACTF64X4(U8(1), v, hi)
		y = YMM()
		VADDPD(hi, v.AsY(), y)
	}
	hi := XMM()
	VEXTRACTF128(U8(1), y, hi)
	x := XMM()
	VADDPD(hi, y.AsX(), x)
	h := XMM()
	VUNPCKHPD(x, x, h)
	VADDSD(h, x, x)
	return x
}

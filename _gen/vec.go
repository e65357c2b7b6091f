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
// Every value is a group of unroll registers, one per block of lanes, and
// every operation is emitted once per register, interleaved: the kernels
// are bound by the latency of their exp → log1p → product chains, and
// independent blocks side by side give the out-of-order core work to
// overlap.
//
// Constants are never kept in registers across the loop: each is a memory
// operand of the instruction that uses it ({1to8} broadcast on AVX-512), so
// the loop body holds no broadcast instructions and no spills.
type isa struct {
	name   string // AVX512 or AVX2
	z      bool   // AVX-512
	lanes  int    // float64 lanes per vector
	unroll int    // blocks per loop iteration

	*table
}

// table is an isa's constant table, shared by its narrowed copies.
type table struct {
	sym    Symbol
	consts map[uint64]int   // bits → offset in the table
	bits   []uint64         // table contents in order
	rows   map[int][]uint64 // AVX2 entries (by index) holding a vector of distinct values
}

func newISA(avx512 bool) *isa {
	a := &isa{name: "AVX2", lanes: 4, unroll: 1, table: &table{consts: map[uint64]int{}}}
	if avx512 {
		a.name, a.z, a.lanes, a.unroll = "AVX512", true, 8, 2
	}
	a.sym = Symbol{Name: "consts" + a.name, Static: true}
	return a
}

// one returns a copy of a that emits for a single block: the code of
// register-hungry stretches runs block after block instead of interleaved.
func (a *isa) one() *isa {
	b := *a
	b.unroll = 1
	return &b
}

// V is a vector value: one register per block.
type V []reg.VecVirtual

// M is a mask: one opmask (AVX-512) or vector (AVX2) register per block.
type M []reg.Register

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
			if row, ok := a.rows[i]; ok {
				b = row[j]
			}
			DATA(i*a.stride()+8*j, U64(b))
		}
	}
}

func (a *isa) vec1() reg.VecVirtual {
	if a.z {
		return ZMM()
	}
	return YMM()
}

func (a *isa) vec() V {
	v := make(V, a.unroll)
	for u := range v {
		v[u] = a.vec1()
	}
	return v
}

// mask returns a fresh mask.
func (a *isa) mask() M {
	m := make(M, a.unroll)
	for u := range m {
		if a.z {
			m[u] = K()
		} else {
			m[u] = YMM()
		}
	}
	return m
}

// load returns registers holding the broadcast operand m.
func (a *isa) load(m bc) V {
	d := a.vec()
	for _, r := range d {
		if a.z {
			VBROADCASTSD(Mem(m), r)
		} else {
			VMOVUPD(Mem(m), r)
		}
	}
	return d
}

func (a *isa) mov(src, dst V) {
	for u := range dst {
		VMOVAPD(src[u], dst[u])
	}
}

// zero returns registers holding +0.
func (a *isa) zero() V {
	d := a.vec()
	for _, r := range d {
		VXORPD(r, r, r)
	}
	return d
}

type instr func(...Op)

// bin emits d = x ∘ y for an instruction written "ins y, x, d" in Go
// assembly; y is a V or a broadcast operand.
func (a *isa) bin(plain, bcst instr, x V, y any) V {
	d := a.vec()
	a.binTo(plain, bcst, d, x, y)
	return d
}

func (a *isa) binTo(plain, bcst instr, d, x V, y any) {
	for u := range d {
		switch y := y.(type) {
		case V:
			plain(y[u], x[u], d[u])
		case bc:
			if a.z {
				bcst(Mem(y), x[u], d[u])
			} else {
				plain(Mem(y), x[u], d[u])
			}
		default:
			panic(fmt.Sprintf("bad operand %T", y))
		}
	}
}

// Arithmetic; the second operand may be a broadcast operand.
func (a *isa) add(x V, y any) V { return a.bin(VADDPD, VADDPD_BCST, x, y) }
func (a *isa) sub(x V, y any) V { return a.bin(VSUBPD, VSUBPD_BCST, x, y) }
func (a *isa) mul(x V, y any) V { return a.bin(VMULPD, VMULPD_BCST, x, y) }
func (a *isa) div(x V, y any) V { return a.bin(VDIVPD, VDIVPD_BCST, x, y) }
func (a *isa) and(x V, y any) V { return a.bin(VANDPD, VANDPD_BCST, x, y) }
func (a *isa) xor(x V, y any) V { return a.bin(VXORPD, VXORPD_BCST, x, y) }
func (a *isa) or1(x V, y any) V { return a.bin(VORPD, VORPD_BCST, x, y) }

// max returns x > y ? x : y (y when either is NaN).
func (a *isa) max(x V, y any) V { return a.bin(VMAXPD, VMAXPD_BCST, x, y) }

// min returns x < y ? x : y (y when either is NaN).
func (a *isa) min(x V, y any) V { return a.bin(VMINPD, VMINPD_BCST, x, y) }

func (a *isa) mulTo(d, x V, y any) { a.binTo(VMULPD, VMULPD_BCST, d, x, y) }
func (a *isa) addTo(d, x V, y any) { a.binTo(VADDPD, VADDPD_BCST, d, x, y) }

// andnot returns y AND NOT x, bitwise.
func (a *isa) andnot(x, y V) V {
	d := a.vec()
	for u := range d {
		VANDNPD(y[u], x[u], d[u])
	}
	return d
}

// neg returns −x.
func (a *isa) neg(x V) V { return a.xor(x, a.cbits(1<<63)) }

// horner sets p = p·r + c in place (one fused multiply-add).
func (a *isa) horner(p, r V, c float64) { a.binTo(VFMADD213PD, VFMADD213PD_BCST, p, r, a.c(c)) }

// fmaTo sets d = d·x + y in place (registers only).
func (a *isa) fmaTo(d, x, y V) {
	for u := range d {
		VFMADD213PD(y[u], x[u], d[u])
	}
}

// fnmaddToV sets d = d − x·y in place (registers).
func (a *isa) fnmaddToV(d, x, y V) {
	for u := range d {
		VFNMADD231PD(y[u], x[u], d[u])
	}
}

// lane returns the lane indices 0, 1, … of a vector, as float64s.
func (a *isa) lane() V {
	bits := make([]uint64, a.lanes)
	for i := range bits {
		bits[i] = math.Float64bits(float64(i))
	}
	m := a.vecBits(bits)
	d := a.vec()
	for _, r := range d {
		VMOVUPD(Mem(m), r) // one block: every register the same lanes
	}
	return d
}

// vecBits returns a memory operand holding the vector of distinct values
// bits (one per lane), for a plain load.
func (a *isa) vecBits(bits []uint64) bc {
	off := len(a.bits) * a.stride()
	if a.z {
		a.bits = append(a.bits, bits...) // 8-byte entries: contiguous
		return bc(NewDataAddr(a.sym, off))
	}
	if a.rows == nil {
		a.rows = map[int][]uint64{}
	}
	a.rows[len(a.bits)] = bits
	a.bits = append(a.bits, 0)
	return bc(NewDataAddr(a.sym, off))
}

// fnmaddTo sets d = d − x·c in place.
func (a *isa) fnmaddTo(d, x V, c float64) { a.binTo(VFNMADD231PD, VFNMADD231PD_BCST, d, x, a.c(c)) }

// Comparison predicates of VCMPPD.
const (
	cmpEQ    = 0x00 // ordered, non-signalling
	cmpUNORD = 0x03
	cmpNEQ   = 0x0c // ordered, non-signalling
	cmpGE    = 0x1d // ordered, non-signalling
	cmpGT    = 0x1e
	cmpLT    = 0x11
	cmpLE    = 0x12 // ordered, non-signalling
)

// cmp returns the lanes where x pred y.
func (a *isa) cmp(pred uint8, x V, y any) M {
	k := a.mask()
	for u := range k {
		switch y := y.(type) {
		case V:
			VCMPPD(Imm(uint64(pred)), y[u], x[u], k[u])
		case bc:
			if a.z {
				VCMPPD_BCST(Imm(uint64(pred)), Mem(y), x[u], k[u])
			} else {
				VCMPPD(Imm(uint64(pred)), Mem(y), x[u], k[u])
			}
		}
	}
	return k
}

// or returns the union of two masks.
func (a *isa) or(m1, m2 M) M {
	d := a.mask()
	for u := range d {
		if a.z {
			KORB(m1[u], m2[u], d[u])
		} else {
			VORPD(m1[u], m2[u], d[u])
		}
	}
	return d
}

// andMask sets v = v AND m bitwise (AVX2 only: a mask is all-ones lanes).
func (a *isa) andMask(v V, m M) V {
	d := a.vec()
	for u := range d {
		VANDPD(v[u], m[u], d[u])
	}
	return d
}

// blendTo sets d = m ? t : f; t is a V or a broadcast operand.
func (a *isa) blendTo(d V, m M, f V, t any) {
	for u := range d {
		switch t := t.(type) {
		case V:
			if a.z {
				VBLENDMPD(t[u], f[u], m[u], d[u])
			} else {
				VBLENDVPD(m[u], t[u], f[u], d[u])
			}
		case bc:
			if a.z {
				VBLENDMPD_BCST(Mem(t), f[u], m[u], d[u])
			} else {
				VBLENDVPD(m[u], Mem(t), f[u], d[u])
			}
		}
	}
}

// blend returns m ? t : f.
func (a *isa) blend(m M, f V, t any) V {
	d := a.vec()
	a.blendTo(d, m, f, t)
	return d
}

// jumpIfNone jumps to label if no lane of m is set (one block).
func (a *isa) jumpIfNone(m M, label string) {
	if a.z {
		KORTESTB(m[0], m[0]) // ZF = all zeros
		JEQ(LabelRef(label))
		return
	}
	g := GP32()
	VMOVMSKPD(m[0], g)
	TESTL(g, g)
	JEQ(LabelRef(label))
}

// jumpIfAll jumps to label when every lane of every block of m is set.
func (a *isa) jumpIfAll(m M, label string) {
	if a.z {
		k := m[0]
		for _, r := range m[1:] {
			k2 := K()
			KANDB(r, k, k2)
			k = k2
		}
		KORTESTB(k, k) // CF = all ones
		JCS(LabelRef(label))
		return
	}
	v := m[0]
	for _, r := range m[1:] {
		v2 := YMM()
		VANDPD(r, v, v2)
		v = v2
	}
	g := GP32()
	VMOVMSKPD(v, g)
	CMPL(g, U8(0xf))
	JE(LabelRef(label))
}

// round returns x rounded to an integer: mode 0 nearest even, 1 floor.
func (a *isa) round(x V, mode uint64) V {
	d := a.vec()
	for u := range d {
		if a.z {
			VRNDSCALEPD(Imm(8|mode), x[u], d[u])
		} else {
			VROUNDPD(Imm(8|mode), x[u], d[u])
		}
	}
	return d
}

// block returns the address of block u of the elements at m, for elements
// of the given size.
func (a *isa) block(m Mem, u, size int) Mem {
	m.Disp += u * a.lanes * size
	return m
}

// loadF loads float64s (f64) or float32s widened to float64 from m.
func (a *isa) loadF(m Mem, f64 bool) V {
	d := a.vec()
	for u := range d {
		if f64 {
			VMOVUPD(a.block(m, u, 8), d[u])
		} else {
			VCVTPS2PD(a.block(m, u, 4), d[u])
		}
	}
	return d
}

// storeF stores v to m as float64 or rounded to float32.
func (a *isa) storeF(v V, m Mem, f64 bool) {
	for u := range v {
		switch {
		case f64:
			VMOVUPD(v[u], a.block(m, u, 8))
		case a.z:
			h := YMM()
			VCVTPD2PS(v[u], h)
			VMOVUPS(h, a.block(m, u, 4))
		default:
			h := XMM()
			VCVTPD2PSY(v[u], h)
			VMOVUPS(h, a.block(m, u, 4))
		}
	}
}

// hsum returns the sum of all lanes of v in the low lane of an XMM register.
func (a *isa) hsum(v V) reg.VecVirtual {
	s := v[0]
	for _, r := range v[1:] {
		VADDPD(r, s, s)
	}
	return a.hreduce(s, VADDPD)
}

// step is the number of elements one loop iteration handles.
func (a *isa) step() int { return a.lanes * a.unroll }

// loop emits a loop that runs body, then adds step to i, while i < n:
// labels name+"loop" and name+"done".
func loop(name string, i, n reg.Register, step Op, body func()) {
	Label(name + "loop")
	CMPQ(i, n)
	JGE(LabelRef(name + "done"))
	body()
	ADDQ(step, i)
	JMP(LabelRef(name + "loop"))
	Label(name + "done")
}

// unlessNil emits body behind a jump to label taken when the pointer in p
// is nil: the stores to an optional destination.
func unlessNil(p reg.Register, label string, body func()) {
	TESTQ(p, p)
	JZ(LabelRef(label))
	body()
	Label(label)
}

package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
)

// Constants of fdlibm's e_exp.c and e_log.c (as in Go's math package).
const (
	ln2Hi = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
	ln2Lo = 1.90821492927058770002e-10 // 0x3dea39ef35793c76
	log2e = 1.44269504088896338700e+00

	lg1 = 6.666666666666735130e-01
	lg2 = 3.999999999940941908e-01
	lg3 = 2.857142874366239149e-01
	lg4 = 2.222219843214978396e-01
	lg5 = 1.818357216161805012e-01
	lg6 = 1.531383769920937332e-01
	lg7 = 1.479819860511658591e-01
)

// expDegree is the degree of the Taylor polynomial of exp on
// |r| ≤ ln2/2; its truncation error is 0.347¹³/13! < 1.8e-16 relative.
const expDegree = 12

// exp returns eˣ for every x (0 below −745.2, +Inf above 709.8). NaN is
// not preserved (the kernels restore it).
//
// Method: x is clamped to [−750, 710]; k = round(x/ln2), r = x − k·ln2 with
// ln2 split in two (Cody–Waite, the first product exact in the fused
// multiply-add), eʳ by its Taylor polynomial of degree 12,
// evaluated by Estrin's scheme (the kernels are latency-bound), then scaled by 2ᵏ: VSCALEFPD on AVX-512 (one rounding, subnormals
// included), two exponent-field products 2^⌊k/2⌋·2^(k−⌊k/2⌋) on AVX2.
func (a *isa) exp(x V) V { return a.expOf(x, false) }

// expNeg is exp for x ≤ 0 (−0 included), the same results: one clamp
// fewer, and on AVX2, where every lane's 2ᵏ is normal (k ≥ −1022, so that
// p·2ᵏ is exact wherever it is normal, as the two products are), one
// product by 2ᵏ instead of two.
func (a *isa) expNeg(x V) V { return a.expOf(x, true) }

// expLabels numbers expNeg's labels.
var expLabels int

// expOf is exp, or expNeg for nonPositive.
func (a *isa) expOf(x V, nonPositive bool) V {
	r := a.max(x, a.c(-750))
	if !nonPositive {
		r = a.min(r, a.c(710))
	}
	k := a.round(a.mul(r, a.c(log2e)), 0)
	a.fnmaddTo(r, k, ln2Hi)
	a.fnmaddTo(r, k, ln2Lo)
	// eʳ = 1 + (r + r²·q(r)), q by Estrin: the last two steps in this
	// order keep the rounding error near half an ulp.
	c := make([]float64, expDegree-1)
	for i := range c {
		c[i] = 1 / fact(i+2)
	}
	q := a.estrin(r, c)
	a.fmaTo(q, a.mul(r, r), r)
	p := a.add(q, a.c(1))
	if !nonPositive || a.z {
		return a.scale(p, k)
	}
	expLabels++
	L := fmt.Sprint("expneg", expLabels)
	d := a.vec()
	a.jumpIfAll(a.cmp(cmpGE, k, a.c(-1022)), L+"normal")
	a.mov(a.scale(p, k), d)
	JMP(LabelRef(L + "done"))
	Label(L + "normal")
	a.mulTo(d, p, a.pow2(k))
	Label(L + "done")
	return d
}

func fact(n int) float64 {
	f := 1.0
	for i := 2; i <= n; i++ {
		f *= float64(i)
	}
	return f
}

// scale returns p·2ᵏ for integral k ∈ [−1083, 1025].
func (a *isa) scale(p, k V) V {
	d := a.vec()
	if a.z {
		for u := range d {
			VSCALEFPD(k[u], p[u], d[u])
		}
		return d
	}
	k1 := a.round(a.mul(k, a.c(0.5)), 1)
	k2 := a.sub(k, k1)
	a.mulTo(d, p, a.pow2(k1))
	a.mulTo(d, d, a.pow2(k2))
	return d
}

// pow2 returns 2ᵏ for integral k ∈ [−1022, 1023], built in the exponent
// field: adding 2⁵² + 1023 leaves k + 1023 in the low mantissa bits.
func (a *isa) pow2(k V) V {
	b := a.add(k, a.c(1<<52+1023))
	for _, r := range b {
		VPSLLQ(U8(52), r, r)
	}
	return b
}

// log1p01 returns log(1 + e) for e ∈ [0, 1].
//
// Method: f = e (k = 0) for e ≤ √2 − 1, else f = (e − 1)/2 (k = 1, exact for
// e ≥ ½ and within half an ulp below), so that 1 + e = 2ᵏ(1 + f) with
// √2/2 − 1 ≤ f ≤ √2 − 1; then fdlibm's log1p(f) = f − (hfsq − s(hfsq + R(s²))),
// s = f/(2 + f), as in logKernel.
func (a *isa) log1p01(e V) V {
	f, k := a.log1p01Reduce(e)
	return a.logKernel(f, k)
}

// log1p01Reduce returns log1p01's f and k for e.
func (a *isa) log1p01Reduce(e V) (f, k V) {
	big := a.cmp(cmpGT, e, a.c(math.Sqrt2-1))
	f = a.blend(big, e, a.mul(a.sub(e, a.c(1)), a.c(0.5)))
	if a.z {
		k = a.zero()
		a.blendTo(k, big, k, a.c(1))
	} else {
		k = a.andMask(a.load(a.c(1)), big)
	}
	return f, k
}

// log returns log m for finite m > 0 (subnormals included).
//
// Method (Go's math.Log): m = f₁·2ᵏ with f₁ ∈ [½, 1), doubled (k − 1) when
// below √2/2; f = f₁ − 1; logKernel. AVX-512 splits m with VGETEXPPD and
// VGETMANTPD; AVX2 reads the exponent field, after scaling subnormals by 2⁵⁴.
func (a *isa) log(m V) V {
	var f1, k V
	if a.z {
		f1, k = a.vec(), a.vec()
		for u := range m {
			VGETMANTPD(U8(2), m[u], f1[u]) // interval [½, 1), sign of the source
			VGETEXPPD(m[u], k[u])          // ⌊log₂ m⌋ = k − 1
		}
		k = a.add(k, a.c(1))
	} else {
		sub := a.cmp(cmpLT, m, a.c(0x1p-1022))
		mm := a.blend(sub, m, a.mul(m, a.c(0x1p54)))
		adj := a.andMask(a.load(a.c(54)), sub)
		e := a.vec()
		for u := range e {
			VPSRLQ(U8(52), mm[u], e[u])
		}
		// e holds the biased exponent as an integer; or-ing in the bits of
		// 2⁵² and subtracting 2⁵² converts it to float64 exactly.
		e = a.sub(a.xor(e, a.c(1<<52)), a.c(1<<52))
		k = a.sub(a.sub(e, a.c(1022)), adj)
		f1 = a.and(mm, a.cbits(1<<52-1))
		f1 = a.xor(f1, a.c(0.5)) // exponent field of ½
	}
	small := a.cmp(cmpLT, f1, a.c(math.Sqrt2/2))
	f1d := a.add(f1, f1)
	a.blendTo(f1, small, f1, f1d)
	kd := a.sub(k, a.c(1))
	a.blendTo(k, small, k, kd)
	return a.logKernel(a.sub(f1, a.c(1)), k)
}

// logKernel returns k·ln2 + log(1 + f) for |f| ≤ √2 − 1 (fdlibm e_log.c):
//
//	s = f/(2 + f), log(1 + f) = f − (hfsq − s·(hfsq + R)), hfsq = f²/2,
//	R = s²(Lg1 + s⁴(Lg3 + s⁴(Lg5 + s⁴Lg7))) + s⁴(Lg2 + s⁴(Lg4 + s⁴Lg6))
//
// with error below 1 ulp.
func (a *isa) logKernel(f, k V) V {
	return a.logKernelS(f, k, a.logS(f))
}

// logS returns logKernel's s = f/(2 + f).
func (a *isa) logS(f V) V { return a.div(f, a.add(f, a.c(2))) }

// logKernelS is logKernel given s = logS(f).
func (a *isa) logKernelS(f, k, s V) V {
	s2 := a.mul(s, s)
	s4 := a.mul(s2, s2)
	t1 := a.load(a.c(lg7))
	a.horner(t1, s4, lg5)
	a.horner(t1, s4, lg3)
	a.horner(t1, s4, lg1)
	t1 = a.mul(t1, s2)
	t2 := a.load(a.c(lg6))
	a.horner(t2, s4, lg4)
	a.horner(t2, s4, lg2)
	t2 = a.mul(t2, s4)
	R := a.add(t1, t2)
	hfsq := a.mul(a.mul(f, f), a.c(0.5))
	// k·ln2Hi − ((hfsq − (s·(hfsq + R) + k·ln2Lo)) − f)
	u := a.add(a.mul(s, a.add(hfsq, R)), a.mul(k, a.c(ln2Lo)))
	v := a.sub(a.sub(hfsq, u), f)
	return a.sub(a.mul(k, a.c(ln2Hi)), v)
}

// mathFuncs emits vector exp, log and log1p over slices for the tests:
// func name(dst, src *float64, n int) with n a multiple of the lane count.
func (a *isa) mathFuncs() {
	for _, fn := range []struct {
		name string
		f    func(V) V
	}{
		{"exp", a.exp}, {"expNeg", a.expNeg}, {"log", a.log}, {"log1p01", a.log1p01},
	} {
		TEXT(fn.name+a.name, NOSPLIT, "func(dst, src *float64, n int)")
		record(a.name, fn.name, fn.name+a.name)
		Pragma("noescape")
		Doc(fn.name + a.name + " sets dst[i] = " + fn.name + "(src[i]) for i < n, a multiple of the step (tests only).")
		dst := Load(Param("dst"), GP64())
		src := Load(Param("src"), GP64())
		n := Load(Param("n"), GP64())
		i := GP64()
		XORQ(i, i)
		Label(fn.name + a.name + "loop")
		CMPQ(i, n)
		JGE(LabelRef(fn.name + a.name + "done"))
		x := a.loadF(Mem{Base: src, Index: i, Scale: 8}, true)
		a.storeF(fn.f(x), Mem{Base: dst, Index: i, Scale: 8}, true)
		ADDQ(U32(a.step()), i)
		JMP(LabelRef(fn.name + a.name + "loop"))
		Label(fn.name + a.name + "done")
		VZEROUPPER()
		RET()
	}
}

// estrin returns Σ c[i]·xⁱ by Estrin's scheme, p(x) = lo(x) + x^h·hi(x)
// with h the largest power of two below len(c), recursively: depth
// ⌈log₂ len(c)⌉ fused multiply-adds instead of Horner's len(c) − 1, with
// few registers live (one partial sum per level).
func (a *isa) estrin(x V, c []float64) V {
	pows := []V{x} // x^(2^i)
	for 1<<len(pows) < len(c) {
		p := pows[len(pows)-1]
		pows = append(pows, a.mul(p, p))
	}
	var rec func(c []float64) V
	rec = func(c []float64) V {
		if len(c) == 1 {
			return a.load(a.c(c[0]))
		}
		if len(c) == 2 {
			t := a.load(a.c(c[1]))
			a.horner(t, x, c[0]) // c[1]·x + c[0]
			return t
		}
		lvl := 0
		for 2<<lvl < len(c) {
			lvl++
		}
		h := 1 << lvl
		lo := rec(c[:h])
		hi := rec(c[h:])
		a.fmaTo(hi, pows[lvl], lo) // hi·x^h + lo
		return hi
	}
	return rec(c)
}

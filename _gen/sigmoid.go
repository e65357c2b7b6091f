package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Offsets in the parameter block (kernel.vecParams): parameter i is a
// 32-byte vector of four copies at 32·i, usable as an AVX2 memory operand or
// (its first copy) as an AVX-512 broadcast.
const (
	parA     = iota // α, or 1 without α-weighting: αₜ = y·A + (1 − y)·B
	parB            // 1 − α
	parGamma        // γ
	parScale        // s, scales gradient and Hessian
	parG2           // γ(γ − 1)
	parTwoG         // 2γ
	parClip         // Hessian floor: 0 (clipped) or −Inf
	parFlags        // int64s: k (integer γ, or −1: m^γ = exp(γ·log m)), then α on (1) or off (0)
)

// sigmoid emits the sigmoid focal-loss kernel for float64 (f64) or float32
// data: the computation of kernel.SigmoidElem, lane for lane, in float64.
//
//	func(p *[32]float64, loss, grad, hess, x, y *T, n int) float64
//
// p holds the parameters (see parA…parFlags); nil destinations are
// skipped; n is a multiple of the lane count. It returns Σ loss.
func (a *isa) sigmoid(f64 bool) {
	t, size := "float32", 4
	if f64 {
		t, size = "float64", 8
	}
	name := "sigmoid" + a.name + map[bool]string{true: "F64", false: "F32"}[f64]
	record(a.name, "sigmoid"+map[bool]string{true: "F64", false: "F32"}[f64], name)
	record(a.name, "step", a.lanes)
	TEXT(name, 0, "func(p *[32]float64, loss, grad, hess, x, y *"+t+", n int) float64")
	Pragma("noescape")
	Doc(name+" is the sigmoid focal-loss kernel on "+a.name+" for "+t+" (see sigmoidVec).",
		"n must be a multiple of the lane count.")
	L := func(s string) string { return name + s }

	P := Load(Param("p"), GP64())
	lossP := Load(Param("loss"), GP64())
	gradP := Load(Param("grad"), GP64())
	hessP := Load(Param("hess"), GP64())
	X := Load(Param("x"), GP64())
	Y := Load(Param("y"), GP64())
	n := Load(Param("n"), GP64())
	par := func(i int) bc { return bc(Mem{Base: P, Disp: 32 * i}) }

	// One block per step, in four stages (see sigmoidStages); the rest
	// loads x and y again.
	a = a.one()
	acc := a.zero()
	at := func(base, idx reg.Register) Mem { return Mem{Base: base, Index: idx, Scale: uint8(size)} }
	fr, stages := a.sigmoidStages(func(idx reg.Register) V { return a.loadF(at(X, idx), f64) })
	unpark := fr.unpark
	i := GP64()
	pipeline(name, i, n, a.lanes, fr.size(), stages, func(area reg.Register) {
		atI := func(base reg.Register) Mem { return at(base, i) }
		a.sigmoidRest(L, par, lossP, gradP, hessP, f64, atI,
			a.loadF(atI(X), f64), a.loadF(atI(Y), f64), unpark(area, 0), unpark(area, 1), unpark(area, 2), acc)
	})
	sum := a.hsum(acc)
	VZEROUPPER()
	Store(sum, ReturnIndex(0))
	RET()
}

// sigmoidRest emits the kernel after exp and log1p for one block: the
// hard-target quantities, the soft-target branch, m^γ, αₜ, and the outputs.
func (a *isa) sigmoidRest(L func(string) string, par func(int) bc, lossP, gradP, hessP reg.Register, f64 bool,
	at func(reg.Register) Mem, x, y, e, l1, inv, acc V) {
	nan := a.cmp(cmpUNORD, x, y)
	spPos := a.add(a.max(x, a.c(0)), l1)
	spNeg := a.add(a.max(a.neg(x), a.c(0)), l1)
	// p and 1 − p from 1/(1 + e) and e/(1 + e), without cancellation.
	ei := a.mul(e, inv)
	pos := a.cmp(cmpGE, x, a.c(0))
	pr := a.blend(pos, ei, inv)
	q := a.blend(pos, inv, ei)

	// Hard targets: y = 1 or y = 0.
	one := a.cmp(cmpEQ, y, a.c(1))
	ce := a.blend(one, spPos, spNeg)
	m := a.blend(one, pr, q)
	r := a.blend(one, q, a.neg(pr))
	logm := a.blend(one, a.neg(spNeg), a.neg(spPos))
	hard := a.or(one, a.cmp(cmpEQ, y, a.c(0)))
	a.jumpIfAll(hard, L("hard"))

	// Soft targets, blended into the lanes where y ∉ {0, 1}.
	{
		omy := a.sub(a.load(a.c(1)), y)
		pos := a.cmp(cmpGE, x, a.c(0))
		ces := a.add(a.blend(pos, a.neg(a.mul(x, y)), a.mul(x, omy)), l1) // −x·y or x(1 − y), plus l1
		ms := a.add(a.mul(y, q), a.mul(omy, pr))
		a.blendTo(ce, hard, ces, ce)
		oty := a.sub(a.load(a.c(1)), a.add(y, y))
		rs := a.div(a.mul(a.mul(oty, pr), q), ms)
		a.blendTo(r, hard, rs, r)
		a.blendTo(m, hard, ms, m)
		CMPQ(Mem(par(parFlags)), U8(0))
		JGE(LabelRef(L("softint")))
		a.blendTo(logm, hard, a.log(m), logm)
		Label(L("softint"))
	}
	Label(L("hard"))

	w := a.powK(m, func() V { return logm }, par(parGamma), par(parFlags), L("pow")) // m^γ

	// aw = αₜ·w
	CMPQ(Mem(par(parFlags)).Offset(8), U8(0))
	JE(LabelRef(L("noalpha")))
	atv := a.add(a.mul(y, par(parA)), a.mul(a.sub(a.load(a.c(1)), y), par(parB)))
	a.mulTo(w, atv, w)
	Label(L("noalpha"))

	// p − y = p(1 − y) − y(1 − p), without cancellation for hard targets.
	d := a.sub(a.mul(pr, a.sub(a.load(a.c(1)), y)), a.mul(y, q))
	loss := a.mul(w, ce)
	a.blendTo(loss, nan, loss, a.c(math.NaN()))
	a.addTo(acc, acc, loss)
	unlessNil(lossP, L("noloss"), func() {
		// No saturation at MaxFloat32 (kernel.sat) is needed for float32: the
		// loss is at most |x| + log 2, which rounds to at most MaxFloat32.
		a.storeF(loss, at(lossP), f64)
	})

	// ∂FL/∂x = αₜ m^γ [γ r ce + (p − y)]
	unlessNil(gradP, L("nograd"), func() {
		g := a.add(a.mul(a.mul(r, par(parGamma)), ce), d)
		g = a.mul(a.mul(w, g), par(parScale))
		a.blendTo(g, nan, g, a.c(math.NaN()))
		a.storeF(g, at(gradP), f64)
	})

	// ∂²FL/∂x² = αₜ m^γ [γ(γ−1) r² ce + γ r (1 − 2p) ce + 2γ r (p − y) + p(1 − p)]
	unlessNil(hessP, L("nohess"), func() {
		t1 := a.mul(a.mul(a.mul(r, par(parG2)), r), ce)
		omp := a.sub(a.load(a.c(1)), a.add(pr, pr))
		t2 := a.mul(a.mul(a.mul(r, par(parGamma)), omp), ce)
		t3 := a.mul(a.mul(r, par(parTwoG)), d)
		h := a.add(a.add(a.add(t1, t2), t3), a.mul(pr, q))
		// max(floor, h) keeps a NaN h, as Go's max does.
		h = a.max(a.load(par(parClip)), a.mul(a.mul(w, h), par(parScale)))
		a.blendTo(h, nan, h, a.c(math.NaN()))
		a.storeF(h, at(hessP), f64)
	})

}

// Slots of the float64 hard-target kernel's constant block
// (kernel.vec.h): each a 32-byte vector of four copies, as parA….
const (
	h64A1    = iota // αₜ for y = 1: α, or 1 without α-weighting
	h64A0           // αₜ for y = 0: 1 − α, or 1
	h64Scale        // the gradient's scale
	h64Gamma        // γ
	h64K            // the int64 k = γ, an integer in [0, 8]
)

// sigmoidHard64 emits sigmoidHard…F64, the sigmoid kernel for float64
// data with hard targets and an integer γ = k ≤ 8, loss and gradient:
//
//	func(h *[32]float64, loss, grad, x, y *float64, n int) (sum float64, done int)
//
// h holds the constants (h64A1…h64K); loss may be nil, n is a multiple of
// the lane count. It stops before the first step with a target other
// than 0 and 1 and returns the sum of the losses before it and its index
// (n when there is none).
//
// The general kernel's outputs, in fewer operations: with t = s·x
// (s = 1 for y = 1, −1 for y = 0), pₜ = σ(t) and m = σ(−t) are 1/(1 + e)
// and e/(1 + e) (e = e^−|x|) chosen by t's sign, ce = softplus(−t) is
// log1p(e) − min(t, 0), and
//
//	loss = αₜ m^k ce,  grad = −s (αₜ m^k (γ pₜ ce + m))·scale
//
// (∂m/∂t = −m pₜ, ∂ce/∂t = −m), each rounded as the general kernel rounds
// it for a hard target: the outputs are its own bit for bit (so an
// element's do not depend on which kernel its step takes), NaN for a NaN
// logit and the same limits for infinite ones (+Inf, and NaN where
// pₜ = 0 meets ce = +Inf).
func (a *isa) sigmoidHard64() {
	name := "sigmoidHard" + a.name + "F64"
	record(a.name, "sigmoidHardF64", name)
	TEXT(name, 0, "func(h *[32]float64, loss, grad, x, y *float64, n int) (sum float64, done int)")
	Pragma("noescape")
	Doc(name+" is the sigmoid kernel on "+a.name+" for float64 data with hard targets and an integer γ ≤ 8 (see sigmoidVec).",
		"n must be a multiple of the lane count; it stops before the first step with a soft target.")
	L := func(s string) string { return name + s }

	H := Load(Param("h"), GP64())
	lossP := Load(Param("loss"), GP64())
	gradP := Load(Param("grad"), GP64())
	X := Load(Param("x"), GP64())
	Y := Load(Param("y"), GP64())
	n := Load(Param("n"), GP64())
	par := func(i int) bc { return bc(Mem{Base: H, Disp: 32 * i}) }

	// One block per step: two on AVX-512 measured the same (2.66 against
	// 2.72 ns per element), and AVX2's 16 registers do not hold two.
	a = a.one()
	record(a.name, "hard64Step", a.step())
	acc := a.zero()
	at := func(base, idx reg.Register) Mem { return Mem{Base: base, Index: idx, Scale: 8} }
	fr, stages := a.sigmoidStages(func(idx reg.Register) V { return a.loadF(at(X, idx), true) })
	unpark := fr.unpark
	i := GP64()
	pipeline(name, i, n, a.step(), fr.size(), stages, func(area reg.Register) {
		x := a.loadF(at(X, i), true)
		y := a.loadF(at(Y, i), true)
		one := a.cmp(cmpEQ, y, a.c(1))
		hard := a.or(one, a.cmp(cmpEQ, y, a.c(0)))
		a.jumpIfAll(hard, L("hard"))
		JMP(LabelRef(L("stop")))
		Label(L("hard"))
		t := a.blend(one, a.neg(x), x) // s·x
		e, l1, inv := unpark(area, 0), unpark(area, 1), unpark(area, 2)
		ei := a.mul(e, inv)
		tneg := a.signMask(t)
		m := a.blend(tneg, ei, inv)  // σ(−t)
		pt := a.blend(tneg, inv, ei) // σ(t)
		ce := a.sub(l1, a.min(a.zero(), t))
		w := a.vec()
		a.mov(a.load(a.c(1)), w)
		cnt := GP64()
		MOVQ(Mem(par(h64K)), cnt)
		Label(L("pow"))
		TESTQ(cnt, cnt)
		JZ(LabelRef(L("powdone")))
		a.mulTo(w, w, m)
		DECQ(cnt)
		JMP(LabelRef(L("pow")))
		Label(L("powdone"))
		// In the general kernel's order and roundings, its outputs bit
		// for bit: αₜ m^γ, times ce; its NaN for a NaN logit.
		nan := a.cmp(cmpUNORD, x, x)
		a.mulTo(w, w, a.blend(one, a.load(par(h64A0)), par(h64A1)))
		loss := a.mul(w, ce)
		a.blendTo(loss, nan, loss, a.c(math.NaN()))
		a.addTo(acc, acc, loss)
		unlessNil(lossP, L("noloss"), func() {
			a.storeF(loss, at(lossP, i), true)
		})
		unlessNil(gradP, L("nograd"), func() {
			// γ pₜ ce + m, negated for y = 1 (the general kernel's
			// γ r ce + (p − y), r = −p or q), times αₜ m^γ, then the scale.
			// The negation is 0 − g: +0 for 0, as the general kernel's sum
			// −0 + 0.
			g := a.add(a.mul(a.mul(pt, par(h64Gamma)), ce), m)
			g = a.mul(a.mul(w, a.blend(one, g, a.sub(a.zero(), g))), par(h64Scale))
			a.blendTo(g, nan, g, a.c(math.NaN()))
			a.storeF(g, at(gradP, i), true)
		})
	})
	Label(L("stop"))
	sum := a.hsum(acc)
	VZEROUPPER()
	Store(sum, ReturnIndex(0))
	Store(i, ReturnIndex(1))
	RET()
}

// signMask returns the mask of the lanes of v whose sign bit is set: v
// itself on AVX2 (VBLENDVPD reads the sign bits), VPMOVQ2M on AVX-512.
func (a *isa) signMask(v V) M {
	if !a.z {
		m := make(M, len(v))
		for u := range v {
			m[u] = v[u]
		}
		return m
	}
	k := a.mask()
	for u := range v {
		VPMOVQ2M(v[u], k[u])
	}
	return k
}

// A frame is the layout of a pipelined step's frame area: values of one
// isa (all its blocks) in numbered places.
type frame struct {
	a      *isa
	places int
}

// size returns the bytes of one step's area.
func (fr frame) size() int { return fr.places * 64 * fr.a.unroll }

// park stores v in place q of area.
func (fr frame) park(v V, area reg.Register, q int) {
	for u := range v {
		VMOVUPD(v[u], Mem{Base: area, Disp: (q*fr.a.unroll + u) * 64})
	}
}

// unpark loads place q of area.
func (fr frame) unpark(area reg.Register, q int) V {
	v := fr.a.vec()
	for u := range v {
		VMOVUPD(Mem{Base: area, Disp: (q*fr.a.unroll + u) * 64}, v[u])
	}
	return v
}

// sigmoidStages returns the stages of the sigmoid kernels' pipeline before
// the rest of a step (see pipeline), for the logits that load returns:
//
//  1. e = e^−|x| (place 0);
//  2. log1p(e)'s reduction (f, k: places 1 and 3), its division
//     s = f/(2 + f) (place 4) and 1/(1 + e) (place 2);
//  3. log1p(e) from f, k and s (place 1).
//
// The rest reads e, log1p(e) and 1/(1 + e) from places 0, 1 and 2 of its
// area. The two divisions in a stage of their own, apart from the
// polynomials on either side, keep each stage's chain of dependent
// operations short: on AVX2 the hard-target kernel took 3.8 ns per element
// where it took 4.3 with the log1p whole in one stage (a fifth stage, the
// exponential's reduction apart, 3.9).
func (a *isa) sigmoidStages(load func(idx reg.Register) V) (frame, []stage) {
	fr := frame{a: a, places: 5}
	expStage := func(idx, area reg.Register, _ func(string) string) {
		x := load(idx)
		fr.park(a.expNeg(a.or1(x, a.cbits(1<<63))), area, 0) // e^−|x|
	}
	divStage := func(_, area reg.Register, _ func(string) string) {
		e := fr.unpark(area, 0)
		f, k := a.log1p01Reduce(e)
		fr.park(f, area, 1)
		fr.park(k, area, 3)
		fr.park(a.logS(f), area, 4)
		fr.park(a.div(a.load(a.c(1)), a.add(e, a.c(1))), area, 2)
	}
	logStage := func(_, area reg.Register, _ func(string) string) {
		fr.park(a.logKernelS(fr.unpark(area, 1), fr.unpark(area, 3), fr.unpark(area, 4)), area, 1)
	}
	return fr, []stage{expStage, divStage, logStage}
}

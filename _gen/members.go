package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The kernels of the family's other members (package focal's Poly1,
// Asymmetric, Quality, Varifocal, FLStar, Scheduled, Reduced and Gaussian):
// one skeleton (member) with each member's element math, computed lane for
// lane in float64 as the member's Go element function does (its oracle).
//
//	func(p *[64]float64, loss, grad, hess, x, y *T, n int) float64
//
// p holds the constants, each as four copies 32 bytes apart: the common
// ones (mScale…mLimit) and the member's own from mOwn on, in the order its
// constructor in internal/kernel/members.go writes them. n is a multiple
// of the step (lanes); nil destinations are skipped. It returns Σ loss,
// the losses clamped as stored.

// Slots of the common constants.
const (
	mScale = iota // multiplies the gradient and Hessian
	mFloor        // the Hessian's floor: −Inf, or the clip value
	mLimit        // the largest finite value of T: finite logits saturate to ±mLimit
	mOwn          // the member's first constant
)

// memberParts are the quantities of one block of logits that every member
// is built from (kernel.sigParts in Go): p = σ(x), q = 1 − p, spPos =
// softplus(x) = −log q, spNeg = softplus(−x) = −log p, l1 = log1p(e^−|x|),
// each without cancellation; and the targets. Where the members' math
// would overflow the registers (AVX2's 16: avo then takes registers 16–31,
// which need AVX-512), they are parked in the frame and each use loads a
// copy.
type memberParts struct {
	a    *isa
	v    [nParts]V
	park *Mem // nil: the values stay in registers
}

// The parts, by index.
const (
	pX = iota
	pY
	pE
	pL1
	pP
	pQ
	pSpPos
	pSpNeg
	pRaw // the logit before the transform (FL*)
	nParts
)

// get returns part k: its register, or a fresh load of its parked copy.
func (s memberParts) get(k int) V {
	if s.park == nil {
		return s.v[k]
	}
	d := s.a.vec()
	VMOVUPD(s.park.Offset(8*s.a.lanes*k), d[0])
	return d
}

func (s memberParts) X() V     { return s.get(pX) }
func (s memberParts) Y() V     { return s.get(pY) }
func (s memberParts) L1() V    { return s.get(pL1) }
func (s memberParts) P() V     { return s.get(pP) }
func (s memberParts) Q() V     { return s.get(pQ) }
func (s memberParts) SpPos() V { return s.get(pSpPos) }
func (s memberParts) SpNeg() V { return s.get(pSpNeg) }
func (s memberParts) Raw() V   { return s.get(pRaw) }

// memberKernel emits one member's kernel for float32 or float64 data.
// elem returns the member's unscaled loss, gradient and Hessian of one
// block from its parts; par(i) is constant slot i; label makes the
// kernel's labels. transform, if not nil, replaces the logit the parts are
// computed from (FL*'s z = γ xₜ + β); the loss's clamp and NaN use x.
// l1Positives computes log1p(e^−|x|) only for blocks with a positive (see
// parts): for a member whose negatives need neither softplus.
func (a *isa) memberKernel(member string, f64 bool, transform func(par func(int) bc, x, y V) V, l1Positives bool,
	elem func(par func(int) bc, label func(string) string, s memberParts) (l, g, h V)) {
	t, size := "float32", 4
	if f64 {
		t, size = "float64", 8
	}
	suffix := map[bool]string{true: "F64", false: "F32"}[f64]
	name := member + a.name + suffix
	record(a.name, "member"+suffix+":"+member, name)
	record(a.name, "memberStep", a.lanes)
	flags := NOSPLIT
	if !a.z {
		flags = 0 // the frame of the pipelined loop is too large for NOSPLIT
	}
	TEXT(name, flags, "func(p *[64]float64, loss, grad, hess, x, y *"+t+", n int) float64")
	Pragma("noescape")
	Doc(name+" is the "+member+" kernel of the focal family on "+a.name+" for "+t+" (see memberKernel in _gen).",
		"n must be a multiple of the lane count.")
	L := func(s string) string { return name + s }
	b := a
	P := Load(Param("p"), GP64())
	lossP, gradP, hessP := Load(Param("loss"), GP64()), Load(Param("grad"), GP64()), Load(Param("hess"), GP64())
	X, Y := Load(Param("x"), GP64()), Load(Param("y"), GP64())
	n := Load(Param("n"), GP64())
	par := func(i int) bc { return bc(Mem{Base: P, Disp: 32 * i}) }
	acc := b.zero()
	load := func(base, idx reg.Register) V { return b.loadF(Mem{Base: base, Index: idx, Scale: uint8(size)}, f64) }
	// logit loads the block at idx: its logits x, the logits z the parts
	// are computed from (x, or the transform's), and its targets y.
	logit := func(idx reg.Register) (z, x, y V) {
		x, y = load(X, idx), load(Y, idx)
		z = x
		if transform != nil {
			z = transform(par, x, y)
		}
		return z, x, y
	}
	// parts returns the parts of the block at idx, parked at park if not
	// nil, from e = e^−|z| if not nil (computed a step ahead).
	parts := func(idx reg.Register, park *Mem, l1 string, e V) memberParts {
		z, x, y := logit(idx)
		if !l1Positives {
			l1 = ""
		}
		return b.parts(z, y, x, e, park, l1)
	}
	// finish computes the member's outputs of the block at idx from its
	// parts and stores them.
	finish := func(idx reg.Register, s memberParts) {
		at := func(base reg.Register) Mem { return Mem{Base: base, Index: idx, Scale: uint8(size)} }
		l, g, h := elem(par, L, s)
		x, y := s.Raw(), s.Y()

		// NaN in, NaN out; a finite logit's outputs saturate at ±limit.
		nan := b.cmp(cmpUNORD, x, y)
		inf := b.cmp(cmpEQ, b.and(x, b.cbits(1<<63-1)), b.c(math.Inf(1)))
		clamp := func(v V) V {
			lim := b.load(par(mLimit))
			c := b.min(lim, b.max(b.neg(lim), v)) // the second operand: NaN stays
			return b.blend(inf, c, v)
		}
		l = b.blend(nan, clamp(l), b.c(math.NaN()))
		b.addTo(acc, acc, l)
		unlessNil(lossP, L("noloss"), func() {
			b.storeF(l, at(lossP), f64)
		})
		unlessNil(gradP, L("nograd"), func() {
			b.storeF(b.blend(nan, clamp(b.mul(g, par(mScale))), b.c(math.NaN())), at(gradP), f64)
		})
		unlessNil(hessP, L("nohess"), func() {
			hs := b.max(b.load(par(mFloor)), b.mul(h, par(mScale))) // keeps a NaN h
			b.storeF(b.blend(nan, clamp(hs), b.c(math.NaN())), at(hessP), f64)
		})
	}
	i := GP64()
	XORQ(i, i)
	if a.z && !aheadTooWide[member] {
		// AVX-512 keeps the parts in registers, and computes the
		// exponential of the next block before this block's parts and
		// member math (software pipelining, as expAhead does for the
		// float32 lanes; the last block computes its own again).
		stage := func(idx reg.Register) V {
			z, _, _ := logit(idx)
			return b.exp(b.neg(b.and(z, b.cbits(1<<63-1))))
		}
		CMPQ(n, U8(0))
		JE(LabelRef(L("done")))
		ecur := stage(i)
		Label(L("loop"))
		CMPQ(i, n)
		JGE(LabelRef(L("done")))
		nx := GP64()
		LEAQ(Mem{Base: i, Disp: a.lanes}, nx)
		CMPQ(nx, n)
		JL(LabelRef(L("ahead")))
		MOVQ(i, nx)
		Label(L("ahead"))
		enext := stage(nx)
		finish(i, parts(i, nil, L("l1"), ecur))
		VMOVAPD(enext[0], ecur[0])
		ADDQ(U32(a.lanes), i)
		JMP(LabelRef(L("loop")))
		Label(L("done"))
	} else if a.z {
		loop(name, i, n, U32(a.lanes), func() { finish(i, parts(i, nil, L("l1"), nil)) })
	} else {
		// AVX2 parks the parts in the frame, in three stages (see
		// pipeline): the exponential e = e^−|z|, parked in its part's
		// slot; the parts from it (log1p, the division); the member's
		// math and the stores.
		slotE := func(area reg.Register) Mem { return Mem{Base: area, Disp: 8 * a.lanes * pE} }
		pipeline(name, i, n, a.lanes, 8*a.lanes*nParts, []stage{
			func(idx, area reg.Register, _ func(string) string) {
				z, _, _ := logit(idx)
				e := b.exp(b.neg(b.and(z, b.cbits(1<<63-1))))
				VMOVUPD(e[0], slotE(area))
			},
			func(idx, area reg.Register, L func(string) string) {
				e := b.vec()
				VMOVUPD(slotE(area), e[0])
				parts(idx, &Mem{Base: area}, L("l1"), e)
			},
		}, func(area reg.Register) {
			finish(i, memberParts{a: b, park: &Mem{Base: area}})
		})
	}
	sum := a.hsum(acc)
	VZEROUPPER()
	Store(sum, ReturnIndex(0))
	RET()
}

// aheadTooWide are the AVX-512 float64-lane member kernels whose
// registers do not hold the next block's exponential as well (avo's
// allocator fails): they compute it in the block.
var aheadTooWide = map[string]bool{"asymmetricMargin": true}

// parts returns the memberParts of logits x and targets y (one block),
// raw the logits before a transform (x without one), from e = e^−|x| when
// it is not nil (else computed here), parked in park when it is not nil.
// With a label (not ""), log1p(e^−|x|) is computed only
// when a lane has y = 1 (0 in every lane otherwise, and so are softplus's
// log terms): for a member that needs it, spPos and spNeg, only there.
func (a *isa) parts(x, y, raw, e V, park *Mem, l1Positives string) memberParts {
	if e == nil {
		e = a.expNeg(a.neg(a.and(x, a.cbits(1<<63-1))))
	}
	l1 := a.zero()
	if l1Positives != "" {
		a.jumpIfNone(a.cmp(cmpEQ, y, a.c(1)), l1Positives)
	}
	a.mov(a.log1p01(e), l1)
	if l1Positives != "" {
		Label(l1Positives)
	}
	inv := a.div(a.load(a.c(1)), a.add(e, a.c(1)))
	ei := a.mul(e, inv)
	pos := a.cmp(cmpGE, x, a.c(0))
	s := memberParts{a: a, v: [nParts]V{
		pX: x, pY: y, pE: e, pL1: l1,
		pP:     a.blend(pos, ei, inv),
		pQ:     a.blend(pos, inv, ei),
		pSpPos: a.add(a.max(x, a.c(0)), l1),
		pSpNeg: a.add(a.max(a.neg(x), a.c(0)), l1),
		pRaw:   raw,
	}}
	if park != nil {
		for k, v := range s.v {
			VMOVUPD(v[0], park.Offset(8*a.lanes*k))
		}
		s.park = park
	}
	return s
}

// focus returns, for targets y ∈ [0, 1], the cross-entropy
// ce = softplus(x) − x·y, the focusing base m = 1 − pₜ = y·q + (1 − y)·p,
// log m, and the bounded ratio r = m′/m (kernel's sigParts.focus). The
// soft targets' code runs only when a lane has one (label names the jump).
func (a *isa) focus(s memberParts, label string) (ce, m, logm, r V) {
	one := a.cmp(cmpEQ, s.Y(), a.c(1))
	ce = a.blend(one, s.SpPos(), s.SpNeg())
	m = a.blend(one, s.P(), s.Q())
	logm = a.blend(one, a.neg(s.SpNeg()), a.neg(s.SpPos()))
	r = a.blend(one, s.Q(), a.neg(s.P()))
	hard := a.or(one, a.cmp(cmpEQ, s.Y(), a.c(0)))
	a.jumpIfAll(hard, label)
	omy := a.sub(a.load(a.c(1)), s.Y())
	pos := a.cmp(cmpGE, s.X(), a.c(0))
	ces := a.add(a.blend(pos, a.neg(a.mul(s.X(), s.Y())), a.mul(s.X(), omy)), s.L1())
	ms := a.add(a.mul(s.Y(), s.Q()), a.mul(omy, s.P()))
	oty := a.sub(a.load(a.c(1)), a.add(s.Y(), s.Y()))
	rs := a.div(a.mul(a.mul(oty, s.P()), s.Q()), ms)
	// m = 0 only where the logit is infinite: r is then q (y < ½) or −p.
	half := a.cmp(cmpLT, s.Y(), a.c(0.5))
	rs = a.blend(a.cmp(cmpEQ, ms, a.c(0)), rs, a.blend(half, a.neg(s.P()), s.Q()))
	a.blendTo(ce, hard, ces, ce)
	a.blendTo(r, hard, rs, r)
	a.blendTo(logm, hard, a.log(ms), logm)
	a.blendTo(m, hard, ms, m)
	Label(label)
	return ce, m, logm, r
}

// park stores vs in the frame (one block each) and returns a function
// that loads copies back: values kept across a register-hungry stretch.
func (a *isa) park(vs ...V) func(i int) V {
	size := 8 * a.lanes
	m := AllocLocal(size * len(vs))
	for i, v := range vs {
		VMOVUPD(v[0], m.Offset(size*i))
	}
	return func(i int) V {
		d := a.vec()
		VMOVUPD(m.Offset(size*i), d[0])
		return d
	}
}

// keep returns v in the lanes of m, 0 in the others.
func (a *isa) keep(m M, v V) V {
	if !a.z {
		return a.andMask(v, m)
	}
	d := a.vec()
	for u := range d {
		VMOVAPD_Z(v[u], m[u], d[u])
	}
	return d
}

// dev returns p − y = p(1 − y) − y·q.
func (a *isa) dev(s memberParts) V {
	return a.sub(a.mul(s.P(), a.sub(a.load(a.c(1)), s.Y())), a.mul(s.Y(), s.Q()))
}

// pow returns m^g as exp(g·log m) from log m (finite): g a constant
// operand or per-lane values.
func (a *isa) pow(logm V, g any) V {
	return a.exp(a.mul(logm, g))
}

// powK returns m^g: by k multiplications where the int64 flag is k ≥ 0
// (g a small integer), else exp(g·log m) with log m from logm, called only
// there; label names the branch.
func (a *isa) powK(m V, logm func() V, g, flag bc, label string) V {
	w := a.vec()
	CMPQ(Mem(flag), U8(0))
	JL(LabelRef(label + "log"))
	a.mov(a.load(a.c(1)), w)
	cnt := GP64()
	MOVQ(Mem(flag), cnt)
	Label(label + "loop")
	TESTQ(cnt, cnt)
	JZ(LabelRef(label + "done"))
	a.mulTo(w, w, m)
	DECQ(cnt)
	JMP(LabelRef(label + "loop"))
	Label(label + "log")
	a.mov(a.exp(a.mul(logm(), g)), w)
	Label(label + "done")
	return w
}

// alphaT returns αₜ = y·A + (1 − y)·B from constant slots A and B.
func (a *isa) alphaT(y V, A, B bc) V {
	return a.add(a.mul(y, A), a.mul(a.sub(a.load(a.c(1)), y), B))
}

// focused returns L = w·ce and its first two derivatives for a focusing
// weight w with w′ = g·r·w (kernel's focused in Go):
//
//	L′ = w [g r ce + d]
//	L″ = w [g(g−1) r² ce + g r (1 − 2p) ce + 2 g r d + p q]
//
// g is a constant operand or per-lane values.
func (a *isa) focused(w V, g any, r, ce, d, p, q V) (l, dl, d2l V) {
	gv, ok := g.(V)
	if !ok {
		gv = a.load(g.(bc))
	}
	// (ordered so that few values are live at once: AVX2 has 16 registers)
	gr := a.mul(r, gv)
	grce := a.mul(gr, ce)
	l = a.mul(w, ce)
	dl = a.mul(w, a.add(grce, d))
	h := a.add(a.mul(p, q), a.mul(a.add(gr, gr), d))
	h = a.add(h, a.mul(grce, a.sub(a.load(a.c(1)), a.add(p, p))))
	h = a.add(h, a.mul(a.mul(grce, r), a.sub(gv, a.c(1))))
	d2l = a.mul(w, h)
	return l, dl, d2l
}

// members emits every member kernel for float32 and float64 data, one
// block per iteration.
func (a *isa) members() {
	b := a.one()
	for _, f64 := range []bool{false, true} {
		b.memberKernel("poly1", f64, nil, false, b.poly1)
		b.memberKernel("gaussian", f64, nil, false, b.gaussian)
		b.memberKernel("varifocal", f64, nil, false, b.varifocal)
		b.memberKernel("reduced", f64, nil, false, b.reduced)
		b.memberKernel("scheduled", f64, nil, false, b.scheduled)
		b.memberKernel("flstar", f64, b.flstarZ, false, b.flstar)
		b.memberKernel("asymmetric", f64, nil, false, b.asymmetric(false))
		b.memberKernel("asymmetricMargin", f64, nil, true, b.asymmetric(true))
		b.memberKernel("asymmetricDetached", f64, nil, true, b.asymmetricDetached)
		// Quality's soft form keeps more values live than avo's greedy
		// allocator places in AVX-512's registers (it fails where the AVX2
		// form, with its parked values, succeeds): the AVX-512 table takes
		// its AVX2 kernel.
		suffix := map[bool]string{true: "F64", false: "F32"}[f64]
		for _, k := range []struct {
			m  string
			fn func(func(int) bc, func(string) string, memberParts) (V, V, V)
		}{{"quality", b.quality}} {
			m, fn := k.m, k.fn
			if a.z {
				record(a.name, "member"+suffix+":"+m, m+"AVX2"+suffix)
				continue
			}
			b.memberKernel(m, f64, nil, false, fn)
		}
	}
}

// poly1 is focal.Poly1: FL + ε m^(γ+1) (slots: A, B, γ, ε, γ + 1, γ's
// flag for powK).
func (a *isa) poly1(par func(int) bc, L func(string) string, s memberParts) (l, g, h V) {
	A, B, gm, eps, k := par(mOwn), par(mOwn+1), par(mOwn+2), par(mOwn+3), par(mOwn+4)
	ce, m, logm, r := a.focus(s, L("focus"))
	w := a.powK(m, func() V { return logm }, gm, par(mOwn+5), L("pow"))
	l, g, h = a.focused(a.mul(a.alphaT(s.Y(), A, B), w), gm, r, ce, a.dev(s), s.P(), s.Q())
	pk := a.mul(a.mul(w, m), eps) // ε m^k, m^k = m^γ·m
	l = a.add(l, pk)
	ek := a.mul(pk, k) // ε k m^k
	g = a.add(g, a.mul(ek, r))
	hb := a.add(a.mul(a.mul(a.sub(a.load(k), a.c(1)), r), r), a.mul(r, a.sub(a.load(a.c(1)), a.add(s.P(), s.P()))))
	h = a.add(h, a.mul(ek, hb))
	return l, g, h
}

// gaussian is focal.Gaussian (slots: γ, β, their flags for powK): y = 1:
// focal loss of a positive without α; y < 1: (1 − y)^β times focal loss
// of a negative.
func (a *isa) gaussian(par func(int) bc, L func(string) string, s memberParts) (l, g, h V) {
	gm, beta := par(mOwn), par(mOwn+1)
	one := a.cmp(cmpEQ, s.Y(), a.c(1))
	// (1 − y)^β, 1 where y = 1 (there log 0 = −Inf is not taken)
	omy := a.blend(one, a.sub(a.load(a.c(1)), s.Y()), a.c(1))
	c := a.powK(omy, func() V { return a.log(omy) }, beta, par(mOwn+3), L("powb"))
	one = a.cmp(cmpEQ, s.Y(), a.c(1))
	m := a.blend(one, s.P(), s.Q())
	w := a.mul(c, a.powK(m, func() V { return a.blend(one, a.neg(s.SpNeg()), a.neg(s.SpPos())) }, gm, par(mOwn+2), L("powg")))
	one = a.cmp(cmpEQ, s.Y(), a.c(1))
	r := a.blend(one, s.Q(), a.neg(s.P()))
	ce := a.blend(one, s.SpPos(), s.SpNeg())
	d := a.blend(one, s.P(), a.neg(s.Q()))
	return a.focused(w, gm, r, ce, d, s.P(), s.Q())
}

// varifocal is focal.Varifocal (slots: α or 1, γ, IoU-weighted as 1 or
// 0, γ's flag for powK): y > 0: w_p·ce, w_p = y or 1, the weight constant; y = 0: α p^γ
// softplus(x), focal loss of a negative with α.
func (a *isa) varifocal(par func(int) bc, L func(string) string, s memberParts) (l, g, h V) {
	al, gm, iou := par(mOwn), par(mOwn+1), par(mOwn+2)
	// softplus(x) − x·y: focus's soft form, and its hard forms for y = 0
	// and 1 (the soft form's x·0 is NaN at infinite x)
	nonneg := a.cmp(cmpGE, s.X(), a.c(0))
	ce := a.add(a.blend(nonneg, a.neg(a.mul(s.X(), s.Y())), a.mul(s.X(), a.sub(a.load(a.c(1)), s.Y()))), s.L1())
	a.blendTo(ce, a.cmp(cmpEQ, s.Y(), a.c(0)), ce, s.SpPos())
	a.blendTo(ce, a.cmp(cmpEQ, s.Y(), a.c(1)), ce, s.SpNeg())
	w := a.mul(a.load(al), a.powK(s.P(), func() V { return a.neg(s.SpNeg()) }, gm, par(mOwn+3), L("pow")))
	l, g, h = a.focused(w, gm, s.Q(), s.SpPos(), s.P(), s.P(), s.Q())
	pos := a.cmp(cmpGT, s.Y(), a.c(0))
	wp := a.add(a.mul(s.Y(), iou), a.sub(a.load(a.c(1)), iou)) // y·iou + (1 − iou)
	a.blendTo(l, pos, l, a.mul(wp, ce))
	a.blendTo(g, pos, g, a.mul(wp, a.dev(s)))
	a.blendTo(h, pos, h, a.mul(a.mul(wp, s.P()), s.Q()))
	return l, g, h
}

// reduced is focal.Reduced (slots: A, B, γ, th, log th, γ's flag for
// powK, 1/th): αₜ·ce where pₜ < th, else αₜ (m/th)^γ ce with the focal
// derivatives.
func (a *isa) reduced(par func(int) bc, L func(string) string, s memberParts) (l, g, h V) {
	A, B, gm, th, logth := par(mOwn), par(mOwn+1), par(mOwn+2), par(mOwn+3), par(mOwn+4)
	ce, m, logm, r := a.focus(s, L("focus"))
	at := a.alphaT(s.Y(), A, B)
	below := a.cmp(cmpLT, a.sub(a.load(a.c(1)), m), th)                                                   // pₜ < th
	f := a.powK(a.mul(m, par(mOwn+6)), func() V { return a.sub(logm, logth) }, gm, par(mOwn+5), L("pow")) // (m/th)^γ
	d := a.dev(s)
	l, g, h = a.focused(a.mul(at, f), gm, r, ce, d, s.P(), s.Q())
	// Below th, cross-entropy: written out, since focused's 0·ce is NaN at
	// an infinite logit.
	a.blendTo(l, below, l, a.mul(at, ce))
	a.blendTo(g, below, g, a.mul(at, d))
	a.blendTo(h, below, h, a.mul(a.mul(at, s.P()), s.Q()))
	return l, g, h
}

// schedPieces is the number of (threshold, γ) pairs of the scheduled
// kernel: schedules with more take the Go path.
const schedPieces = 4

// scheduled is focal.Scheduled (slots: A, B, Else, then schedPieces pairs
// of threshold and γ, unused ones with threshold −Inf): focal loss with
// γ = γ(pₜ), the first piece with pₜ below its threshold, else Else.
func (a *isa) scheduled(par func(int) bc, L func(string) string, s memberParts) (l, g, h V) {
	A, B := par(mOwn), par(mOwn+1)
	ce, m, logm, r := a.focus(s, L("focus"))
	pt := a.sub(a.load(a.c(1)), m)
	gv := a.load(par(mOwn + 2))
	for i := schedPieces - 1; i >= 0; i-- { // the first match wins: last to first
		below := a.cmp(cmpLT, pt, par(mOwn+3+2*i))
		a.blendTo(gv, below, gv, par(mOwn+4+2*i))
	}
	w := a.mul(a.alphaT(s.Y(), A, B), a.pow(logm, gv))
	return a.focused(w, gv, r, ce, a.dev(s), s.P(), s.Q())
}

// flstarZ is FL*'s logit z = γ xₜ + β, xₜ = (2y − 1)·x (slots: A, B, γ, β,
// β/γ, 1/γ; γ = 0 already read as 1).
func (a *isa) flstarZ(par func(int) bc, x, y V) V {
	xt := a.mul(x, a.sub(a.add(y, y), a.c(1)))
	return a.add(a.mul(xt, par(mOwn+2)), par(mOwn+3))
}

// flstar is focal.FLStar on the parts of z = γ xₜ + β (hard targets):
//
//	L = αₜ softplus(−z)/γ,  L′ = −αₜ sₜ σ(−z),  L″ = αₜ γ σ(z) σ(−z),
//
// with softplus(−z)/γ written −xₜ − β/γ + log1p(e^z)/γ for z < 0, so that
// a γ·xₜ that overflows does not make the loss infinite.
func (a *isa) flstar(par func(int) bc, L func(string) string, s memberParts) (l, g, h V) {
	A, B, gm, bg, ig := par(mOwn), par(mOwn+1), par(mOwn+2), par(mOwn+4), par(mOwn+5)
	st := a.sub(a.add(s.Y(), s.Y()), a.c(1))
	at := a.alphaT(s.Y(), A, B)
	lz := a.mul(s.L1(), ig)
	neg := a.cmp(cmpLT, s.X(), a.c(0))
	xt := a.mul(s.Raw(), st)
	lneg := a.add(a.sub(a.neg(xt), bg), lz)
	l = a.mul(at, a.blend(neg, lz, lneg))
	g = a.neg(a.mul(a.mul(at, st), s.Q()))
	h = a.mul(a.mul(a.mul(at, gm), s.P()), s.Q())
	return l, g, h
}

// quality is focal.Quality (slots: β, β − 1, β − 2, 2β + 1, [β = 0],
// 2·[β = 2], the Hessian's overflow sign ±Inf, β's flag for powK): focal loss with γ = β and
// no α for hard targets; for soft y, with a = |y − p|, s = sign(y − p),
// T₁ = a^(β−1)·pq and T₂ = a^(β−2)·p²q² (each one exp of a sum of logs):
//
//	L = a^β ce,  L′ = −s [β T₁ ce + a^β a],
//	L″ = β(β − 1) T₂ ce − β s (1 − 2p) T₁ ce + (2β + 1) pq a^β
//
// (a = 0: the loss's minimum, see Quality.elem).
func (a *isa) quality(par func(int) bc, L func(string) string, s memberParts) (l, g, h V) {
	beta, b1, b2, tb1, is0, is2, hinf := par(mOwn), par(mOwn+1), par(mOwn+2), par(mOwn+3), par(mOwn+4), par(mOwn+5), par(mOwn+6)
	ce, m, logm, r := a.focus(s, L("focus"))
	l, g, h = a.focused(a.powK(m, func() V { return logm }, beta, par(mOwn+7), L("pow")), beta, r, ce, a.dev(s), s.P(), s.Q())
	hard := a.or(a.cmp(cmpEQ, s.Y(), a.c(1)), a.cmp(cmpEQ, s.Y(), a.c(0)))
	a.jumpIfAll(hard, L("hard"))
	{
		held := a.park(l, g, h, ce)
		ce := held(3)
		pos := a.cmp(cmpGE, s.X(), a.c(0))
		u := a.blend(pos, a.sub(s.Y(), s.P()), a.sub(s.Q(), a.sub(a.load(a.c(1)), s.Y())))
		av := a.and(u, a.cbits(1<<63-1))
		sg := a.or1(a.and(u, a.cbits(1<<63)), a.c(1)) // ±1 with u's sign
		zero := a.cmp(cmpEQ, av, a.c(0))
		la := a.log(a.blend(zero, av, a.c(1))) // a = 0 is handled below
		lpq := a.neg(a.add(s.SpPos(), s.SpNeg()))
		// One value at a time through the three exponentials: AVX2's 16
		// registers hold no more.
		v := a.park(av, sg, la, lpq)
		ab := a.park(a.exp(a.mul(v(2), beta)))
		t1 := a.park(a.exp(a.add(a.mul(v(2), b1), v(3))))
		lpq2 := v(3)
		t2 := a.exp(a.add(a.mul(v(2), b2), a.add(lpq2, lpq2)))
		pq := a.mul(s.P(), s.Q())
		hs := a.mul(a.mul(a.mul(t2, ce), beta), b1)
		omp := a.sub(a.load(a.c(1)), a.add(s.P(), s.P()))
		hs = a.sub(hs, a.mul(a.mul(a.mul(a.mul(v(1), omp), t1(0)), ce), beta))
		hs = a.add(hs, a.mul(a.mul(pq, ab(0)), tb1))
		ls := a.mul(ab(0), ce)
		gs := a.neg(a.mul(v(1), a.add(a.mul(a.mul(t1(0), ce), beta), a.mul(ab(0), v(0)))))
		av = v(0)
		// T₁ and T₂ both overflowed with opposite signs: T₂ dominates.
		a.blendTo(hs, a.cmp(cmpUNORD, hs, hs), hs, hinf)
		// a = 0: the minimum (β = 0: ce, 0, pq; β = 2: 0, 0, 2p²q²ce; else 0)
		zero = a.cmp(cmpEQ, av, a.c(0)) // again: masks are few
		a.blendTo(ls, zero, ls, a.mul(ce, is0))
		a.blendTo(gs, zero, gs, a.c(0))
		a.blendTo(hs, zero, hs, a.add(a.mul(pq, is0), a.mul(a.mul(a.mul(pq, pq), ce), is2)))
		hard := a.or(a.cmp(cmpEQ, s.Y(), a.c(1)), a.cmp(cmpEQ, s.Y(), a.c(0)))
		a.blendTo(l, hard, ls, held(0))
		a.blendTo(g, hard, gs, held(1))
		a.blendTo(h, hard, hs, held(2))
	}
	Label(L("hard"))
	return l, g, h
}

// asymmetric returns the element math of focal.Asymmetric (hard targets;
// slots: γ₊, γ₋, δγ₊, δγ₋, the margin m, γ₋ − 1, 1 − δ, γ₊'s and γ₋'s
// flags for powK; δ = 0 with a detached weight, which drops the weight's
// derivatives, else 1):
//
//	y = 1:  w = (1 − p)^γ₊, focal loss of a positive
//	y = 0:  w = p_m^γ₋, p_m = max(p − m, 0), times −log(1 − p_m)
//
// the margin form (margin) for m > 0, with d = p − m, c = −log(q + m),
// k = c/d: L′ = w [δγ pq k + c′], L″ = w [δγ pq (1 − 2p) k + c″ +
// δγ (pq/d)((γ − 1) pq k + 2c′)], c′ = pq/(q + m), c″ = c′(1 − 2p + c′);
// 0 where p ≤ m. The margin form's negatives use none of the softplus
// terms (its kernel takes l1Positives).
func (a *isa) asymmetric(margin bool) func(par func(int) bc, L func(string) string, s memberParts) (l, g, h V) {
	return func(par func(int) bc, L func(string) string, s memberParts) (l, g, h V) {
		gp, gn, dgp, dgn, mg, gn1 := par(mOwn), par(mOwn+1), par(mOwn+2), par(mOwn+3), par(mOwn+4), par(mOwn+5)
		wp := a.powK(s.Q(), func() V { return a.neg(s.SpPos()) }, gp, par(mOwn+7), L("powp")) // (1 − p)^γ₊
		wm := a.powK(s.P(), func() V { return a.neg(s.SpNeg()) }, gn, par(mOwn+8), L("pown")) // p^γ₋
		one := a.cmp(cmpEQ, s.Y(), a.c(1))
		w := a.blend(one, wm, wp)
		gd := a.blend(one, a.load(dgn), dgp)
		r := a.blend(one, s.Q(), a.neg(s.P()))
		ce := a.blend(one, s.SpPos(), s.SpNeg())
		d := a.blend(one, s.P(), a.neg(s.Q()))
		l, g, h = a.focused(w, gd, r, ce, d, s.P(), s.Q())
		// A detached weight's derivatives written out: focused's 0·ce is
		// NaN at an infinite logit.
		detach := a.cmp(cmpEQ, a.load(par(mOwn+6)), a.c(1))
		a.blendTo(g, detach, g, a.mul(w, d))
		a.blendTo(h, detach, h, a.mul(a.mul(w, s.P()), s.Q()))
		if !margin {
			return l, g, h
		}
		held := a.park(l, g, h)
		dm := a.marginBase(s, mg)
		pq := a.mul(s.P(), s.Q())
		qm := a.add(s.Q(), mg)
		c := a.neg(a.log(qm))
		c1 := a.div(pq, qm)
		wn := a.powK(dm, func() V { return a.log(dm) }, gn, par(mOwn+8), L("powd"))
		k := a.div(c, dm)
		gk := a.mul(a.mul(pq, k), dgn) // δγ pq k
		out := a.park(a.mul(wn, c), a.mul(wn, a.add(gk, c1)))
		omp := a.sub(a.load(a.c(1)), a.add(s.P(), s.P()))
		c2 := a.mul(c1, a.add(omp, c1))
		inner := a.add(a.mul(a.mul(pq, k), gn1), a.add(c1, c1))
		hn := a.add(a.add(a.mul(gk, omp), c2), a.mul(a.mul(a.div(pq, dm), dgn), inner))
		hn = a.mul(wn, hn)
		return a.marginOut(s, mg, held, out(0), out(1), hn)
	}
}

// marginBase returns the margin forms' d = p − m where p > m, and 1 where
// not, so that its logs and divisions stay finite there (marginOut clears
// those lanes).
func (a *isa) marginBase(s memberParts, mg bc) V {
	dm := a.sub(s.P(), mg)
	return a.blend(a.cmp(cmpGT, dm, a.c(0)), a.load(a.c(1)), dm)
}

// marginOut returns the margin forms' outputs: the negatives' l, g, h (0
// where p ≤ m) in the lanes with y = 0, the positives' (held(0…2)) in
// those with y = 1.
func (a *isa) marginOut(s memberParts, mg bc, held func(int) V, l, g, h V) (V, V, V) {
	above := a.cmp(cmpGT, a.sub(s.P(), mg), a.c(0)) // again: masks are few
	l, g, h = a.keep(above, l), a.keep(above, g), a.keep(above, h)
	one := a.cmp(cmpEQ, s.Y(), a.c(1))
	return a.blend(one, l, held(0)), a.blend(one, g, held(1)), a.blend(one, h, held(2))
}

// asymmetricDetached is the margin form of asymmetric with a detached
// weight (focal.Asymmetric's DetachWeight, KindASL's default; same
// slots). The weight's derivatives are not taken, so the kernel computes
// only what focal.Asymmetric's element function then does:
//
//	y = 1:  w = (1 − p)^γ₊, L = w·softplus(−x), L′ = −w·q, L″ = w·pq
//	y = 0:  w = d^γ₋, d = p − m, L = w·c, L′ = w·c′, L″ = w·c″
//
// with c = −log(q + m), c′ = pq/(q + m) and c″ = c′(1 − 2p + c′); 0 where
// p ≤ m. (asymmetric computes the exact form's terms as well and selects
// the detached ones after.) The negatives need no softplus: its log1p is
// computed only for blocks with a positive (l1Positives).
func (a *isa) asymmetricDetached(par func(int) bc, L func(string) string, s memberParts) (l, g, h V) {
	gp, gn, mg := par(mOwn), par(mOwn+1), par(mOwn+4)
	wp := a.powK(s.Q(), func() V { return a.neg(s.SpPos()) }, gp, par(mOwn+7), L("powp")) // (1 − p)^γ₊
	pq := a.mul(s.P(), s.Q())
	held := a.park(a.mul(wp, s.SpNeg()), a.neg(a.mul(wp, s.Q())), a.mul(wp, pq))
	dm := a.marginBase(s, mg)
	wn := a.powK(dm, func() V { return a.log(dm) }, gn, par(mOwn+8), L("pown")) // d^γ₋
	qm := a.add(s.Q(), mg)
	c1 := a.div(pq, qm)
	c2 := a.mul(c1, a.add(a.sub(a.load(a.c(1)), a.add(s.P(), s.P())), c1))
	return a.marginOut(s, mg, held, a.neg(a.mul(wn, a.log(qm))), a.mul(wn, c1), a.mul(wn, c2))
}

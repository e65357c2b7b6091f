package kernel

import (
	"math"
	"unsafe"
)

// vec holds the constants of a vectorized sigmoid pass in the layout the
// assembly reads: parameter i is four copies at par[4i:4i+4], a full AVX2
// vector and an AVX-512 broadcast operand at once; the last slot holds two
// int64 flags, k (integer γ, or −1: m^γ = exp(γ·log m)) and α on (1) or
// off (0).
type vec struct {
	par  [32]float64
	t    *table
	step int // elements per assembly loop iteration

	// hard32: float32 data with hard targets may take a float32-lane
	// kernel (integer γ ≤ maxGamma32), the scaled one, without the
	// Hessian, when |scale| > 1, with q its float32 parameters (q…
	// below); trusted: the targets are known to be 0 or 1
	// (SigmoidParams.HardTargets), and the plain kernel's trusted form,
	// which does not check them, runs.
	hard32, scaled, trusted bool
	q                       [32]float32

	// exp32: for the other γ up to maxExpGamma, the same data may take the
	// focalexp member kernel (loss and gradient), with qx its constants.
	exp32 memberHardFunc
	qx    [32]float32

	// hard64: float64 data with hard targets may take sigmoidHardF64
	// (integer γ ≤ 8, loss and gradient), with h its constants (h64…
	// below).
	hard64 bool
	h      [32]float64
}

// Slots of vec.h, as in _gen/sigmoid.go (four copies each): αₜ for y = 1
// and y = 0 (1 without α), the gradient's scale, γ, and the int64 γ.
const (
	h64A1 = iota
	h64A0
	h64Scale
	h64Gamma
	h64K
)

// Slots of vec.q, as in _gen/sigmoid32.go: αₜ for y = 1 and y = 0 (1
// without α), γ, the scale, the gradient's signed, scaled αₜ for y = 1
// (−α·scale) and y = 0 ((1 − α)·scale), the same divided by 2^B, 2^−B, 2^B
// and the int32 127 + B, B the exponent bias of the scaled AVX2 kernel
// (see hard32Bias); the Hessian's α·scale, γ + 1, 2γ + 1, its floor, and
// the zero of its bracket with the polynomial near it (see hessRoots).
const (
	qA = iota
	qB
	qGamma
	qScale
	qG1
	qG0
	qH1
	qH0
	qDown
	qUp
	qBias
	qS1
	qGamma1
	qTwoGamma1
	qClip
	qT0Hi
	qT0Lo
	qBandLo
	qBandHi
	qRoot
)

// hessRoot is, for one γ, the zero t₀ of the float32-lane Hessian's
// bracket γ ce ((γ + 1) pₜ − 1) + (2γ + 1) m as a function of the true
// class's logit t (a float32 and the rest), the band of d = t − t₀ where
// its terms exceed 3 times its value, and the coefficients of Q, with
// bracket = d·Q(d) there to 3e-8 relative: made by python3
// _gen/fit/hess_root.py (see sigmoidHard32 in _gen).
type hessRoot struct {
	t0Hi, t0Lo, lo, hi float32
	q                  [12]float32
}

// hessRoots holds hessRoot for γ = 1 and 2 (for γ = 0 the bracket is
// m > 0, and the band is empty).
var hessRoots = map[int]hessRoot{
	1: {-3.097701, 1.0115731e-08, -2.9155, 1.4235, [12]float32{
		1.009861707687378, -0.03597826883196831, -0.023161977529525757, -0.007192548830062151,
		-0.0011442507384344935, 3.641649163910188e-05, 7.7075841545593e-05, 2.24003815674223e-05,
		2.4978655801533023e-06, -3.9761710013408447e-07, -1.666632272190327e-07, -1.6150227821754015e-08}},
	2: {-2.7903774, -1.02088016e-07, -2.2685, 1.0375, [12]float32{
		2.2167465686798096, -0.06155344843864441, -0.06662007421255112, -0.022109732031822205,
		-0.0030279678758233786, 0.00045298965414986014, 0.00033472408540546894, 7.724456372670829e-05,
		3.5466755434754305e-06, -3.2664017908246024e-06, -9.775920943866367e-07, -9.640044140724058e-08}},
}

// maxGamma32 is the largest integer γ of the float32-lane kernel: its
// error grows with the γ factors of m multiplied: up to 2 keeps loss
// and gradient within 6.2e-7 relative of the exact values (γ = 3 reaches
// 8e-7, too near the 1e-6 the tests allow).
const maxGamma32 = 2

// Parameter slots, as in _gen/sigmoid.go.
const (
	parA = iota
	parB
	parGamma
	parScale
	parG2
	parTwoG
	parClip
	parFlags
)

// newVec sets v to the vector constants for p on the kernels of t.
func newVec(v *vec, p *SigmoidParams, t *table) {
	*v = vec{t: t, step: t.step}
	k, alpha := -1, 0
	if kk, ok := intGamma(p.Gamma); ok {
		k = kk
	}
	if p.HasAlpha {
		alpha = 1
	}
	g := p.Gamma
	clip := math.Inf(-1)
	if p.ClipHess {
		clip = 0
	}
	for i, c := range [...]float64{
		parA: p.Alpha, parB: 1 - p.Alpha, parGamma: g, parScale: p.Scale,
		parG2: g * (g - 1), parTwoG: 2 * g, parClip: clip,
	} {
		v.par[4*i], v.par[4*i+1], v.par[4*i+2], v.par[4*i+3] = c, c, c, c
	}
	// The float32-lane kernel also holds the gradient's scale, times αₜ, as
	// a float32: only for scales well inside float32's normal range (from
	// 1/Normalizer it may be anything), lest it overflow or lose bits
	// where the float64 product of the other paths would not; the same for
	// the products αₜ·scale.
	a1, a0 := 1.0, 1.0
	if p.HasAlpha {
		a1, a0 = p.Alpha, 1-p.Alpha
	}
	inRange := func(s float64) bool { return s == 0 || s >= 0x1p-100 && s <= 0x1p100 }
	if s := math.Abs(p.Scale); k >= 0 && k <= maxGamma32 && inRange(s) && inRange(a1*s) && inRange(a0*s) {
		v.hard32 = true
		// Up to |scale| = 1 the subnormal and flushed factors of the plain
		// kernels cost gradients below 2^−125; above it the scaled ones
		// multiply from the scale down (see sigmoidHard32 in _gen).
		v.scaled = s > 1
		v.trusted = p.HardTargets && !v.scaled && t.sigmoidHardTrustedF32 != nil
		b := hard32Bias(s)
		v.q = [32]float32{
			qA: float32(a1), qB: float32(a0), qGamma: float32(p.Gamma), qScale: float32(p.Scale),
			qG1: float32(-a1 * p.Scale), qG0: float32(a0 * p.Scale),
			qH1: float32(math.Ldexp(-a1*p.Scale, -b)), qH0: float32(math.Ldexp(a0*p.Scale, -b)),
			qDown: float32(math.Ldexp(1, -b)), qUp: float32(math.Ldexp(1, b)),
			qBias: math.Float32frombits(uint32(127 + b)),
			qS1:   float32(a1 * p.Scale), qGamma1: float32(p.Gamma + 1), qTwoGamma1: float32(2*p.Gamma + 1),
			qClip: float32(clip), qBandLo: 1, qBandHi: -1, // empty
		}
		if r, ok := hessRoots[k]; ok {
			v.q[qT0Hi], v.q[qT0Lo], v.q[qBandLo], v.q[qBandHi] = r.t0Hi, r.t0Lo, r.lo, r.hi
			copy(v.q[qRoot:], r.q[:])
		}
	}
	if f := t.memberHard["focalexp"]; !v.hard32 && f != nil {
		h := expHardWeights(a1, a0, nil, nil, p.Gamma)
		if h.kernel != "" && h.consts(&v.qx, p.Scale, math.Inf(-1)) {
			v.exp32 = f
		}
	}
	v.par[4*parFlags] = math.Float64frombits(uint64(int64(k)))
	v.par[4*parFlags+1] = math.Float64frombits(uint64(alpha))
	if k >= 0 && k <= maxIntGamma && t.sigmoidHardF64 != nil {
		v.hard64 = true
		for i, c := range [...]float64{
			h64A1: a1, h64A0: a0, h64Scale: p.Scale, h64Gamma: p.Gamma,
			h64K: math.Float64frombits(uint64(int64(k))),
		} {
			v.h[4*i], v.h[4*i+1], v.h[4*i+2], v.h[4*i+3] = c, c, c, c
		}
	}
}

// hard32Bias returns B for a gradient scale s (0 or in [2^−100, 2^100]):
// the scaled AVX2 float32-lane kernel computes e^−|x|·2^B, which goes into
// the gradient times αₜ·s·2^−B. With B the binary exponent of s plus 8
// (at least 0), e^−|x|·2^B is a normal float32 wherever the gradient is
// one (its flush below 2^−126 costs only gradients below 2^−133), and at
// most 2^108.
func hard32Bias(s float64) int {
	if s == 0 {
		return 0
	}
	return max(math.Ilogb(s)+8, 0)
}

// maxStep is the largest step of a table.
const maxStep = 16

// sigmoidVec is SigmoidGo without weights or mask on the vector kernels of
// s.v. The general one computes SigmoidElem lane for lane in float64
// (for float32 data too: inputs are widened, outputs rounded once); float32
// data with hard targets go through a float32-lane kernel twice as wide:
// for γ ∈ {0, 1, 2} sigmoidHardAVX512F32, sigmoidHardAVX2F32 (or, without
// the Hessian, their Scaled forms for |scale| > 1), for other γ up to
// maxExpGamma without the Hessian the focalexp member kernel. float64 data
// with hard targets and an integer γ ≤ 8 go, without the Hessian, through
// sigmoidHardF64, the general kernel's arithmetic for hard targets alone
// (its outputs bit for bit). Each of these runs up to the first block
// with a soft target, the general kernel from there. The last
// len(x) mod step elements go through the general kernel from the scratch
// tail buffers, padded with x = −Inf, y = 0, whose loss is exactly 0.
func sigmoidVec[T Float](s *scratch, loss, grad, hess, x, y []T) float64 {
	v := &s.v
	var sum float64
	if n32 := len(x) &^ 31; n32 > 0 && unsafe.Sizeof(x[0]) == 4 {
		// Float32 lanes up to the first block with a soft target (or, for
		// focalexp, a logit beyond ±2^64).
		done := 0
		l, g, h, xs, ys := ptr[T, float32](loss), ptr[T, float32](grad), ptr[T, float32](hess), ptr[T, float32](x), ptr[T, float32](y)
		switch {
		case v.hard32 && (hess == nil || !v.scaled):
			sum, done = runHard32(v, l, g, h, xs, ys, n32)
		case v.exp32 != nil && hess == nil:
			sum, done = v.exp32(&v.qx, l, g, nil, xs, ys, n32)
		}
		loss, grad, hess, x, y = sub(loss, done, len(x)), sub(grad, done, len(x)), sub(hess, done, len(x)), x[done:], y[done:]
	}
	if n0 := len(x) &^ (v.t.hard64Step - 1); n0 > 0 && unsafe.Sizeof(x[0]) == 8 && v.hard64 && hess == nil {
		// Float64 data: the hard-target kernel up to the first step with
		// a soft target.
		var done int
		sum, done = v.t.sigmoidHardF64(&v.h, ptr[T, float64](loss), ptr[T, float64](grad), ptr[T, float64](x), ptr[T, float64](y), n0)
		loss, grad, x, y = sub(loss, done, len(x)), sub(grad, done, len(x)), x[done:], y[done:]
	}
	return sum + sigmoidLanes(s, loss, grad, hess, x, y)
}

// runHard32 runs the float32-lane kernel of v (the scaled one for
// |scale| > 1, which takes no Hessian: hess nil) on n elements, a
// multiple of 32.
func runHard32(v *vec, loss, grad, hess, x, y *float32, n int) (float64, int) {
	switch {
	case v.scaled:
		return v.t.sigmoidHardScaledF32(&v.par, &v.q, loss, grad, nil, x, y, n)
	case v.trusted:
		return v.t.sigmoidHardTrustedF32(&v.par, &v.q, loss, grad, hess, x, y, n)
	}
	return v.t.sigmoidHardF32(&v.par, &v.q, loss, grad, hess, x, y, n)
}

// sigmoidLanes is sigmoidVec on the float64-lane kernel: the last len(x)
// mod step elements padded with x = −Inf, y = 0 (see padTail), whose loss
// is exactly 0.
func sigmoidLanes[T Float](s *scratch, loss, grad, hess, x, y []T) float64 {
	v := &s.v
	n0 := len(x) &^ (v.step - 1)
	sum := kernelCall(v, loss, grad, hess, x, y, n0)
	if n0 == len(x) {
		return sum
	}
	tail, _ := padTail(s, v.step, n0, T(math.Inf(-1)), loss, grad, hess, x, y, func(l, g, h, x, y []T) float64 {
		return kernelCall(v, l, g, h, x, y, v.step)
	})
	return sum + tail
}

// padTail runs call on the last len(x) − n0 elements (fewer than step)
// from the scratch tail buffers, as step elements: x padded with pad, y
// with 0. call gets a loss buffer whether loss is nil or not, and a
// gradient and Hessian buffer where grad and hess are not nil; their
// elements from the tail are copied to the destinations that are not nil.
// padTail returns what call returns and the tail's losses.
func padTail[T Float](s *scratch, step, n0 int, pad T, loss, grad, hess, x, y []T, call func(l, g, h, x, y []T) float64) (float64, []T) {
	bx, by := view[T](s.tail[0][:], step), view[T](s.tail[1][:], step)
	rem := len(x) - n0
	copy(bx, x[n0:])
	copy(by, y[n0:])
	for i := rem; i < step; i++ {
		bx[i], by[i] = pad, 0
	}
	l := view[T](s.tail[2][:], step)
	var g, h []T
	if grad != nil {
		g = view[T](s.tail[3][:], step)
	}
	if hess != nil {
		h = view[T](s.tail[4][:], step)
	}
	sum := call(l, g, h, bx, by)
	for _, d := range [...]struct{ dst, src []T }{{loss, l}, {grad, g}, {hess, h}} {
		if d.dst != nil {
			copy(d.dst[n0:], d.src[:rem])
		}
	}
	return sum, l[:rem]
}

// kernelCall runs the assembly kernel on the first n elements (a multiple
// of the step); nil destinations are passed as nil pointers.
func kernelCall[T Float](v *vec, loss, grad, hess, x, y []T, n int) float64 {
	if n == 0 {
		return 0
	}
	if unsafe.Sizeof(x[0]) == 4 {
		return v.t.sigmoidF32(&v.par, ptr[T, float32](loss), ptr[T, float32](grad), ptr[T, float32](hess),
			ptr[T, float32](x), ptr[T, float32](y), n)
	}
	return v.t.sigmoidF64(&v.par, ptr[T, float64](loss), ptr[T, float64](grad), ptr[T, float64](hess),
		ptr[T, float64](x), ptr[T, float64](y), n)
}

// ptr returns a pointer to s's first element as *E (T and E of one size),
// or nil for a nil or empty s.
func ptr[T Float, E float32 | float64](s []T) *E {
	if len(s) == 0 {
		return nil
	}
	return (*E)(unsafe.Pointer(unsafe.SliceData(s)))
}

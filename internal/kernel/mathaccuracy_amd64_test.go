//go:build !purego

package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// A mathTable holds the vector math of one CPU level as functions over
// arrays, for the tests: _gen writes one per level into
// vecmath_amd64_test.go (mathAVX512, mathAVX2), in a test-only assembly
// file (vecmath_amd64_test.s) whose functions nothing else calls, so that
// the linker leaves them out of every program.
type mathTable struct {
	impl              Impl
	exp, log, log1p01 func(dst, src *float64, n int)
	expNeg            func(dst, src *float64, n int) // exp for x ≤ 0
	expNeg32, log1p32 func(dst, src *float32, n int)
	// the focalexp kernel's e^z as a float32 and the rest (expNegPair)
	expPairHi32, expPairLo32 func(dst, src *float32, n int)
}

// vecMath returns the vector math of implementation m.
func vecMath(m Impl) *mathTable {
	for _, t := range []*mathTable{&mathAVX512, &mathAVX2} {
		if t.impl == m {
			return t
		}
	}
	return nil
}

// ulps returns |got − want| in units of want's last place in float64.
func ulps(got, want float64) float64 {
	if got == want {
		return 0
	}
	u := math.Nextafter(math.Abs(want), math.Inf(1)) - math.Abs(want)
	if want == 0 || math.IsInf(u, 0) {
		return math.Inf(1)
	}
	return math.Abs(got-want) / u
}

// ulps32 returns |got − want| in units of float32(want)'s last place, both
// rounded to float32 first: the error a float32 caller sees.
func ulps32(got, want float64) float64 {
	g, w := float32(got), float32(want)
	if g == w {
		return 0
	}
	a := float32(math.Abs(float64(w)))
	u := float64(math.Nextafter32(a, float32(math.Inf(1))) - a)
	return math.Abs(float64(g)-float64(w)) / u
}

// mathCase is a function, its reference and a dense sample of its domain.
type mathCase struct {
	name   string
	ref    func(float64) float64
	inputs []float64
}

// sample returns n points spread evenly in log scale over [lo, hi] ⊂ (0, ∞),
// plus every power of two in between and its neighbours.
func sample(lo, hi float64, n int) []float64 {
	var xs []float64
	r := math.Log(hi) - math.Log(lo)
	for i := range n {
		if v := math.Exp(math.Log(lo) + r*float64(i)/float64(n-1)); v >= lo && v <= hi {
			xs = append(xs, v)
		}
	}
	for e := math.Ilogb(lo); e <= math.Ilogb(hi); e++ {
		p := math.Ldexp(1, e)
		for _, v := range []float64{math.Nextafter(p, 0), p, math.Nextafter(p, 2*p)} {
			if v >= lo && v <= hi {
				xs = append(xs, v)
			}
		}
	}
	return xs
}

func neg(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, v := range xs {
		out[i] = -v
	}
	return out
}

// TestVecMathWithin2ULP: the vector exp, log and log1p are within 2 ulp of
// math.Exp, math.Log and math.Log1p in float64 (so within 1 ulp in float32)
// over dense samples of their whole domains: exp on all of ℝ (0 and +Inf
// beyond the limits), log on (0, MaxFloat64] with subnormals, log1p on the
// [0, 1] the kernels call it on.
func TestVecMathWithin2ULP(t *testing.T) {
	needVector(t)
	const n = 1 << 16
	lin := func(lo, hi float64) []float64 {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = lo + (hi-lo)*float64(i)/float64(n-1)
		}
		return xs
	}
	cases := []mathCase{
		{"exp", refExp, append(append(lin(-746, 710), lin(-1, 1)...), append(sample(1e-300, 1, n), neg(sample(1e-300, 1, n))...)...)},
		{"log", refLog, append(sample(5e-324, math.MaxFloat64, n), lin(0.5, 2)...)},
		{"log1p", math.Log1p, append(sample(5e-324, 1, n), lin(0, 1)...)},
	}
	for _, m := range vecImpls() {
		mt := vecMath(m)
		fns := map[string]func(dst, src *float64, n int){"exp": mt.exp, "log": mt.log, "log1p": mt.log1p01}
		for _, c := range cases {
			xs := c.inputs
			for len(xs)%16 != 0 {
				xs = append(xs, xs[0])
			}
			got := make([]float64, len(xs))
			fns[c.name](&got[0], &xs[0], len(xs))
			worst, worst32, at := 0.0, 0.0, 0.0
			for i, x := range xs {
				want := c.ref(x)
				if math.IsInf(want, 0) || want == 0 {
					if got[i] != want {
						t.Errorf("%v %s(%v) = %v, want %v", m, c.name, x, got[i], want)
					}
					continue
				}
				u := ulps(got[i], want)
				if math.Abs(want) < 0x1p-1022 { // subnormal results: absolute
					u = math.Abs(got[i]-want) / 5e-324
				}
				if u > worst {
					worst, at = u, x
				}
				worst32 = max(worst32, ulps32(got[i], want))
			}
			t.Logf("%v %s: worst %.2f ulp (float64) at %v, %.2f ulp (float32)", m, c.name, worst, at, worst32)
			if worst > 2 || worst32 > 1 {
				t.Errorf("%v %s: worst error %.2f ulp in float64 at x = %v, %.2f in float32 (want ≤ 2, ≤ 1)", m, c.name, worst, at, worst32)
			}
		}
	}
}

// TestExpNegIsExp: expNeg, the kernels' exp for x ≤ 0, gives exp's
// results bit for bit on dense samples of x ≤ 0: where every lane's 2ᵏ is
// normal (one product on AVX2), where none is (subnormal results, two),
// and mixed; −0, −Inf and NaN.
func TestExpNegIsExp(t *testing.T) {
	needVector(t)
	rng := rand.New(rand.NewPCG(7, 7))
	const n = 1 << 16
	xs := make([]float64, n)
	for i := range xs {
		switch i / (n / 4) {
		case 0:
			xs[i] = -710 * rng.Float64()
		case 1:
			xs[i] = -700 - 50*rng.Float64() // around the subnormal results
		case 2:
			xs[i] = -math.Exp(rng.Float64()*40 - 30)
		default:
			xs[i] = -800 * rng.Float64() * rng.Float64()
		}
	}
	copy(xs, []float64{math.Copysign(0, -1), 0, math.Inf(-1), math.NaN(), -708.3964185322641, -708.4, -745.1332191019411, -745.2})
	for _, m := range vecImpls() {
		mt := vecMath(m)
		want, got := make([]float64, n), make([]float64, n)
		mt.exp(&want[0], &xs[0], n)
		mt.expNeg(&got[0], &xs[0], n)
		for i := range xs {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%v expNeg(%v) = %v, exp %v", m, xs[i], got[i], want[i])
			}
		}
	}
}

// refExp is fdlibm's exp (Go's pure-Go math.exp, error < 1 ulp): the
// amd64 assembly behind math.Exp overflows early, from about 709.67 on.
func refExp(x float64) float64 {
	const (
		ln2Hi     = 6.93147180369123816490e-01
		ln2Lo     = 1.90821492927058770002e-10
		log2e     = 1.44269504088896338700e+00
		overflow  = 7.09782712893383973096e+02
		underflow = -7.45133219101941108420e+02
		nearZero  = 1.0 / (1 << 28)
		p1        = 1.66666666666666657415e-01
		p2        = -2.77777777770155933842e-03
		p3        = 6.61375632143793436117e-05
		p4        = -1.65339022054652515390e-06
		p5        = 4.13813679705723846039e-08
	)
	switch {
	case math.IsNaN(x):
		return x
	case x > overflow:
		return math.Inf(1)
	case x < underflow:
		return 0
	case -nearZero < x && x < nearZero:
		return 1 + x
	}
	var k int
	switch {
	case x < 0:
		k = int(log2e*x - 0.5)
	case x > 0:
		k = int(log2e*x + 0.5)
	}
	hi := x - float64(k)*ln2Hi
	lo := float64(k) * ln2Lo
	r := hi - lo
	t := r * r
	c := r - t*(p1+t*(p2+t*(p3+t*(p4+t*p5))))
	y := 1 - ((lo - (r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}

// refLog is math.Log with subnormals scaled into range first: the amd64
// assembly behind math.Log takes them for normal numbers.
func refLog(x float64) float64 {
	if x > 0 && x < 0x1p-1022 {
		return math.Log(x*0x1p54) - 54*math.Ln2
	}
	return math.Log(x)
}

// TestVecMath32Within2ULP: the float32-lane exp and log1p of the
// hard-target kernels (sigmoidHardAVX2F32, sigmoidHardAVX512F32) are
// within 2 ulp in float32 of math.Exp and math.Log1p (rounded to float32)
// over every float32 input of the ranges the kernels call them on: exp on
// [−170, 0] (within 2^−148, two of the smallest subnormal, where the
// result is below 2^−126: T·2^n and then T + T·s are rounded there, see
// expTable in _gen) and log1p on [0, 1]. Exhaustive: 2·10⁹
// inputs, so the short mode takes every 64th; the functions run in
// parallel.
func TestVecMath32Within2ULP(t *testing.T) {
	needVector(t)
	stride := uint32(1)
	if testing.Short() {
		stride = 64
	}
	type fn = func(dst, src *float32, n int)
	for _, m := range vecImpls() {
		exp, log1p := vecMath(m).expNeg32, vecMath(m).log1p32
		for _, c := range []struct {
			name   string
			fn     fn
			ref    func(float64) float64
			lo, hi float32 // the range, both ends of one sign
		}{
			{"exp", exp, math.Exp, -170, float32(math.Copysign(0, -1))},
			{"log1p", log1p, math.Log1p, 0, 1},
		} {
			t.Run(fmt.Sprintf("%v/%s", m, c.name), func(t *testing.T) {
				t.Parallel() // a core each
				// Walk the bit patterns from lo's to hi's (for negative values
				// the patterns of smaller magnitude come first, so swap).
				b0, b1 := math.Float32bits(c.lo), math.Float32bits(c.hi)
				if b0 > b1 {
					b0, b1 = b1, b0
				}
				const block = 1 << 14
				src, dst := make([]float32, block), make([]float32, block)
				worst, at := 0.0, float32(0)
				worstSub := 0.0 // in units of 2^−149
				for b := uint64(b0); b <= uint64(b1); {
					k := 0
					for ; k < block && b <= uint64(b1); k, b = k+1, b+uint64(stride) {
						src[k] = math.Float32frombits(uint32(b))
					}
					for ; k%16 != 0; k++ {
						src[k] = src[0]
					}
					c.fn(&dst[0], &src[0], k)
					for i, x := range src[:k] {
						want := c.ref(float64(x))
						if c.name == "exp" && want < 0x1p-126 {
							d := math.Abs(float64(dst[i])-want) / 0x1p-149
							worstSub = max(worstSub, d)
							if d > 2 {
								t.Errorf("%v %s(%v) = %v, want %v (within 2^−148)", m, c.name, x, dst[i], want)
							}
							continue
						}
						if u := ulps32(float64(dst[i]), want); u > worst {
							worst, at = u, x
						}
					}
				}
				t.Logf("%v float32 %s: worst %.2f ulp at %v", m, c.name, worst, at)
				if c.name == "exp" {
					t.Logf("%v float32 %s below 2^−126: worst %.2f·2^−149", m, c.name, worstSub)
				}
				if worst > 2 {
					t.Errorf("%v float32 %s: worst error %.2f ulp at x = %v (want ≤ 2)", m, c.name, worst, at)
				}
			})
		}
	}
}

// TestExpNegPairWithin2ToMinus24: the focalexp kernel's e^z as a pair of
// float32s (expNegPair) has its high part equal to the hard-target
// kernels' expNeg, bit for bit, and high plus low within 2^−24 relative
// of math.Exp (measured: 4.0e-9 on AVX-512, 1.1e-8 on AVX2; the high
// part alone errs by up to 6.2e-8 and 6.7e-8): over every
// float32 z in [−70, 0] (every 64th in -short mode). Below −70 the low part, about
// 2^−25 of the result, leaves float32's normal range; there e^z < 4e-31
// and adds nothing the kernel keeps to log1p(e^z).
func TestExpNegPairWithin2ToMinus24(t *testing.T) {
	needVector(t)
	stride := uint32(1)
	if testing.Short() {
		stride = 64
	}
	for _, m := range vecImpls() {
		vm := vecMath(m)
		t.Run(m.String(), func(t *testing.T) {
			t.Parallel() // a core each
			b0, b1 := uint64(math.Float32bits(float32(math.Copysign(0, -1)))), uint64(math.Float32bits(-70))
			const block = 1 << 14
			src, hi, lo, ref := make([]float32, block), make([]float32, block), make([]float32, block), make([]float32, block)
			worst, worstHi, at := 0.0, 0.0, float32(0)
			for b := b0; b <= b1; {
				k := 0
				for ; k < block && b <= b1; k, b = k+1, b+uint64(stride) {
					src[k] = math.Float32frombits(uint32(b))
				}
				for ; k%16 != 0; k++ {
					src[k] = src[0]
				}
				vm.expPairHi32(&hi[0], &src[0], k)
				vm.expPairLo32(&lo[0], &src[0], k)
				vm.expNeg32(&ref[0], &src[0], k)
				for i, z := range src[:k] {
					if hi[i] != ref[i] {
						t.Fatalf("%v z = %v: high part %v, expNeg %v", m, z, hi[i], ref[i])
					}
					want := math.Exp(float64(z))
					if r := math.Abs(float64(hi[i])+float64(lo[i])-want) / want; r > worst {
						worst, at = r, z
					}
					if r := math.Abs(float64(hi[i])-want) / want; r > worstHi {
						worstHi = r
					}
				}
			}
			t.Logf("%v: worst %.3g relative (2^%.2f) at z = %v; the high part alone %.3g", m, worst, math.Log2(worst), at, worstHi)
			if worst > 0x1p-24 {
				t.Errorf("%v: worst %.3g relative at z = %v (want ≤ 2^−24)", m, worst, at)
			}
		})
	}
}

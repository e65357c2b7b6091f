package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// tolerance is the agreement required between a vector implementation and
// SigmoidGo: relative, plus an absolute floor for results that underflow.
func tolerance[T Float]() (rel, abs float64) {
	var z T
	if any(z) == any(float32(0)) {
		return 1e-6, 1e-37
	}
	return 1e-12, 1e-300
}

// hessSlack is the rounding error of the Hessian sum in float64, relative to
// the size of its terms: the exact Hessian crosses zero (hard examples), and
// near a crossing two correct float64 evaluations differ by more than
// 1e-12 of their tiny result. With |r| ≤ 1 and |p − y| ≤ 1 the terms are
// at most (γ² + γ)·ce + 2γ + 1.
func hessSlack(x, y float64, p *SigmoidParams) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) || !(y >= 0 && y <= 1) { // (beyond [0, 1]: ignored, 0)
		return 0
	}
	g := p.Gamma
	ce := math.Abs(x) + math.Log1p(math.Exp(-math.Abs(x))) // ≥ the cross-entropy for any y ∈ [0, 1]
	return 1e-13 * math.Abs(p.Scale) * ((g*g+g)*ce + 2*g + 1)
}

// gradSlack is the rounding error of the gradient in float64 relative to
// the size of its terms: with a soft target near p = y, p − y =
// p(1 − y) − y(1 − p) cancels (y = ½, x ≈ 0: both terms ≈ ¼, the
// difference ≈ x/4), and two correct float64 evaluations whose exp differs
// in the last bit differ by about 1e-16 of the terms, not of the result.
func gradSlack(x, y float64, p *SigmoidParams) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) || !(y >= 0 && y <= 1) { // (beyond [0, 1]: ignored, 0)
		return 0
	}
	q := 1 / (1 + math.Exp(x))                             // 1 − σ(x)
	ce := math.Abs(x) + math.Log1p(math.Exp(-math.Abs(x))) // ≥ the cross-entropy for any y ∈ [0, 1]
	return 1e-13 * math.Abs(p.Scale) * ((1-q)*(1-y) + y*q + p.Gamma*ce)
}

// run calls Sigmoid on implementation m with guard regions around every
// destination; it fails t if a guard changed.
func run[T Float](t *testing.T, m Impl, p *SigmoidParams, x, y []T, outs [3]bool, off int) (sum float64, dst [3][]T) {
	t.Helper()
	return runForm(t, m, p, x, y, nil, nil, outs, off)
}

// runForm is run with weights w and an ignore mask (either may be nil).
func runForm[T Float](t *testing.T, m Impl, p *SigmoidParams, x, y, w []T, ignore []bool, outs [3]bool, off int) (sum float64, dst [3][]T) {
	t.Helper()
	const guard = 9
	var bufs [3][]T
	for i := range dst {
		if outs[i] {
			bufs[i] = make([]T, off+len(x)+guard)
			for j := range bufs[i] {
				bufs[i][j] = 12345
			}
			dst[i] = bufs[i][off : off+len(x) : off+len(x)]
		}
	}
	sum = sigmoidOn(tableOf(m), p, dst[0], dst[1], dst[2], x, y, w, ignore)
	for i, b := range bufs {
		for j, v := range b {
			if (j < off || j >= off+len(x)) && v != 12345 {
				t.Fatalf("%v: output %d written out of bounds at %d (len %d, offset %d)", m, i, j-off, len(x), off)
			}
		}
	}
	return sum, dst
}

// compare checks implementation m against the generic path on x and y.
func compare[T Float](t *testing.T, m Impl, p *SigmoidParams, x, y []T, outs [3]bool, off int) {
	t.Helper()
	compareForm(t, m, p, x, y, nil, nil, outs, off)
}

// compareForm is compare with weights w and an ignore mask (either may be
// nil); the gradient's and Hessian's slack grows with |wᵢ|.
func compareForm[T Float](t *testing.T, m Impl, p *SigmoidParams, x, y, w []T, ignore []bool, outs [3]bool, off int) {
	t.Helper()
	want, wd := runForm(t, Generic, p, x, y, w, ignore, outs, off)
	got, gd := runForm(t, m, p, x, y, w, ignore, outs, off)
	// At infinite logits the float32 generic path gives NaN where
	// SigmoidElem gives the limits; take those from the float64 path.
	x64, y64 := make([]float64, len(x)), make([]float64, len(x))
	var w64 []float64
	if w != nil {
		w64 = make([]float64, len(w))
	}
	for i := range x {
		x64[i], y64[i] = float64(x[i]), float64(y[i])
		if w != nil {
			w64[i] = float64(w[i])
		}
	}
	want64, wd64 := runForm(t, Generic, p, x64, y64, w64, ignore, outs, 0)
	weights := w
	for i, v := range x {
		if math.IsInf(float64(v), 0) {
			want = want64
			for k := range 3 {
				if wd[k] != nil {
					wd[k][i] = T(wd64[k][i])
				}
			}
		}
	}
	checkAgree(t, m.String(), p, x, y, weights, got, gd, want, wd)
}

// compareElem checks the generic float32 path against SigmoidElem in
// float64 (the float64 generic path computes it element for element), with
// compare's tolerances: what the fuzz targets check where there is no
// vector implementation.
func compareElem(t *testing.T, p *SigmoidParams, x, y []float32, outs [3]bool, off int) {
	t.Helper()
	got, gd := run(t, Generic, p, x, y, outs, off)
	x64, y64 := make([]float64, len(x)), make([]float64, len(x))
	for i := range x {
		x64[i], y64[i] = float64(x[i]), float64(y[i])
	}
	want, wd64 := run(t, Generic, p, x64, y64, outs, 0)
	var wd [3][]float32
	for k := range wd {
		if wd64[k] != nil {
			wd[k] = make([]float32, len(x))
			for i, v := range wd64[k] {
				wd[k][i] = float32(v)
				if k == 0 {
					wd[k][i] = sat[float32](v)
				}
			}
		}
	}
	checkAgree(t, "generic float32 against SigmoidElem", p, x, y, nil, got, gd, want, wd)
}

// checkAgree checks the sums and outputs got, gd against want, wd within
// the tolerances of T, the gradient's and Hessian's slack growing with
// |wᵢ| (weights nil: 1).
func checkAgree[T Float](t *testing.T, m string, p *SigmoidParams, x, y, weights []T, got float64, gd [3][]T, want float64, wd [3][]T) {
	t.Helper()
	rel, abs := tolerance[T]()
	if !Agree(got, want, rel, abs) {
		t.Errorf("%v γ=%v α=%v/%v: sum = %v, generic %v", m, p.Gamma, p.Alpha, p.HasAlpha, got, want)
	}
	names := [3]string{"loss", "grad", "hess"}
	bad := 0
	for k := range 3 {
		for i := range gd[k] {
			g, w := float64(gd[k][i]), float64(wd[k][i])
			a, wi := abs, 1.0
			if weights != nil {
				wi = math.Abs(float64(weights[i]))
			}
			switch k {
			case 1:
				a += wi * gradSlack(float64(x[i]), float64(y[i]), p)
			case 2:
				a += wi * hessSlack(float64(x[i]), float64(y[i]), p)
			}
			if !Agree(g, w, rel, a) {
				if bad++; bad < 5 {
					t.Errorf("%v γ=%v α=%v/%v clip=%v: %s[%d] (x=%v, y=%v) = %v, generic %v",
						m, p.Gamma, p.Alpha, p.HasAlpha, p.ClipHess, names[k], i, x[i], y[i], g, w)
				}
			}
		}
	}
}

// specials are logits at the edges of the domain.
var specials = []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, 1e-40, 1e-310, 1,
	-1, 17, -17, 40, -40, 88, -88, 104, -104, 745, -745, 1e30, -1e30,
	math.MaxFloat32, -math.MaxFloat32, math.MaxFloat64, -math.MaxFloat64,
	math.Inf(1), math.Inf(-1), math.NaN()}

// inputs returns n logits and targets: random normal logits (scale 8)
// mixed with specials, and hard, soft or mixed targets.
func inputs[T Float](rng *rand.Rand, n int, targets string) (x, y []T) {
	x, y = make([]T, n), make([]T, n)
	for i := range x {
		if rng.IntN(4) == 0 {
			x[i] = T(specials[rng.IntN(len(specials))])
		} else {
			x[i] = T(8 * rng.NormFloat64())
		}
		switch {
		case targets == "hard" || (targets == "mixed" && rng.IntN(2) == 0):
			y[i] = T(rng.IntN(2))
		default:
			y[i] = T(rng.Float64())
			if rng.IntN(8) == 0 {
				// Not subnormal float64s: math.Log, behind the generic path,
				// is wrong for them on amd64 (log 5e-324 = −709.09).
				y[i] = T([]float64{1e-300, 1e-40, 0.5, 1 - 1e-7}[rng.IntN(4)])
			}
		}
	}
	return x, y
}

var gammas = []float64{0, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5, 8, 8.5, 10}

// testVector checks the sigmoid kernel: within 1e-6 relative (float32) or
// 1e-12 (float64), output for output and in the sum, for hard, soft and
// mixed targets, every γ form, α on and off, the clipped Hessian, any
// subset of destinations, lengths 0 … 2·8+1 and beyond, and unaligned
// destinations.
func testVector[T Float](t *testing.T, rng *rand.Rand, m Impl) {
	for _, targets := range []string{"hard", "soft", "mixed"} {
		for _, g := range gammas {
			for _, alpha := range []float64{-1, 0.25, 0.9} {
				p := &SigmoidParams{Alpha: max(alpha, 0), HasAlpha: alpha >= 0, Gamma: g, Scale: 1, ClipHess: rng.IntN(2) == 0}
				if rng.IntN(2) == 0 {
					p.Scale = 1.0 / 3
				}
				n := rng.IntN(2*8+2) + []int{0, 0, 64, 1000}[rng.IntN(4)]
				x, y := inputs[T](rng, n, targets)
				outs := [3]bool{rng.IntN(3) > 0, rng.IntN(3) > 0, rng.IntN(3) > 0}
				t.Run(fmt.Sprintf("%v/%s/g%v/a%v/n%d", m, targets, g, alpha, n), func(t *testing.T) {
					compare(t, m, p, x, y, outs, rng.IntN(4))
					compare(t, m, p, x, y, [3]bool{true, true, true}, 0)
				})
			}
		}
	}
}

// TestVectorSpecials: every special logit against every hard and extreme
// soft target, at every γ form: NaN in gives NaN out, every finite input
// gives finite outputs, and the values equal the generic path's.
func TestVectorSpecials(t *testing.T) {
	needVector(t)
	for _, m := range vecImpls() {
		for _, g := range gammas {
			p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: g, Scale: 1}
			var x, y []float64
			for _, xv := range specials {
				for _, yv := range []float64{0, 1, 1e-300, 0.5, 1 - 0x1p-53} {
					x, y = append(x, xv), append(y, yv)
				}
			}
			x32, y32 := make([]float32, len(x)), make([]float32, len(y))
			for i := range x {
				x32[i], y32[i] = float32(x[i]), float32(y[i])
			}
			all := [3]bool{true, true, true}
			compare(t, m, p, x, y, all, 0)
			compare(t, m, p, x32, y32, all, 0)
			_, d := run(t, m, p, x, y, all, 0)
			for i := range x {
				for k := range 3 {
					v := d[k][i]
					finiteIn := !math.IsNaN(x[i]) && !math.IsInf(x[i], 0)
					if finiteIn && (math.IsNaN(v) || math.IsInf(v, 0)) {
						t.Errorf("%v γ=%v: output %d of x=%v, y=%v is %v", m, g, k, x[i], y[i], v)
					}
					if math.IsNaN(x[i]) && !math.IsNaN(v) {
						t.Errorf("%v: output %d of NaN is %v", m, k, v)
					}
				}
			}
		}
	}
}

// TestVectorIgnoreMask: with an ignore mask (runs of every length) the
// vector path equals the generic one and writes 0 at ignored elements.
func TestVectorIgnoreMask(t *testing.T) {
	needVector(t)
	rng := rand.New(rand.NewPCG(7, 8))
	rel, abs := tolerance[float32]()
	for _, m := range vecImpls() {
		x, y := inputs[float32](rng, 300, "mixed")
		ignore := make([]bool, len(x))
		for i := 0; i < len(x); {
			run := rng.IntN(20)
			for j := i; j < min(i+run, len(x)); j++ {
				ignore[j] = rng.IntN(2) == 0
			}
			i += run + 1
		}
		for i, v := range x {
			if math.IsInf(float64(v), 0) {
				x[i] = 1
			}
		}
		p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: 2, Scale: 1}
		var want, got [3][]float32
		for k := range 3 {
			want[k], got[k] = make([]float32, len(x)), make([]float32, len(x))
			for i := range got[k] {
				got[k][i] = 7
			}
		}
		ws := SigmoidGo(p, want[0], want[1], want[2], x, y, nil, ignore)
		gs := sigmoidOn(tableOf(m), p, got[0], got[1], got[2], x, y, nil, ignore)
		if !Agree(gs, ws, rel, abs) {
			t.Errorf("%v: sum = %v, generic %v", m, gs, ws)
		}
		for k := range 3 {
			for i := range x {
				if !Agree(float64(got[k][i]), float64(want[k][i]), rel, abs+hessSlack(float64(x[i]), float64(y[i]), p)) {
					t.Fatalf("%v: output %d [%d] (ignored %v) = %v, generic %v", m, k, i, ignore[i], got[k][i], want[k][i])
				}
			}
		}
	}
}

// TestHard32MatchesGeneric: the float32-lane kernels (float32 data, hard
// targets, γ ∈ {0, 1, 2}, loss and gradient, and the Hessian in the plain
// one; the plain one for scale 1/8, the scaled one for 3) run to the end of hard data, stop at the first
// block with a soft target, and equal the generic path within 1e-6
// relative, specials included.
func TestHard32MatchesGeneric(t *testing.T) {
	needVector(t)
	rng := rand.New(rand.NewPCG(13, 14))
	for _, m := range vecImpls() {
		testHard32(t, rng, m, tableOf(m).hardStep)
	}
}

func testHard32(t *testing.T, rng *rand.Rand, m Impl, stepN int) {
	for _, scale := range []float64{0.125, 3} {
		for _, g := range []float64{0, 1, 2} {
			for _, alpha := range []float64{-1, 0.25} {
				p := &SigmoidParams{Alpha: max(alpha, 0), HasAlpha: alpha >= 0, Gamma: g, Scale: scale}
				var v vec
				newVec(&v, p, tableOf(m))
				if !v.hard32 || v.scaled != (scale > 1) {
					t.Fatalf("%v γ = %v, scale %v: float32-lane kernel not chosen (scaled form: %v)", m, g, scale, v.scaled)
				}
				x, y := inputs[float32](rng, 16*40+5, "hard")
				l, gr := make([]float32, len(x)), make([]float32, len(x))
				if _, done := runHard32(&v, &l[0], &gr[0], nil, &x[0], &y[0], 16*40); done != 16*40 {
					t.Errorf("%v γ = %v, scale %v: stopped at %d of %d on hard targets", m, g, scale, done, 16*40)
				}
				y2 := append([]float32(nil), y...)
				y2[16*7+3] = 0.5
				if _, done := runHard32(&v, &l[0], &gr[0], nil, &x[0], &y2[0], 16*40); done != 115/stepN*stepN {
					t.Errorf("%v γ = %v, scale %v: stopped at %d, want %d (soft target at 115)", m, g, scale, done, 115/stepN*stepN)
				}
				compare(t, m, p, x, y, [3]bool{true, true, false}, 1)
				compare(t, m, p, x, y2, [3]bool{true, true, false}, 2)
				compare(t, m, p, x, y, [3]bool{false, true, false}, 0)
				compare(t, m, p, x, y, [3]bool{true, true, true}, 3) // the Hessian: float32 lanes too for |scale| ≤ 1
			}
		}
	}
}

// testWeighted checks the sigmoid kernel with weights (zeros included) and
// an ignore mask: exact zeros where the weight is 0 or the element
// ignored, even for NaN inputs there.
func testWeighted[T Float](t *testing.T, rng *rand.Rand, m Impl) {
	rel, abs := tolerance[T]()
	for _, g := range []float64{0, 2, 2.5} {
		n := 1500
		x, y := inputs[T](rng, n, "mixed")
		for i, v := range x {
			if math.IsInf(float64(v), 0) { // the float32 generic path gives NaN there
				x[i] = 3
			}
		}
		w := make([]T, n)
		var ignore []bool
		if g != 0 {
			ignore = make([]bool, n)
		}
		for i := range w {
			w[i] = T(rng.Float64() * 3)
			if rng.IntN(5) == 0 {
				w[i] = 0
				x[i] = T(math.NaN())
			}
			if ignore != nil && rng.IntN(7) == 0 {
				ignore[i] = true
				x[i] = T(math.NaN())
			}
		}
		p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: g, Scale: 0.5, ClipHess: g == 2}
		var want, got [3][]T
		for k := range 3 {
			want[k], got[k] = make([]T, n), make([]T, n)
		}
		ws := SigmoidGo(p, want[0], want[1], want[2], x, y, w, ignore)
		gs := sigmoidOn(tableOf(m), p, got[0], got[1], got[2], x, y, w, ignore)
		gs2 := sigmoidOn(tableOf(m), p, nil, got[1], nil, x, y, w, ignore)
		if !Agree(gs, ws, rel, abs) || !Agree(gs2, ws, rel, abs) {
			t.Errorf("%v γ=%v: sum = %v (%v without loss), generic %v", m, g, gs, gs2, ws)
		}
		for k := range 3 {
			for i := range x {
				a := abs
				if k == 2 {
					a += 3 * hessSlack(float64(x[i]), float64(y[i]), p)
				}
				if !Agree(float64(got[k][i]), float64(want[k][i]), rel, a) {
					t.Fatalf("%v γ=%v: output %d [%d] (x=%v, y=%v, w=%v) = %v, generic %v", m, g, k, i, x[i], y[i], w[i], got[k][i], want[k][i])
				}
			}
		}
	}
}

// TestHard32DenseSweep: the float32-lane kernel's loss and gradient are
// within 1e-6 relative (plus 1e-37 absolute, for underflow) of
// SigmoidElem evaluated in float64, and so is the Hessian of the plain
// kernel (|scale| ≤ 1), through its zero (where it is d·Q(d), see
// hessRoots), for logits every 2⁹-th float32 in
// [−180, 180] (every 2¹³-th in -short mode) with either target, γ ∈
// {0, 1, 2}, α on and off, and gradient scales 1/8 and 2^100, the largest
// the kernel takes: there the gradient of an easy example (t = s·x up to
// 173) is a normal float32 long after m = σ(−t) and its powers have left
// float32's range.
func TestHard32DenseSweep(t *testing.T) {
	needVector(t)
	stride := uint32(1 << 9)
	if testing.Short() {
		stride = 1 << 13
	}
	var x []float32
	for _, sign := range []uint32{0, 1 << 31} {
		for b := uint32(0); b <= math.Float32bits(180); b += stride {
			x = append(x, math.Float32frombits(b|sign))
		}
	}
	x = x[:len(x)&^31]
	y := make([]float32, len(x))
	l, gr, hs := make([]float32, len(x)), make([]float32, len(x)), make([]float32, len(x))
	for _, m := range vecImpls() {
		for _, scale := range []float64{0.125, 0x1p100} {
			for _, g := range []float64{0, 1, 2} {
				for _, alpha := range []float64{-1, 0.25} {
					p := &SigmoidParams{Alpha: max(alpha, 0), HasAlpha: alpha >= 0, Gamma: g, Scale: scale}
					var v vec
					newVec(&v, p, tableOf(m))
					for _, target := range []float32{0, 1} {
						for i := range y {
							y[i] = target
						}
						var h *float32
						if !v.scaled {
							h = &hs[0]
						}
						if _, done := runHard32(&v, &l[0], &gr[0], h, &x[0], &y[0], len(x)); done != len(x) {
							t.Fatalf("%v: stopped at %d of %d", m, done, len(x))
						}
						worst, at := 0.0, float32(0)
						for i, xi := range x {
							el, eg, eh := SigmoidElem(float64(xi), float64(target), p)
							eg *= p.Scale
							eh *= p.Scale
							checks := [][2]float64{{float64(l[i]), el}, {float64(gr[i]), eg}}
							if h != nil {
								checks = append(checks, [2]float64{float64(hs[i]), eh})
							}
							for _, c := range checks {
								err := math.Abs(c[0] - c[1])
								if err > 1e-6*math.Abs(c[1])+1e-37 {
									t.Fatalf("%v scale=%v γ=%v α=%v y=%v x=%v: %v, exact %v", m, scale, g, alpha, target, xi, c[0], c[1])
								}
								if math.Abs(c[1]) > 1e-30 {
									if r := err / math.Abs(c[1]); r > worst {
										worst, at = r, xi
									}
								}
							}
						}
						t.Logf("%v scale=%v γ=%v α=%v y=%v: worst %.2e relative at x = %v", m, scale, g, alpha, target, worst, at)
					}
				}
			}
		}
	}
}

// TestVectorExtremeScale: gradient scales far outside float32's range
// (package focal's 1/Normalizer), at the edges of the float32-lane
// kernel's window [2^−100, 2^100] and above 1 inside it give what the
// generic path gives, which multiplies in float64 and rounds once. Every
// γ form (the float32 lanes' 0, 1, 2, the float64 lanes' 2.5), α off, 0.25
// and 1, without the Hessian and with it (clipped or not), plain, weighted
// and masked, on random hard targets and on logits, with either target,
// across the ranges where e^−|x| leaves float32's normal numbers (|x| ≈
// 87.3) and its subnormals (103.97), and where the largest scale times it
// does (156.3, 173.3). There the float32-lane kernels' scaled gradient
// must not have lost the bits of e^−|x|.
func TestVectorExtremeScale(t *testing.T) {
	needVector(t)
	rng := rand.New(rand.NewPCG(21, 22))
	var edgeX, edgeY []float32
	add := func(v float32) {
		for _, xv := range []float32{v, -v} {
			edgeX, edgeY = append(edgeX, xv, xv), append(edgeY, 0, 1)
		}
	}
	for v := float32(20); v <= 190; v += 0.6875 {
		add(v)
	}
	for _, b := range []float64{87.33654, 103.27893, 103.97208, 156.28, 173.29, 180} {
		v := float32(b)
		for range 3 {
			v = math.Nextafter32(v, 0)
		}
		for range 7 {
			add(v)
			v = math.Nextafter32(v, 1000)
		}
	}
	scales := []float64{1e39, 0x1p100, math.Nextafter(0x1p100, 0), 1e30, -1e30, 0x1p60, 3,
		1e-30, math.Nextafter(0x1p-100, 1), 0x1p-100, 1e-39, 1e-45, 1e-50}
	for _, m := range vecImpls() {
		for _, s := range scales {
			for _, g := range []float64{0, 1, 2, 2.5} {
				for _, alpha := range []float64{-1, 0.25, 1} {
					for _, hess := range []struct{ want, clip bool }{{false, false}, {true, false}, {true, true}} {
						p := &SigmoidParams{Alpha: max(alpha, 0), HasAlpha: alpha >= 0, Gamma: g, Scale: s, ClipHess: hess.clip}
						x, y := inputs[float32](rng, 200, "hard")
						for i, v := range x {
							if math.IsInf(float64(v), 0) {
								x[i] = 1
							}
						}
						x[0], x[1] = 1e-3, -1e-3 // gradients far below 1: ×1e39 stays finite in float32
						x, y = append(x, edgeX...), append(y, edgeY...)
						w, ignore := make([]float32, len(x)), make([]bool, len(x))
						for i := range w {
							w[i] = float32(rng.Float64() * 3)
							if rng.IntN(10) == 0 {
								w[i] = 0
							}
							ignore[i] = rng.IntN(40) == 0 // runs long enough for the float32 lanes
						}
						outs := [3]bool{true, true, hess.want}
						t.Run(fmt.Sprintf("%v/scale=%v/plain", m, s), func(t *testing.T) { compareForm(t, m, p, x, y, nil, nil, outs, 0) })
						if math.Abs(s) <= math.MaxFloat32 {
							// (Beyond float32's range sigmoidWeighted's float32
							// gradient overflows before the weight multiplies it.)
							t.Run(fmt.Sprintf("%v/scale=%v/weighted", m, s), func(t *testing.T) { compareForm(t, m, p, x, y, w, nil, outs, 1) })
						}
						t.Run(fmt.Sprintf("%v/scale=%v/masked", m, s), func(t *testing.T) { compareForm(t, m, p, x, y, nil, ignore, outs, 2) })
					}
				}
			}
		}
	}
}

package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestThresholdLogitIsTheLeastAtTheThreshold: thresholdLogit(th) is the
// least float32 logit t whose pₜ = 1 − σ(−t), computed as package focal's
// Reduced does, is at least th: for thresholds across (0, 1], those near
// 1 included, where 1 − σ(−t) rounds to 1 first (and for th = 1 is 1 only
// from t ≈ 37 on).
func TestThresholdLogitIsTheLeastAtTheThreshold(t *testing.T) {
	pt := func(t float32) float64 {
		x := float64(t)
		e := math.Exp(-math.Abs(x))
		if x >= 0 {
			return 1 - e/(1+e)
		}
		return 1 - 1/(1+e)
	}
	for _, th := range []float64{1e-30, 1e-8, 0.05, 0.3, 0.5, 0.5000001, 0.9, 0.999999, 1 - 1e-12, 1 - 0x1p-53, 1} {
		tt := thresholdLogit(th)
		below := math.Nextafter32(tt, float32(math.Inf(-1)))
		if !(pt(tt) >= th && pt(below) < th) {
			t.Errorf("th = %v: t = %v (pₜ %v), the float32 below it %v (pₜ %v)", th, tt, pt(tt), below, pt(below))
		}
	}
}

// TestMarginLogitIsTheLeastAboveTheMargin: marginLogit(m) is the least
// float32 logit x whose p = σ(x), computed as package focal's Asymmetric
// does, exceeds m, for the margins the float32-lane ASL kernel takes and
// beyond.
func TestMarginLogitIsTheLeastAboveTheMargin(t *testing.T) {
	p := func(t float32) float64 {
		x := float64(t)
		e := math.Exp(-math.Abs(x))
		if x >= 0 {
			return 1 / (1 + e)
		}
		return e / (1 + e)
	}
	for _, m := range []float64{1e-30, minAslMargin, 1e-3, 0.05, 0.2, maxAslMargin, 0.5, 0.9} {
		x := marginLogit(m)
		below := math.Nextafter32(x, float32(math.Inf(-1)))
		if !(p(x)-m > 0 && !(p(below)-m > 0)) {
			t.Errorf("m = %v: x = %v (p − m = %v), the float32 below it %v (p − m = %v)", m, x, p(x)-m, below, p(below)-m)
		}
	}
}

// TestHardLanesOnlyWhereAccurate: the float32-lane member kernels are
// refused where they would not keep float32's accuracy, and those calls
// take the float64 lanes: Poly-1 with ε < 0 (its terms cancel) or ε > 64,
// exponents other than 0, 1, 2 for the members whose kernels multiply m^γ
// out (the error grows with the factors of m), and for the focalexp
// kernel (Quality, Gaussian, Scheduled) γ > 6, schedules of more than
// three pieces after merging equal neighbours, and the Hessian,
// Poly-1's Hessian (its ε term moves the bracket's zero), a Hessian with
// a negative scale, constants beyond 2^20 or below 2^−100 (a gradient
// scale of 1e30 or 1e-40), FL* with γ or |β| beyond 2^16; and taken at
// the defaults, with the Hessian too for the others.
// TestAslNearIsTheTaylorSeries: the coefficients the float32-lane ASL
// kernel takes near the margin sum, for u ∈ (0, 1/2], to σ(xₘ + u) − m
// within 5e-9 relative (the series' truncation, 3.9e-9 at m = 1/4 and
// below 1e-9 for m ≤ 0.2, with the reference's own
// rounding: σ(xₘ + u) − m computed in float64 as e/(1 + e) − m,
// e = m/(1 − m)·e^u, cancels by up to 1e-16·m/(σ − m) at the smallest u
// taken), for the margins the kernel takes.
func TestAslNearIsTheTaylorSeries(t *testing.T) {
	for _, m := range []float64{minAslMargin, 1e-3, 0.05, 0.2, maxAslMargin} {
		c := aslNear(m)
		worst := 0.0
		for u := 1e-4; u <= 0.5; u += 1e-4 {
			e := m / (1 - m) * math.Exp(u)
			want := e/(1+e) - m
			got, pw := 0.0, u
			for _, a := range c[:aslNearTerms] {
				got += a * pw
				pw *= u
			}
			worst = max(worst, math.Abs(got-want)/want)
		}
		if worst > 5e-9 {
			t.Errorf("m = %v: the series is %.2e relative from σ(xₘ + u) − m", m, worst)
		}
	}
}

func TestHardLanesOnlyWhereAccurate(t *testing.T) {
	for _, c := range []struct {
		name  string
		spec  MemberSpec
		scale float64
		hess  bool
		want  bool
	}{
		{"poly1", Poly1(0.25, 2, 1), 1.0 / 3, false, true},
		{"poly1 ε = 64", Poly1(0.25, 2, 64), 1.0 / 3, false, true},
		{"poly1 ε < 0", Poly1(0.25, 2, -0.5), 1.0 / 3, false, false},
		{"poly1 ε > 64", Poly1(0.25, 2, 65), 1.0 / 3, false, false},
		{"poly1 γ = 3", Poly1(0.25, 3, 1), 1.0 / 3, false, false},
		{"poly1 γ = 0.5", Poly1(0.25, 0.5, 1), 1.0 / 3, false, false},
		{"poly1 Hessian", Poly1(0.25, 2, 1), 1.0 / 3, true, false},
		{"poly1 scale 1e30", Poly1(0.25, 2, 1), 1e30, false, false},
		{"poly1 scale 1e-40", Poly1(0.25, 2, 1), 1e-40, false, false},
		{"poly1 scale 0", Poly1(0.25, 2, 1), 0, false, true},
		{"reduced", Reduced(0, 2, 0.5), 1.0 / 3, false, true},
		{"reduced γ = 1.5", Reduced(0, 1.5, 0.5), 1.0 / 3, false, false},
		{"reduced th^−γ > 2^20", Reduced(0, 2, 1e-4), 1.0 / 3, false, false},
		{"reduced Hessian", Reduced(0, 2, 0.5), 1.0 / 3, true, true},
		{"reduced Hessian, scale < 0", Reduced(0, 2, 0.5), -1.0 / 3, true, false},
		{"varifocal", Varifocal(0.75, 2, true), 1.0 / 3, false, true},
		{"varifocal γ = 2.5", Varifocal(0.75, 2.5, true), 1.0 / 3, false, false},
		{"varifocal Hessian", Varifocal(0.75, 2, true), 1.0 / 3, true, true},
		{"flstar", FLStar(0.25, 2, 1), 1.0 / 3, false, true},
		{"flstar Hessian", FLStar(0.25, 2, 1), 1.0 / 3, true, true},
		{"flstar γ > 2^16", FLStar(0.25, 1e5, 1), 1.0 / 3, false, false},
		{"flstar β > 2^16", FLStar(0.25, 2, -1e5), 1.0 / 3, false, false},
		{"quality", Quality(2), 1.0 / 3, false, true},
		{"quality β = 3", Quality(3), 1.0 / 3, false, true},
		{"quality β = 3 Hessian", Quality(3), 1.0 / 3, true, false},
		{"quality β = 6", Quality(6), 1.0 / 3, false, true},
		{"quality β = 6.5", Quality(6.5), 1.0 / 3, false, false},
		{"quality Hessian", Quality(2), 1.0 / 3, true, true},
		{"gaussian", Gaussian(2, 4), 1.0 / 3, false, true},
		{"gaussian γ = 0.5", Gaussian(0.5, 4), 1.0 / 3, false, true},
		{"gaussian Hessian", Gaussian(1, 4), 1.0 / 3, true, true},
		{"asymmetric", Asymmetric(0, 4, 0.05, false), 1.0 / 3, false, true},
		{"asymmetric Hessian", Asymmetric(0, 4, 0.05, false), 1.0 / 3, true, false},
		{"asymmetric margin 0.3", Asymmetric(0, 4, 0.3, false), 1.0 / 3, false, false},
		{"asl", Asymmetric(1, 4, 0.05, true), 1.0 / 3, false, true},
		{"asl Hessian", Asymmetric(1, 4, 0.05, true), 1.0 / 3, true, false},
		{"asl γ₊ = 3", Asymmetric(3, 4, 0.05, true), 1.0 / 3, false, false},
		{"asl γ₋ = 8", Asymmetric(2, 8, 0.25, true), 1.0 / 3, false, true},
		{"asl γ₋ = 9", Asymmetric(1, 9, 0.05, true), 1.0 / 3, false, false},
		{"asl γ₋ = 4.5", Asymmetric(1, 4.5, 0.05, true), 1.0 / 3, false, false},
		{"asl margin 0", Asymmetric(1, 4, 0, true), 1.0 / 3, false, false},
		{"asl margin 2^−20", Asymmetric(1, 4, 0x1p-20, true), 1.0 / 3, false, true},
		{"asl margin < 2^−20", Asymmetric(1, 4, 0x1p-21, true), 1.0 / 3, false, false},
		{"asl margin 0.3", Asymmetric(1, 4, 0.3, true), 1.0 / 3, false, false},
		{"asl scale 1e30", Asymmetric(1, 4, 0.05, true), 1e30, false, false},
		{"scheduled", Scheduled(0, []float64{0.2, 0.5}, []float64{5, 3}, 3), 1.0 / 3, false, true},
		{"scheduled Hessian", Scheduled(0, []float64{0.2}, []float64{5}, 3), 1.0 / 3, true, false},
		{"scheduled, three pieces", Scheduled(0, []float64{0.2, 0.5}, []float64{5, 1}, 3), 1.0 / 3, false, true},
		{"scheduled, four pieces", Scheduled(0, []float64{0.2, 0.5, 0.7}, []float64{5, 1, 2}, 3), 1.0 / 3, false, false},
		{"scheduled, four pieces of which two merge", Scheduled(0, []float64{0.2, 0.5, 0.7}, []float64{5, 1, 1}, 3), 1.0 / 3, false, true},
		{"scheduled γ = 7", Scheduled(0, []float64{0.2}, []float64{7}, 3), 1.0 / 3, false, false},
	} {
		for _, tb := range tables {
			var q [32]float32
			if got := memberHardOn(tb, &c.spec, &q, c.scale, math.Inf(-1), c.hess) != nil; got != c.want {
				t.Errorf("%v %s: float32 lanes %v, want %v", tb.impl, c.name, got, c.want)
			}
		}
	}
}

// TestMemberHardRunsEveryElement: float32 data alternating between runs
// of hard targets (which the float32 lanes take) and runs with soft
// targets, logits beyond 2^64 or infinite ones (which they hand to the
// float64 lanes, in pieces that grow while the float32 lanes stop at
// once), of lengths around the steps and beyond the largest piece, give
// every output (the Hessian too where the float32 lanes compute it) and
// the sum of the float64 lanes alone, within 1e-6 relative (1e-37
// absolute): no element is skipped or computed twice.
func TestMemberHardRunsEveryElement(t *testing.T) {
	needVector(t)
	rng := rand.New(rand.NewPCG(51, 52))
	var x, y []float32
	for _, run := range []struct {
		n    int
		kind string
	}{{100, "hard"}, {700, "soft"}, {3000, "hard"}, {1, "big"}, {50, "hard"}, {5000, "soft"}, {33, "hard"},
		{1, "big"}, {31, "hard"}, {17, "soft"}, {64, "hard"}, {2, "inf"}, {129, "hard"}, {9, "soft"}} {
		for range run.n {
			xi, yi := float32(4*rng.NormFloat64()), float32(rng.IntN(2))
			switch run.kind {
			case "soft":
				yi = rng.Float32()
			case "big":
				xi = 1e30
			case "inf":
				xi, yi = float32(math.Inf(-1)), 0 // loss 0: the sum stays finite
			}
			x, y = append(x, xi), append(y, yi)
		}
	}
	n := len(x)
	for _, spec := range []MemberSpec{Poly1(0.25, 2, 1), Quality(2), FLStar(0.25, 2, 1), Reduced(0.25, 2, 0.5), Varifocal(0.75, 1, true)} {
		f64 := spec
		f64.hard = hardSpec{}
		for _, tb := range tables {
			var got, want [3][]float32
			for k := range 3 {
				got[k], want[k] = make([]float32, n), make([]float32, n)
				for i := range got[k] {
					got[k][i] = 7 // must be overwritten
				}
			}
			if !spec.hard.hess {
				got[2], want[2] = nil, nil
			}
			gs, _ := memberOn(tb, &spec, 0.25, math.Inf(-1), got[0], got[1], got[2], x, y, nil, nil)
			ws, _ := memberOn(tb, &f64, 0.25, math.Inf(-1), want[0], want[1], want[2], x, y, nil, nil)
			if !Agree(gs, ws, 1e-6, 0) {
				t.Errorf("%v %s: sum %v, float64 lanes %v", tb.impl, spec.kernel, gs, ws)
			}
			for k := range 3 {
				for i := range got[k] {
					abs := 1e-37
					if k == 2 { // the float64 lanes' rounding near the Hessian's zero
						abs += 1e-13 * (4 + math.Abs(float64(x[i])))
					}
					if !Agree(float64(got[k][i]), float64(want[k][i]), 1e-6, abs) {
						t.Fatalf("%v %s: output %d [%d] (x %v, y %v) = %v, float64 lanes %v", tb.impl, spec.kernel, k, i, x[i], y[i], got[k][i], want[k][i])
					}
				}
			}
		}
	}
}

// TestMemberMaskedKernelEqualsWeighing: a member call with weights, an
// ignore mask or both, which the masked float32-lane kernels take
// (memberHardMasked), writes what the plain kernel followed by the
// weighting loop (weighRange) writes, bit for bit (weights 0, −0, tiny
// and huge, whose products overflow float32; ignored elements with any
// logit and target; the Hessian's floor), and its sum agrees to rounding.
func TestMemberMaskedKernelEqualsWeighing(t *testing.T) {
	needVector(t)
	rng := rand.New(rand.NewPCG(53, 54))
	const n = 1024 + 64
	specs := []MemberSpec{Poly1(0.25, 2, 1), Quality(2), FLStar(0.25, 2, 1), Reduced(0.25, 2, 0.5), Varifocal(0.75, 1, true),
		Scheduled(0.25, []float64{0.2}, []float64{5}, 3), Asymmetric(1, 4, 0.05, true), Asymmetric(2, 4, 0.2, false)}
	for _, tb := range tables {
		for _, spec := range specs {
			if tb.memberHardMasked[spec.hard.kernel] == nil {
				t.Fatalf("%v %s: no masked kernel", tb.impl, spec.kernel)
			}
			for _, form := range []string{"weights", "mask", "both"} {
				for _, floor := range []float64{math.Inf(-1), 0, 1e-4} {
					hessToo := spec.hard.hess
					x, y, w := make([]float32, n), make([]float32, n), make([]float32, n)
					ignore := make([]bool, n)
					for i := range x {
						x[i], y[i] = float32(4*rng.NormFloat64()), float32(rng.IntN(2))
						w[i] = [...]float32{0, float32(math.Copysign(0, -1)), 1e-40, 3e37, 0.5, 1, 1.5, 2}[rng.IntN(8)]
						if ignore[i] = rng.IntN(6) == 0; ignore[i] {
							x[i] = [...]float32{float32(math.NaN()), float32(math.Inf(1)), 1e30, 2}[rng.IntN(4)]
							y[i] = [...]float32{0.5, -1, 7, 1}[rng.IntN(4)]
						}
					}
					ws, ig := w, ignore
					switch form {
					case "weights":
						ig = nil
						for i := range x {
							if ignore[i] { // a weight 0 instead, its inputs as bad
								w[i] = 0
							}
						}
					case "mask":
						ws = nil
					}
					// The reference: the plain kernel on a copy whose
					// elements that do not count are x = 0, y = 0, then
					// the weighting loop.
					q := new([32]float32)
					hf := memberHardOn(tb, &spec, q, 0.25, math.Inf(-1), hessToo)
					if hf == nil {
						t.Fatalf("%v %s: no float32-lane kernel", tb.impl, spec.kernel)
					}
					wv := make([]float64, n)
					pieceWeights(wv, ws, ig, 0)
					xc, yc := append([]float32(nil), x...), append([]float32(nil), y...)
					for i, v := range wv {
						if v == 0 {
							xc[i], yc[i] = 0, 0
						}
					}
					ls, gs, hs := make([]float32, n), make([]float32, n), make([]float32, n)
					var hp *float32
					if hessToo {
						hp = &hs[0]
					}
					if _, done := hf(q, &ls[0], &gs[0], hp, &xc[0], &yc[0], n); done != n {
						t.Fatalf("%v %s: the plain kernel stopped at %d", tb.impl, spec.kernel, done)
					}
					wl, wg, wh := make([]float32, n), make([]float32, n), make([]float32, n)
					if !hessToo {
						wh = nil
					}
					want := weighRange(wv, floor, math.MaxFloat32, x, ls, gs, hs, wl, wg, wh)
					gl, gg, gh := make([]float32, n), make([]float32, n), make([]float32, n)
					if !hessToo {
						gh = nil
					}
					got, _ := memberOn(tb, &spec, 0.25, floor, gl, gg, gh, x, y, ws, ig)
					if !(math.Abs(got-want) <= 1e-12*math.Abs(want)) {
						t.Errorf("%v %s %s floor %v: sum %v, weighing %v", tb.impl, spec.kernel, form, floor, got, want)
					}
					for k, d := range [][2][]float32{{gl, wl}, {gg, wg}, {gh, wh}} {
						for i := range d[0] {
							if math.Float32bits(d[0][i]) != math.Float32bits(d[1][i]) {
								t.Fatalf("%v %s %s floor %v: output %d [%d] (x %v, y %v, w %v, ignored %v) = %v, weighing %v",
									tb.impl, spec.kernel, form, floor, k, i, x[i], y[i], w[i], ignore[i], d[0][i], d[1][i])
							}
						}
					}
				}
			}
		}
	}
}

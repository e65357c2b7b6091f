package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFloat32PathMatchesExact: the float32 fast path (hard targets
// branch-free, soft targets through sigmoidElem32) agrees with SigmoidElem
// in float64 to a few float32 ulps, over random and extreme logits.
func TestFloat32PathMatchesExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	var x, y []float32
	for _, v := range []float32{0, -0, 1e-45, -1e-45, 1e-20, 1, -1, 15, -15, 88, -88, 104, -104, 200, -200, 1e30, -1e30, math.MaxFloat32, -math.MaxFloat32} {
		for _, t := range []float32{0, 1, 0.3} {
			x, y = append(x, v), append(y, t)
		}
	}
	for range 3000 {
		x = append(x, float32(rng.NormFloat64()*8))
		t := float32(0)
		switch rng.IntN(3) {
		case 0:
			t = 1
		case 1:
			t = rng.Float32()
		}
		y = append(y, t)
	}
	n := len(x)
	for _, g := range []float64{0, 0.5, 1, 2, 3, 2.7} {
		for _, hasAlpha := range []bool{false, true} {
			p := &SigmoidParams{Alpha: 0.25, HasAlpha: hasAlpha, Gamma: g, Scale: 0.5}
			l, gr, h := make([]float32, n), make([]float32, n), make([]float32, n)
			sum := SigmoidGo(p, l, gr, h, x, y, nil, nil)
			var want float64
			for i := range x {
				el, eg, eh := SigmoidElem(float64(x[i]), float64(y[i]), p)
				want += el
				for _, c := range [...]struct {
					name  string
					got   float32
					exact float64
				}{{"loss", l[i], el}, {"grad", gr[i], eg * p.Scale}, {"hess", h[i], eh * p.Scale}} {
					// 4 ulps of the float32 result, or 1e-37 absolute (the
					// polynomial's 1e-9 relative error can matter only there).
					tol := max(4*ulp32(float32(c.exact)), 1e-37)
					if math.Abs(float64(c.got)-c.exact) > tol {
						t.Fatalf("γ %v α %v x %v y %v: %s %v, exact %v", g, hasAlpha, x[i], y[i], c.name, c.got, c.exact)
					}
				}
			}
			if math.Abs(sum-want) > 1e-7*math.Abs(want) {
				t.Fatalf("γ %v: sum %v, exact %v", g, sum, want)
			}
		}
	}
}

func ulp32(v float32) float64 {
	a := math.Abs(float64(v))
	return float64(math.Nextafter32(float32(a), math.MaxFloat32)) - a
}

// TestSparse32EqualsSigmoid32: the float32 sparse kernel gives bit for bit
// the float32 sigmoid kernel's results on the one-hot targets.
func TestSparse32EqualsSigmoid32(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	const rows, classes = 200, 9
	x := make([]float32, rows*classes)
	y := make([]float32, rows*classes)
	labels := make([]int64, rows)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * 6)
	}
	for n := range labels {
		labels[n] = int64(rng.IntN(classes+1)) - 1 // −1 is background
		if labels[n] >= 0 {
			y[n*classes+int(labels[n])] = 1
		}
	}
	for _, g := range []float64{0, 2, 0.7} {
		p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: g, Scale: 0.1, ClipHess: g == 2}
		n := len(x)
		l1, g1, h1 := make([]float32, n), make([]float32, n), make([]float32, n)
		l2, g2, h2 := make([]float32, n), make([]float32, n), make([]float32, n)
		s1 := SparseGo(p, l1, g1, h1, x, classes, labels)
		s2 := SigmoidGo(p, l2, g2, h2, x, y, nil, nil)
		if s1 != s2 {
			t.Fatalf("γ %v: sums %v vs %v", g, s1, s2)
		}
		for i := range x {
			if l1[i] != l2[i] || g1[i] != g2[i] || h1[i] != h2[i] {
				t.Fatalf("γ %v element %d: sparse (%v %v %v), dense (%v %v %v)", g, i, l1[i], g1[i], h1[i], l2[i], g2[i], h2[i])
			}
		}
	}
}

// TestFloat32InfiniteLogits: ±Inf logits give SigmoidElem's results on the
// float32 path (the loss's limits; NaN derivatives where ∞·0 arises), not
// the branch-free form's Inf − Inf.
func TestFloat32InfiniteLogits(t *testing.T) {
	inf := float32(math.Inf(1))
	x := []float32{inf, -inf, inf, -inf}
	y := []float32{1, 1, 0, 0}
	p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: 2, Scale: 1}
	l, g := make([]float32, 4), make([]float32, 4)
	SigmoidGo(p, l, g, nil, x, y, nil, nil)
	for i := range x {
		el, eg, _ := SigmoidElem(float64(x[i]), float64(y[i]), p)
		same := func(a float32, b float64) bool { return float64(a) == b || (a != a && b != b) }
		if !same(l[i], el) || !same(g[i], eg) {
			t.Errorf("x %v y %v: loss %v grad %v, want %v %v", x[i], y[i], l[i], g[i], el, eg)
		}
	}
}

// TestTrustedKernelEqualsChecked: with SigmoidParams.HardTargets, on hard
// targets, the float32-lane kernel that makes no check of its own gives
// bit for bit the checking kernel's results, on every implementation, for
// every γ it takes, with and without the loss per element and the
// Hessian, at lengths around its step (special logits included).
func TestTrustedKernelEqualsChecked(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, m := range vecImpls() {
		tb := tableOf(m)
		if tb.sigmoidHardTrustedF32 == nil {
			continue
		}
		for _, n := range []int{31, 32, 33, 64, 95, 1000} {
			x, y := inputs[float32](rng, n, "hard")
			for _, g := range []float64{0, 1, 2} {
				for _, hess := range []bool{false, true} {
					p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: g, Scale: 1.0 / 3, ClipHess: g == 2}
					pt := *p
					pt.HardTargets = true
					var v vec
					if newVec(&v, &pt, tb); !v.trusted {
						t.Fatalf("%v γ %v: the trusted kernel is not chosen", m, g)
					}
					l1, g1, l2, g2 := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
					var h1, h2 []float32
					if hess {
						h1, h2 = make([]float32, n), make([]float32, n)
					}
					s1 := sigmoidOn(tb, p, l1, g1, h1, x, y, nil, nil)
					s2 := sigmoidOn(tb, &pt, l2, g2, h2, x, y, nil, nil)
					same := func(a, b float32) bool {
						return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
					}
					if s1 != s2 && !(s1 != s1 && s2 != s2) {
						t.Fatalf("%v n=%d γ %v: sums %v (checked), %v (trusted)", m, n, g, s1, s2)
					}
					for i := range n {
						if !same(l1[i], l2[i]) || !same(g1[i], g2[i]) || hess && !same(h1[i], h2[i]) {
							t.Fatalf("%v n=%d γ %v x=%v y=%v: checked (%v %v), trusted (%v %v)", m, n, g, x[i], y[i], l1[i], g1[i], l2[i], g2[i])
						}
					}
				}
			}
		}
	}
}

// TestWeightedKernelEqualsWeighing: the float32-lane kernels that weigh
// their outputs (sigmoidHardWeightedF32 for weights, sigmoidHardMaskedF32
// for weights and a mask, or a mask alone) write what the plain kernel
// followed by the weighting loop does, bit for bit (zero,
// negative-zero, tiny and huge weights, whose products overflow float32;
// infinite and NaN logits), and its sum agrees to rounding (compared on
// the longer, finite inputs). With a soft
// target the kernel stops at its block: the elements before it are the
// same bit for bit (those after take other lanes, within the accuracy
// TestVectorMatchesGeneric checks).
func TestWeightedKernelEqualsWeighing(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, m := range vecImpls() {
		tb := tableOf(m)
		if tb.sigmoidHardWeightedF32 == nil {
			continue
		}
		for _, n := range []int{31, 32, 33, 64, 95, 1000, 4096} {
			x, y := inputs[float32](rng, n, "hard")
			w := make([]float32, n)
			for i := range n {
				switch rng.IntN(10) {
				case 0:
					w[i] = 0
				case 1:
					w[i] = float32(math.Copysign(0, -1))
				case 2:
					w[i] = float32(math.MaxFloat32 * rng.Float64())
				case 3:
					w[i] = float32(1e-40 * rng.Float64())
				default:
					w[i] = float32(2 * rng.Float64())
				}
				if n >= 1000 {
					continue // finite logits: the sums are compared
				}
				switch rng.IntN(40) {
				case 0:
					x[i] = float32(math.Inf(1 - 2*rng.IntN(2)))
				case 1:
					x[i] = float32(math.NaN())
				case 2:
					x[i] = float32(1e30 * rng.NormFloat64())
				}
			}
			// A mask of about one in five, at random: the masked form's
			// pieces take the kernel whole, not run by run.
			ignore := make([]bool, n)
			for i := range ignore {
				ignore[i] = rng.IntN(5) == 0
			}
			soft := append([]float32(nil), y...)
			soft[n*2/3] = 0.5
			for _, ys := range [][]float32{y, soft} {
				upto := n // the elements compared bit for bit
				if &ys[0] == &soft[0] {
					upto = n * 2 / 3 &^ 31
				}
				for _, g := range []float64{0, 1, 2} {
					for _, hess := range []bool{false, true} {
						// LightWeights, though some weights are above
						// HeavyWeight: the kernel's own form, which those
						// calls otherwise do not reach (TestHeavyWeights).
						p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: g, Scale: 1.0 / 3, ClipHess: g == 2, LightWeights: true}
						var v vec
						if newVec(&v, p, tb); !v.hard32 || v.scaled {
							t.Fatalf("%v γ %v: the plain float32-lane kernel is not chosen", m, g)
						}
						l1, g1, l2, g2 := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
						var h1, h2 []float32
						if hess {
							h1, h2 = make([]float32, n), make([]float32, n)
						}
						for _, form := range []string{"weights", "weights and mask", "mask"} {
							ws, ig := w, ignore
							switch form {
							case "weights":
								ig = nil
							case "mask":
								ws = nil
							}
							sigmoidOn(tb, p, l1, g1, h1, x, ys, nil, nil)
							s1 := weighElems(l1, g1, h1, ws, ig)
							s2 := sigmoidOn(tb, p, l2, g2, h2, x, ys, ws, ig)
							if upto == n && !(math.Abs(s1-s2) <= 1e-12*math.Abs(s1)) && s1 != s2 && !(s1 != s1 && s2 != s2) {
								t.Fatalf("%v %s n=%d γ %v: sums %v (element loop), %v (kernel)", m, form, n, g, s1, s2)
							}
							same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }
							for i := range upto {
								if !same(l1[i], l2[i]) || !same(g1[i], g2[i]) || hess && !same(h1[i], h2[i]) {
									t.Fatalf("%v %s n=%d γ %v hess %v x=%v y=%v w=%v: element loop (%v %v), kernel (%v %v)",
										m, form, n, g, hess, x[i], ys[i], w[i], l1[i], g1[i], l2[i], g2[i])
								}
							}
						}
					}
				}
			}
		}
	}
}

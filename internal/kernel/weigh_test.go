package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestWeighMatchesElementLoop: weigh's outputs equal sigmoidWeighted's
// element loop bit for bit (zero, negative-zero, tiny and huge weights,
// losses near float32's limit, odd lengths), and its sum agrees to
// rounding.
func TestWeighMatchesElementLoop(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testWeigh[float32](t, math.MaxFloat32) })
	t.Run("float64", func(t *testing.T) { testWeigh[float64](t, math.MaxFloat64) })
}

func testWeigh[T Float](t *testing.T, limit float64) {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func() T {
		switch r.IntN(8) {
		case 0:
			return 0
		case 1:
			return T(math.Copysign(0, -1))
		case 2:
			return T(limit * r.Float64())
		case 3:
			return T(1e-30 * r.Float64())
		}
		return T(3 * r.Float64())
	}
	for _, n := range []int{0, 1, 2, 7, 512} {
		l, g, h, w := make([]T, n), make([]T, n), make([]T, n), make([]T, n)
		for i := range n {
			l[i], g[i], h[i], w[i] = pick(), T(r.NormFloat64())*pick(), pick(), pick()
		}
		wl, wg, wh := append([]T(nil), l...), append([]T(nil), g...), append([]T(nil), h...)
		want := weighElems(wl, wg, wh, w, nil)
		got := weigh(l, g, h, w)
		if math.Abs(got-want) > 1e-12*math.Abs(want) && !(math.IsInf(got, 1) && math.IsInf(want, 1)) {
			t.Errorf("n = %d: sum %v, want %v", n, got, want)
		}
		for i := range n {
			for _, c := range [][3]T{{l[i], wl[i], 0}, {g[i], wg[i], 1}, {h[i], wh[i], 2}} {
				if math.Float64bits(float64(c[0])) != math.Float64bits(float64(c[1])) {
					t.Errorf("n = %d, element %d, output %d: %v, want %v", n, i, int(c[2]), c[0], c[1])
				}
			}
		}
	}
	// Without a gradient or Hessian.
	l, w := []T{1, 2, 3}, []T{2, 0, 0.5}
	if got := weigh(l, nil, nil, w); got != 3.5 || l[0] != 2 || l[1] != 0 || l[2] != 1.5 {
		t.Errorf("loss only: sum %v, losses %v", got, l)
	}
}

// weighElems is the element loop of sigmoidWeighted, the reference of
// the faster weighings: l, g and h (either of the last two may be nil)
// times the weights (w nil: 1; 0 where ignored), each 0 where its weight
// is, the loss saturated; it returns the sum of the weighted losses.
func weighElems[T Float](l, g, h, w []T, ignore []bool) float64 {
	var sum float64
	for i := range l {
		wi := weightAt(w, ignore, i)
		li := float64(l[i]) * wi
		if wi == 0 {
			li = 0
		}
		sum += li
		l[i] = sat[T](li)
		for _, d := range [][]T{g, h} {
			if d != nil {
				if d[i] = T(float64(d[i]) * wi); wi == 0 {
					d[i] = 0
				}
			}
		}
	}
	return sum
}

// TestWeighRangeMatchesElementLoop: weighRange's outputs equal the
// element loop of a weighted member call bit for bit (zero and
// negative-zero weights, the mask as zero weights, negative-zero and NaN
// Hessians against the floor, products beyond T's range from finite and
// infinite logits, outputs from float32 and float64 lanes, odd lengths),
// and its sum agrees to rounding.
func TestWeighRangeMatchesElementLoop(t *testing.T) {
	t.Run("float32/f32lanes", func(t *testing.T) { testWeighRange[float32, float32](t) })
	t.Run("float32/f64lanes", func(t *testing.T) { testWeighRange[float32, float64](t) })
	t.Run("float64/f64lanes", func(t *testing.T) { testWeighRange[float64, float64](t) })
}

func testWeighRange[T Float, S float32 | float64](t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	lim := limitOf[T]()
	pick := func() S {
		switch r.IntN(9) {
		case 0:
			return 0
		case 1:
			return S(math.Copysign(0, -1))
		case 2:
			return S(float64(limitOf[S]()) * r.Float64())
		case 3:
			return S(1e-30 * r.Float64())
		case 4:
			return S(math.NaN())
		}
		return S(3 * r.NormFloat64())
	}
	for _, floor := range []float64{math.Inf(-1), 0, 1e-3} {
		for _, n := range []int{0, 1, 2, 7, 512} {
			ls, gs, hs, x := make([]S, n), make([]S, n), make([]S, n), make([]T, n)
			w, ignore := make([]T, n), make([]bool, n)
			for i := range n {
				ls[i], gs[i], hs[i] = pick(), pick(), pick()
				w[i] = T(math.Abs(float64(pick())))
				if math.IsNaN(float64(w[i])) {
					w[i] = T(math.Copysign(0, -1))
				}
				x[i] = T(r.NormFloat64())
				if r.IntN(6) == 0 {
					x[i] = T(math.Inf(1 - 2*r.IntN(2)))
				}
				ignore[i] = r.IntN(5) == 0
			}
			wv := make([]float64, n)
			pieceWeights(wv, w, ignore, 0)
			var want float64
			wl, wg, wh := make([]T, n), make([]T, n), make([]T, n)
			for i := range n {
				wi := weightAt(w, ignore, i)
				if wi != wv[i] && !(wi == 0 && wv[i] == 0) {
					t.Fatalf("element %d: weight %v, pieceWeights %v", i, wv[i], wi)
				}
				if wi == 0 {
					continue
				}
				sat := func(v float64) float64 {
					if v > lim || v < -lim {
						return satAt(v, x[i], lim)
					}
					return v
				}
				l := sat(float64(ls[i]) * wi)
				want += l
				wl[i] = T(l)
				wg[i] = T(sat(float64(gs[i]) * wi))
				h := float64(hs[i]) * wi
				if h < floor {
					h = floor
				}
				wh[i] = T(sat(h))
			}
			l, g, h := make([]T, n), make([]T, n), make([]T, n)
			got := weighRange(wv, floor, lim, x, ls, gs, hs, l, g, h)
			if !(math.Abs(got-want) <= 1e-12*math.Abs(want)) && !(math.IsNaN(got) && math.IsNaN(want)) && got != want {
				t.Errorf("floor %v, n = %d: sum %v, want %v", floor, n, got, want)
			}
			for i := range n {
				for _, c := range [][3]T{{l[i], wl[i], 0}, {g[i], wg[i], 1}, {h[i], wh[i], 2}} {
					if math.Float64bits(float64(c[0])) != math.Float64bits(float64(c[1])) {
						t.Errorf("floor %v, n = %d, element %d, output %d: %v, want %v", floor, n, i, int(c[2]), c[0], c[1])
					}
				}
			}
			// Without the destinations: the same sum.
			if s := weighRange(wv, floor, lim, x, ls, nil, nil, nil, nil, nil); math.Float64bits(s) != math.Float64bits(got) {
				t.Errorf("floor %v, n = %d: sum without destinations %v, with %v", floor, n, s, got)
			}
		}
	}
}

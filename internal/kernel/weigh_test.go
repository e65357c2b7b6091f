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
		var want float64
		for i := range wl {
			wi := weightAt(w, nil, i)
			li := float64(wl[i]) * wi
			if wi == 0 {
				li = 0
			}
			want += li
			wl[i] = sat[T](li)
			wg[i] = T(float64(wg[i]) * wi)
			wh[i] = T(float64(wh[i]) * wi)
			if wi == 0 {
				wg[i], wh[i] = 0, 0
			}
		}
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

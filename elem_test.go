package focal

import (
	"math"
	"testing"
)

// TestElemLoopWritesOnlyItsSlices runs every member's default on slices
// cut from larger arrays whose guard elements must stay untouched, with
// weights, an ignore mask, a scale and Hessian clipping, and checks each
// written value against the member's Elem.
func TestElemLoopWritesOnlyItsSlices(t *testing.T) {
	const n, guard = 13, 4
	const sentinel = -12345.0
	for _, k := range Kinds() {
		m := k.Default()
		const scale = 0.5
		arr := func() []float64 {
			a := make([]float64, n+2*guard)
			for i := range a {
				a[i] = sentinel
			}
			return a
		}
		la, ga, ha := arr(), arr(), arr()
		x, y, w := make([]float64, n), make([]float64, n), make([]float64, n)
		ign := make([]bool, n)
		for i := range x {
			x[i] = float64(i) - 6.5
			y[i] = float64(i % 2)
			w[i] = 1 + float64(i%3)
			ign[i] = i == 5
		}
		sum := elemLoop(m, scale, true, 0, la[guard:guard+n], ga[guard:guard+n], ha[guard:guard+n], x, y, w, ign)
		var want float64
		for i := range x {
			l, g, h := m.Elem(x[i], y[i])
			l, g, h = w[i]*l, w[i]*g*scale, max(w[i]*h*scale, 0)
			if ign[i] {
				l, g, h = 0, 0, 0
			}
			want += l
			if la[guard+i] != l || ga[guard+i] != g || ha[guard+i] != h {
				t.Errorf("%s element %d: (%v, %v, %v), want (%v, %v, %v)", k, i, la[guard+i], ga[guard+i], ha[guard+i], l, g, h)
			}
		}
		if math.Abs(sum-want) > 1e-12*math.Abs(want) {
			t.Errorf("%s: sum %v, want %v", k, sum, want)
		}
		for _, a := range [][]float64{la, ga, ha} {
			for i := range guard {
				if a[i] != sentinel || a[guard+n+i] != sentinel {
					t.Fatalf("%s wrote outside its slice", k)
				}
			}
		}
	}
}

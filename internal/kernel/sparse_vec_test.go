package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// testSparseVector checks Sparse against SparseGo within the sigmoid
// tolerances, for class counts below, at and above the lane width, rows
// labelled positive, background and ignored (in runs, so groups split),
// and any subset of destinations.
func testSparseVector[T Float](t *testing.T, rng *rand.Rand, m Impl) {
	rel, abs := tolerance[T]()
	for _, classes := range []int{1, 3, 8, 13, 80, 1000} {
		for _, g := range []float64{0, 0.5, 2, 2.5} {
			rows := rng.IntN(60)
			x, _ := inputs[T](rng, rows*classes, "hard")
			for i, v := range x {
				if math.IsInf(float64(v), 0) { // the float32 generic path gives NaN there
					x[i] = 0
				}
			}
			labels := make([]int32, rows)
			for n := range labels {
				switch r := rng.IntN(10); {
				case r < 6:
					labels[n] = int32(rng.IntN(classes))
				case r < 8:
					labels[n] = []int32{-1, int32(classes), 1 << 20}[rng.IntN(3)]
				default:
					labels[n] = SparseIgnore
				}
			}
			p := &SigmoidParams{Alpha: 0.25, HasAlpha: rng.IntN(2) == 0, Gamma: g, Scale: 0.5, ClipHess: rng.IntN(2) == 0}
			outs := [3]bool{rng.IntN(3) > 0, rng.IntN(3) > 0, rng.IntN(3) > 0}
			t.Run(fmt.Sprintf("%v/C%d/g%v", m, classes, g), func(t *testing.T) {
				var want, got [3][]T
				for k := range 3 {
					if outs[k] {
						want[k], got[k] = make([]T, len(x)), make([]T, len(x))
						for i := range got[k] {
							got[k][i] = 7 // must be overwritten, ignored rows included
						}
					}
				}
				ws := SparseGo(p, want[0], want[1], want[2], x, classes, labels)
				gs := sparseOn(tableOf(m), p, got[0], got[1], got[2], x, classes, labels)
				if !Agree(gs, ws, rel, abs) {
					t.Errorf("sum = %v, generic %v", gs, ws)
				}
				for k := range 3 {
					for i := range got[k] {
						lab := int(labels[i/classes])
						y := 0.0
						if lab == i%classes {
							y = 1
						}
						a := abs
						if k == 2 {
							a += hessSlack(float64(x[i]), y, p)
						}
						if !Agree(float64(got[k][i]), float64(want[k][i]), rel, a) {
							t.Fatalf("output %d [%d] (x=%v, label %d) = %v, generic %v", k, i, x[i], lab, got[k][i], want[k][i])
						}
					}
				}
			})
		}
	}
}

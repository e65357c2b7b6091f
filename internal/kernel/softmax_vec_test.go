package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSoftmaxVectorMatchesGeneric: Softmax on every vector implementation
// equals SoftmaxGo within the sigmoid tolerances (loss per position,
// gradient and Hessian per logit, the sum; the clipped Hessian too), for class counts around the lane widths,
// ignored positions, weights, per-class α, every γ form, rows with NaN
// and infinite logits, a subset of positions (first > 0), and both
// layouts: class axis last (Inner = 1) and second (Inner > 1, through
// transposed tiles, with inner sizes below, at and across a tile).
func TestSoftmaxVectorMatchesGeneric(t *testing.T) {
	if len(vecImpls()) == 0 {
		t.Skip("no vector implementation in this build")
	}
	t.Run("float32", func(t *testing.T) { testSoftmaxVector[float32](t) })
	t.Run("float64", func(t *testing.T) { testSoftmaxVector[float64](t) })
}

func testSoftmaxVector[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	rel, abs := tolerance[T]()
	for _, m := range vecImpls() {
		for _, C := range []int{1, 2, 3, 4, 8, 13, 16, 80, 256} {
			for _, g := range []float64{0, 0.5, 2, 2.5} {
				inner := 1
				if rng.IntN(2) == 0 {
					inner = []int{2, 7, tileElems/C - 1, tileElems / C, tileElems/C + 3, 3*tileElems/C + 1}[rng.IntN(6)]
				}
				outer := 1 + rng.IntN(max(1, 40/inner))
				N := outer * inner // positions
				x := make([]T, N*C)
				for i := range x {
					x[i] = T(4 * rng.NormFloat64())
					if rng.IntN(40*inner) == 0 {
						x[i] = T([]float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e30, -1e30, 80, -80, 800, -800, 700}[rng.IntN(10)])
					}
				}
				labels := make([]int32, N)
				for i := range labels {
					labels[i] = int32(rng.IntN(C))
					if rng.IntN(8) == 0 {
						labels[i] = -100
					}
				}
				p := &SoftmaxParams{Classes: C, Inner: inner, Gamma: g, Scale: 0.25, HasIgnore: true, Ignore: -100}
				// at returns the position of logit i.
				at := func(i int) int { return i/(C*inner)*inner + i%inner }
				// row returns the logit of position r and class c.
				row := func(r, c int) int { return r/inner*C*inner + c*inner + r%inner }
				if rng.IntN(2) == 0 {
					p.Alpha = []float64{0.25}
				} else if rng.IntN(2) == 0 {
					p.Alpha = make([]float64, C)
					for c := range p.Alpha {
						p.Alpha[c] = rng.Float64()
					}
				}
				var w []T
				if rng.IntN(2) == 0 {
					w = make([]T, N)
					for i := range w {
						w[i] = T(rng.Float64() * 2)
					}
				}
				first := rng.IntN(N)
				lab := labels[first:]
				if w != nil {
					w = w[first:]
				}
				t.Run(fmt.Sprintf("%v/C%d/g%v/inner%d", m, C, g, inner), func(t *testing.T) {
					wl, gl := make([]T, len(lab)), make([]T, len(lab))
					wg, gg := make([]T, len(x)), make([]T, len(x))
					wh, gh := make([]T, len(x)), make([]T, len(x))
					for i := range gg {
						gg[i], wg[i], gh[i], wh[i] = 7, 7, 7, 7
					}
					p.ClipHess = rng.IntN(2) == 0
					ws := SoftmaxGo(p, wl, wg, wh, x, lab, w, first)
					prev := SetImpl(m)
					gs := Softmax(p, gl, gg, gh, x, lab, w, first)
					SetImpl(prev)
					if !agree(gs, ws, rel, abs) {
						t.Errorf("sum = %v, generic %v", gs, ws)
					}
					// Destinations are optional: the sum alone, and the
					// gradient without the loss, agree as well.
					SetImpl(m)
					s0 := Softmax(p, nil, nil, nil, x, lab, w, first)
					g2 := make([]T, len(x))
					s1 := Softmax(p, nil, g2, nil, x, lab, w, first)
					SetImpl(prev)
					if !agree(s0, ws, rel, abs) || !agree(s1, ws, rel, abs) {
						t.Errorf("sum without destinations = %v, %v; generic %v", s0, s1, ws)
					}
					for i := range g2 { // positions from first on
						if at(i) < first {
							continue
						}
						if g2[i] != gg[i] && !(g2[i] != g2[i] && gg[i] != gg[i]) {
							t.Fatalf("grad[%d] without loss = %v, with %v", i, g2[i], gg[i])
						}
					}
					for i := range gl {
						if !agree(float64(gl[i]), float64(wl[i]), rel, abs) {
							t.Errorf("loss[%d] = %v, generic %v", i, gl[i], wl[i])
						}
					}
					for i := range gg {
						// The gradient of a row sums to zero: compare each
						// against the row's largest.
						r := at(i)
						big := 0.0
						for c := range C {
							big = max(big, math.Abs(float64(wg[row(r, c)])))
						}
						if !agree(float64(gg[i]), float64(wg[i]), rel, abs+1e-14*big) {
							t.Errorf("grad[%d] (row %d) = %v, generic %v", i, r, gg[i], wg[i])
						}
						// The Hessian's terms cancel near its zeros: compare
						// against the row's largest entry as well.
						bigH := 0.0
						for c := range C {
							bigH = max(bigH, math.Abs(float64(wh[row(r, c)])))
						}
						if !agree(float64(gh[i]), float64(wh[i]), rel, abs+1e-13*bigH) {
							t.Errorf("hess[%d] (row %d) = %v, generic %v", i, r, gh[i], wh[i])
						}
					}
				})
			}
		}
	}
}

// TestRowMaxSeesEveryNaN: rowMax is NaN when any element is, wherever it
// sits (first block, later blocks, tail), and the max otherwise.
func TestRowMaxSeesEveryNaN(t *testing.T) {
	for _, m := range vecImpls() {
		for n := 1; n < 40; n++ {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32((i * 7) % 11)
			}
			want := 0.0
			for _, v := range x {
				want = max(want, float64(v))
			}
			if got := rowMax(m, x); got != want {
				t.Errorf("%v n=%d: rowMax = %v, want %v", m, n, got, want)
			}
			for pos := range n {
				y := append([]float32(nil), x...)
				y[pos] = float32(math.NaN())
				if got := rowMax(m, y); !math.IsNaN(got) {
					t.Errorf("%v n=%d: NaN at %d missed: %v", m, n, pos, got)
				}
			}
		}
	}
}

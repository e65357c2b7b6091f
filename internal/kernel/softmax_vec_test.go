package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// testSoftmaxVector checks Softmax against SoftmaxGo within the sigmoid
// tolerances (loss per position, gradient and Hessian per logit, the sum;
// the clipped Hessian too; with label smoothing, class axis last, the loss
// and gradient), for class counts around the lane widths, ignored
// positions, weights, per-class α, every γ form, rows with NaN and
// infinite logits, a subset of positions (first > 0), and both layouts:
// class axis last (Inner = 1) and second (Inner > 1, class-strided blocks
// of positions, with inner sizes below, at and across a block and of
// thousands of logits per image).
func testSoftmaxVector[T Float](t *testing.T, rng *rand.Rand, m Impl) {
	for _, C := range []int{1, 2, 3, 4, 8, 13, 16, 80, 256} {
		for _, g := range []float64{0, 0.5, 2, 2.5} {
			inner := 1
			if rng.IntN(2) == 0 {
				const span = 8192 // logits per image, about
				inner = []int{2, 7, 8, 9, span/C - 1, span / C, span/C + 3, 3*span/C + 1}[rng.IntN(8)]
			}
			outer := 1 + rng.IntN(max(1, 40/inner))
			N := outer * inner // positions
			x := make([]T, N*C)
			for i := range x {
				x[i] = T(4 * rng.NormFloat64())
				if rng.IntN(40*inner) == 0 {
					x[i] = T([]float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e30, -1e30, 80, -80, 800, -800, 700}[rng.IntN(10)])
				}
				if rng.IntN(16) == 0 { // ties at a large max: log p = (x − max) − log(1 + S′) must not round log(1 + S′) away
					x[i] = 1e30
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
			p.ClipHess = rng.IntN(2) == 0
			if inner == 1 && rng.IntN(3) == 0 {
				p.Smooth = []float64{0.1, 0.9}[rng.IntN(2)]
			}
			t.Run(fmt.Sprintf("%v/C%d/g%v/inner%d/eps%v", m, C, g, inner, p.Smooth), func(t *testing.T) {
				compareSoftmax(t, m, p, x, lab, w, first)
			})
		}
	}
}

// compareSoftmax checks Softmax on implementation m against SoftmaxGo for
// the positions from first on (labels and w start there): the sum, the
// loss per position, the gradient and Hessian per logit (each within the
// tolerance plus a slack relative to its position's largest entry, since
// a position's gradient sums to zero and its Hessian terms cancel), and
// the sum and gradient again with fewer destinations. For m = Generic it
// checks SoftmaxGo against softmaxGeneral, the position-by-position
// reference, instead: what the fuzz target checks where there is no vector
// implementation.
func compareSoftmax[T Float](t *testing.T, m Impl, p *SoftmaxParams, x []T, labels []int32, w []T, first int) {
	t.Helper()
	rel, abs := tolerance[T]()
	C, inner := p.Classes, p.Inner
	// at returns the position of logit i.
	at := func(i int) int { return i/(C*inner)*inner + i%inner }
	// row returns the logit of position r and class c.
	row := func(r, c int) int { return r/inner*C*inner + c*inner + r%inner }
	wl, gl := make([]T, len(labels)), make([]T, len(labels))
	wg, gg := make([]T, len(x)), make([]T, len(x))
	wh, gh := make([]T, len(x)), make([]T, len(x))
	for i := range gg {
		gg[i], wg[i], gh[i], wh[i] = 7, 7, 7, 7
	}
	if p.Smooth != 0 {
		// Label smoothing is vectorized for the loss and gradient only: the
		// Hessian would take the Go path.
		wh, gh = nil, nil
	}
	tb := tableOf(m)
	ref := func(loss, grad, hess []T) float64 { return SoftmaxGo(p, loss, grad, hess, x, labels, w, first) }
	fn := func(loss, grad, hess []T) float64 { return softmaxOn(tb, p, loss, grad, hess, x, labels, w, first) }
	if m == Generic {
		fn = ref
		ref = func(loss, grad, hess []T) float64 { return softmaxGeneral(p, loss, grad, hess, x, labels, w, first) }
	}
	ws := ref(wl, wg, wh)
	gs := fn(gl, gg, gh)
	if !Agree(gs, ws, rel, abs) {
		t.Errorf("%v: sum = %v, generic %v", m, gs, ws)
	}
	// Destinations are optional: the sum alone, and the gradient without
	// the loss, agree as well.
	s0 := fn(nil, nil, nil)
	g2 := make([]T, len(x))
	s1 := fn(nil, g2, nil)
	if !Agree(s0, ws, rel, abs) || !Agree(s1, ws, rel, abs) {
		t.Errorf("%v: sum without destinations = %v, %v; generic %v", m, s0, s1, ws)
	}
	for i := range g2 { // positions from first on
		if at(i) < first || at(i) >= first+len(labels) {
			continue
		}
		if g2[i] != gg[i] && !(g2[i] != g2[i] && gg[i] != gg[i]) {
			t.Fatalf("%v: grad[%d] without loss = %v, with %v", m, i, g2[i], gg[i])
		}
	}
	for i := range gl {
		if !Agree(float64(gl[i]), float64(wl[i]), rel, abs) {
			t.Errorf("%v: loss[%d] = %v, generic %v", m, i, gl[i], wl[i])
		}
	}
	bad := 0
	for i := range gg {
		r := at(i)
		big, bigH := 0.0, 0.0
		for c := range C {
			big = max(big, math.Abs(float64(wg[row(r, c)])))
			if wh != nil {
				bigH = max(bigH, math.Abs(float64(wh[row(r, c)])))
			}
		}
		if !Agree(float64(gg[i]), float64(wg[i]), rel, abs+1e-14*big) {
			if bad++; bad < 5 {
				t.Errorf("%v: grad[%d] (position %d) = %v, generic %v", m, i, r, gg[i], wg[i])
			}
		}
		if gh != nil && !Agree(float64(gh[i]), float64(wh[i]), rel, abs+1e-13*bigH) {
			if bad++; bad < 5 {
				t.Errorf("%v: hess[%d] (position %d) = %v, generic %v", m, i, r, gh[i], wh[i])
			}
		}
	}
}

// TestRowExpSeesEveryNaN: rowExp's max is NaN, and the row not ok, when
// any element is NaN, wherever it sits (first block, later blocks, tail),
// and the max otherwise.
func TestRowExpSeesEveryNaN(t *testing.T) {
	needVector(t)
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
			e := make([]float64, n)
			if got, _, _, ok := rowExp(tableOf(m), e, x); got != want || !ok {
				t.Errorf("%v n=%d: rowExp max = %v (ok %v), want %v", m, n, got, ok, want)
			}
			for pos := range n {
				y := append([]float32(nil), x...)
				y[pos] = float32(math.NaN())
				if got, _, _, ok := rowExp(tableOf(m), e, y); !math.IsNaN(got) || ok {
					t.Errorf("%v n=%d: NaN at %d missed: %v (ok %v)", m, n, pos, got, ok)
				}
			}
		}
	}
}

// TestSoftmaxStridedSplitsExactly: with the class axis second, each
// position's loss, gradient and Hessian are the same bit for bit whether
// the positions are computed in one call or split among calls at any
// position (package focal's chunks, focal loss's streamed blocks): the
// class-strided blocks are fixed by the image, not by the call.
func TestSoftmaxStridedSplitsExactly(t *testing.T) {
	needVector(t)
	rng := rand.New(rand.NewPCG(17, 18))
	const N, C, in = 3, 7, 100 // 100 positions an image: cut blocks and a partial one
	x := make([]float64, N*C*in)
	for i := range x {
		x[i] = 3 * rng.NormFloat64()
	}
	labels := make([]int32, N*in)
	w := make([]float64, N*in)
	for i := range labels {
		labels[i] = int32(rng.IntN(C))
		w[i] = rng.Float64()
	}
	p := &SoftmaxParams{Classes: C, Inner: in, Gamma: 2.5, Scale: 0.5}
	for _, m := range vecImpls() {
		tb := tableOf(m)
		wl, wg, wh := make([]float64, len(labels)), make([]float64, len(x)), make([]float64, len(x))
		softmaxOn(tb, p, wl, wg, wh, x, labels, w, 0)
		for range 20 {
			l, g, h := make([]float64, len(labels)), make([]float64, len(x)), make([]float64, len(x))
			for lo := 0; lo < len(labels); {
				hi := min(len(labels), lo+1+rng.IntN(40))
				softmaxOn(tb, p, l[lo:hi], g, h, x, labels[lo:hi], w[lo:hi], lo)
				lo = hi
			}
			for i := range x {
				if g[i] != wg[i] || h[i] != wh[i] {
					t.Fatalf("%v: logit %d: split grad %v hess %v, one call %v %v", m, i, g[i], h[i], wg[i], wh[i])
				}
			}
			for i := range l {
				if l[i] != wl[i] {
					t.Fatalf("%v: loss[%d] split %v, one call %v", m, i, l[i], wl[i])
				}
			}
		}
	}
}

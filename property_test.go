package focal_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/focalgo/focal"
)

// normals returns n logits drawn from N(0, scale²).
func normals(rng *rand.Rand, n int, scale float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64() * scale
	}
	return x
}

func randomBatch(rng *rand.Rand, n int, scale float64, posRate float64) (x, y []float64) {
	x, y = make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64() * scale
		if rng.Float64() < posRate {
			y[i] = 1
		}
	}
	return x, y
}

// paper is the focal-loss paper's setting, α = 0.25 and γ = 2, used with
// positives (the sum divided by the number of positives).
var paper = focal.Sigmoid{Alpha: 0.25, Gamma: 2}

var (
	none      = focal.Options{Reduction: focal.None}
	positives = focal.Options{Reduction: focal.Positives}
)

// mergeAll merges the Totals of the shards of one batch.
func mergeAll(shards []focal.Total) focal.Total {
	m := shards[0]
	for _, s := range shards[1:] {
		m = m.Merge(s)
	}
	return m
}

// divisorOf is what Total.Value divides Sum by, as its documentation
// states it for a Total without a Normalizer: Count for Mean,
// max(1, Positives) for Positives, else 1.
func divisorOf(t focal.Total) float64 {
	switch t.Reduction {
	case focal.Mean:
		return float64(max(1, t.Count))
	case focal.Positives:
		return float64(max(1, t.Positives))
	}
	return 1
}

func sigmoidAll(t *testing.T, s focal.Sigmoid, o focal.Options, x, y []float64) (loss, grad, hess []float64, tot focal.Total) {
	t.Helper()
	n := len(x)
	loss, grad, hess = make([]float64, n), make([]float64, n), make([]float64, n)
	tot, err := focal.Loss(s, o, focal.Outputs[float64]{Loss: loss, Grad: grad, Hess: hess}, focal.Input[float64]{Logits: x, Targets: y})
	if err != nil {
		t.Fatal(err)
	}
	return loss, grad, hess, tot
}

// TestGammaZeroIsBalancedCrossEntropy: FL with γ = 0 is −αₜ log pₜ, and
// with no α (Alpha 0) it is BCE with logits, computed here independently.
func TestGammaZeroIsBalancedCrossEntropy(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x, y := randomBatch(rng, 500, 6, 0.3)
	for _, alpha := range []float64{0, 0.25, 0.75} {
		loss, grad, _, _ := sigmoidAll(t, focal.Sigmoid{Alpha: alpha, Gamma: 0}, none, x, y)
		for i := range x {
			// BCE(x, y) = max(x, 0) − x·y + log(1 + e^−|x|)
			bce := max(x[i], 0) - x[i]*y[i] + math.Log1p(math.Exp(-math.Abs(x[i])))
			p := 1 / (1 + math.Exp(-x[i]))
			at := 1.0
			if alpha != 0 {
				at = y[i]*alpha + (1-y[i])*(1-alpha)
			}
			if !closeTo(loss[i], at*bce, 1e-14) || !closeTo(grad[i], at*(p-y[i]), 1e-14) {
				t.Fatalf("alpha %v, x %v y %v: loss %v grad %v, want %v %v", alpha, x[i], y[i], loss[i], grad[i], at*bce, at*(p-y[i]))
			}
		}
	}
}

// TestSymmetry: FL(x, y=1; α) = FL(−x, y=0; 1−α), gradient negated,
// Hessian equal.
func TestSymmetry(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	x, _ := randomBatch(rng, 300, 8, 0)
	ones, zeros, negx := make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x))
	for i := range x {
		ones[i], negx[i] = 1, -x[i]
	}
	for _, g := range []float64{0, 0.5, 2, 3.3} {
		l1, g1, h1, _ := sigmoidAll(t, focal.Sigmoid{Alpha: 0.3, Gamma: g}, none, x, ones)
		l0, g0, h0, _ := sigmoidAll(t, focal.Sigmoid{Alpha: 0.7, Gamma: g}, none, negx, zeros)
		for i := range x {
			if !closeTo(l1[i], l0[i], 1e-14) || !closeTo(g1[i], -g0[i], 1e-14) || !closeTo(h1[i], h0[i], 1e-13) {
				t.Fatalf("γ %v x %v: (%v %v %v) vs (%v %v %v)", g, x[i], l1[i], g1[i], h1[i], l0[i], -g0[i], h0[i])
			}
		}
	}
}

// TestSparseEqualsDenseOneHot: SparseLoss = Loss of Sigmoid on one-hot
// targets with ignored rows masked, for every reduction.
func TestSparseEqualsDenseOneHot(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const rows, classes = 300, 7
	x, _ := randomBatch(rng, rows*classes, 5, 0)
	labels := make([]int16, rows)
	y := make([]float64, rows*classes)
	ignore := make([]bool, rows*classes)
	for n := range labels {
		switch r := rng.IntN(10); {
		case r < 6:
			labels[n] = focal.Background
		case r < 7:
			labels[n] = focal.IgnoreLabel
			for c := range classes {
				ignore[n*classes+c] = true
			}
		default:
			labels[n] = int16(rng.IntN(classes))
			y[n*classes+int(labels[n])] = 1
		}
	}
	for _, red := range []focal.Reduction{focal.None, focal.Mean, focal.Sum, focal.Positives} {
		s, o := focal.Sigmoid{Alpha: 0.25, Gamma: 2}, focal.Options{Reduction: red}
		n := len(x)
		ls, gs, hs := make([]float64, n), make([]float64, n), make([]float64, n)
		ld, gd, hd := make([]float64, n), make([]float64, n), make([]float64, n)
		ts, err := focal.SparseLoss(s, o, focal.Outputs[float64]{Loss: ls, Grad: gs, Hess: hs}, focal.SparseInput[float64, int16]{Logits: x, Classes: classes, Labels: labels})
		if err != nil {
			t.Fatal(err)
		}
		td, err := focal.Loss(s, o, focal.Outputs[float64]{Loss: ld, Grad: gd, Hess: hd}, focal.Input[float64]{Logits: x, Targets: y, Ignore: ignore})
		if err != nil {
			t.Fatal(err)
		}
		if ts.Count != td.Count || ts.Positives != td.Positives || !closeTo(ts.Value(), td.Value(), 1e-12) {
			t.Fatalf("%v: sparse %+v, dense %+v", red, ts, td)
		}
		for i := range ls {
			if ls[i] != ld[i] || gs[i] != gd[i] || hs[i] != hd[i] {
				t.Fatalf("%v: element %d differs: sparse (%v %v %v) dense (%v %v %v)", red, i, ls[i], gs[i], hs[i], ld[i], gd[i], hd[i])
			}
		}
	}
}

// TestSoftmaxGammaZeroIsCrossEntropy: softmax FL with γ = 0 is the
// (weighted) cross-entropy −α_y log softmax(x)_y.
func TestSoftmaxGammaZeroIsCrossEntropy(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const n, c = 50, 6
	x, _ := randomBatch(rng, n*c, 4, 0)
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(c)
	}
	loss := make([]float64, n)
	alpha := []float64{1, 2, 0.5, 0.1, 3, 1}
	if _, err := focal.SoftmaxLoss(focal.Softmax{Alpha: alpha}, none, focal.Outputs[float64]{Loss: loss}, focal.SoftmaxInput[float64, int]{Logits: x, Layout: focal.ClassLast(n, c), Labels: labels}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		row := x[i*c : (i+1)*c]
		m := row[0]
		for _, v := range row {
			m = max(m, v)
		}
		var s float64
		for _, v := range row {
			s += math.Exp(v - m)
		}
		want := -alpha[labels[i]] * (row[labels[i]] - m - math.Log(s))
		if !closeTo(loss[i], want, 1e-13) {
			t.Fatalf("row %d: %v, want %v", i, loss[i], want)
		}
	}
}

// TestSoftmaxLayoutsAgree: NCHW logits give the same losses and (permuted)
// gradients as the same values laid out class-last, small and large enough
// to be split into parallel chunks inside one image, with and without
// label smoothing: to 1e-14 relative, since the layouts run different
// vector kernels (class-strided and along rows), whose sums round
// differently.
func TestSoftmaxLayoutsAgree(t *testing.T) {
	for _, eps := range []float64{0, 0.1} {
		for _, sz := range [][3]int{{3, 4, 5}, {1, 5, 90_000}, {2, 80, 1024}} {
			softmaxLayoutsAgree(t, sz[0], sz[1], sz[2], eps)
		}
	}
}

func softmaxLayoutsAgree(t *testing.T, N, C, H int, eps float64) {
	rng := rand.New(rand.NewPCG(15, 16))
	nchw, _ := randomBatch(rng, N*C*H, 3, 0)
	last := make([]float64, len(nchw))
	for n := range N {
		for c := range C {
			for h := range H {
				last[(n*H+h)*C+c] = nchw[(n*C+c)*H+h]
			}
		}
	}
	labels := make([]int, N*H)
	for i := range labels {
		labels[i] = rng.IntN(C)
	}
	labels[3] = -100
	s, o := focal.Softmax{Gamma: 2, LabelSmoothing: eps, IgnoreIndex: -100}, focal.Options{Reduction: focal.Mean}
	la, ga := make([]float64, N*H), make([]float64, len(nchw))
	lb, gb := make([]float64, N*H), make([]float64, len(nchw))
	ta, err := focal.SoftmaxLoss(s, o, focal.Outputs[float64]{Loss: la, Grad: ga}, focal.SoftmaxInput[float64, int]{Logits: nchw, Layout: focal.ClassSecond(N, C, H), Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := focal.SoftmaxLoss(s, o, focal.Outputs[float64]{Loss: lb, Grad: gb}, focal.SoftmaxInput[float64, int]{Logits: last, Layout: focal.ClassLast(N*H, C), Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	if ta.Count != tb.Count || !closeTo(ta.Sum, tb.Sum, 1e-14) {
		t.Fatalf("totals %+v vs %+v", ta, tb)
	}
	for n := range N {
		for c := range C {
			for h := range H {
				if a, b := ga[(n*C+c)*H+h], gb[(n*H+h)*C+c]; !closeTo(a, b, 1e-14) {
					t.Fatalf("ε %v grad (%d,%d,%d): %v vs %v", eps, n, c, h, a, b)
				}
			}
		}
	}
	for i := range la {
		if !closeTo(la[i], lb[i], 1e-14) {
			t.Fatalf("ε %v loss[%d]: %v vs %v", eps, i, la[i], lb[i])
		}
	}
}

// TestFiniteAtExtremes: loss, gradient and Hessian are finite for every
// finite logit, including ±MaxFloat, ±0 and subnormals, for γ in (0, 1),
// where naive autograd gives NaN (kornia#918, optax#1267).
func TestFiniteAtExtremes(t *testing.T) {
	extremes := []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, 1e-30, -1e-30, 1, -1, 17, -17, 40, -40, 100, -100,
		800, -800, 1e30, -1e30, math.MaxFloat32, -math.MaxFloat32, math.MaxFloat64, -math.MaxFloat64}
	var x, y []float64
	for _, v := range extremes {
		for _, t := range []float64{0, 1, 0.5, 1e-9} {
			x, y = append(x, v), append(y, t)
		}
	}
	for _, g := range []float64{0, 0.1, 0.5, 0.99, 1, 1.5, 2, 5} {
		for _, red := range []focal.Reduction{focal.None, focal.Mean} {
			l, gr, h, tot := sigmoidAll(t, focal.Sigmoid{Alpha: 0.25, Gamma: g}, focal.Options{Reduction: red}, x, y)
			for i := range x {
				if math.IsNaN(l[i]) || math.IsInf(l[i], 0) || math.IsNaN(gr[i]) || math.IsInf(gr[i], 0) || math.IsNaN(h[i]) || math.IsInf(h[i], 0) {
					t.Fatalf("γ %v, x %v, y %v: loss %v grad %v hess %v", g, x[i], y[i], l[i], gr[i], h[i])
				}
			}
			_ = tot
		}
		// float32, and softmax at the same extremes
		x32 := make([]float32, 0, len(x))
		y32 := make([]float32, 0, len(x))
		for i, v := range x {
			if math.Abs(v) <= math.MaxFloat32 {
				x32, y32 = append(x32, float32(v)), append(y32, float32(y[i]))
			}
		}
		n := len(x32)
		l, gr, h := make([]float32, n), make([]float32, n), make([]float32, n)
		if _, err := focal.Loss(focal.Sigmoid{Alpha: 0.25, Gamma: g}, none, focal.Outputs[float32]{Loss: l, Grad: gr, Hess: h}, focal.Input[float32]{Logits: x32, Targets: y32}); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			for _, v := range []float32{l[i], gr[i], h[i]} {
				if v != v || math.IsInf(float64(v), 0) {
					t.Fatalf("float32 γ %v, x %v, y %v: loss %v grad %v hess %v", g, x32[i], y32[i], l[i], gr[i], h[i])
				}
			}
		}
		const C = 3
		rows := len(extremes) * len(extremes)
		sx := make([]float32, 0, rows*C)
		labels := make([]int, 0, rows)
		for i, a := range extremes {
			for j, b := range extremes {
				sx = append(sx, float32(max(min(a, math.MaxFloat32), -math.MaxFloat32)), float32(max(min(b, math.MaxFloat32), -math.MaxFloat32)), 0)
				labels = append(labels, (i+j)%C)
			}
		}
		for _, eps := range []float64{0, 0.1} {
			sl, sg, sh := make([]float32, rows), make([]float32, len(sx)), make([]float32, len(sx))
			if _, err := focal.SoftmaxLoss(focal.Softmax{Gamma: g, LabelSmoothing: eps}, none, focal.Outputs[float32]{Loss: sl, Grad: sg, Hess: sh}, focal.SoftmaxInput[float32, int]{Logits: sx, Layout: focal.ClassLast(rows, C), Labels: labels}); err != nil {
				t.Fatal(err)
			}
			for i := range sx {
				if sg[i] != sg[i] || math.IsInf(float64(sg[i]), 0) || sh[i] != sh[i] || math.IsInf(float64(sh[i]), 0) {
					t.Fatalf("softmax γ %v ε %v: row %v (label %d): grad %v hess %v", g, eps, sx[i/C*C:i/C*C+C], labels[i/C], sg[i], sh[i])
				}
			}
			for i, v := range sl {
				if v != v || v < 0 {
					t.Fatalf("softmax γ %v ε %v: row %v loss %v", g, eps, sx[i*C:i*C+C], v)
				}
			}
		}
	}
}

// TestNaNPropagates: a NaN logit gives NaN outputs for that element only.
func TestNaNPropagates(t *testing.T) {
	x := []float64{1, math.NaN(), -2}
	y := []float64{1, 0, 0}
	l, g, h, _ := sigmoidAll(t, paper, positives, x, y)
	if !math.IsNaN(l[1]) || !math.IsNaN(g[1]) || !math.IsNaN(h[1]) {
		t.Fatalf("NaN logit: %v %v %v", l[1], g[1], h[1])
	}
	if math.IsNaN(l[0]) || math.IsNaN(l[2]) || math.IsNaN(g[0]) {
		t.Fatalf("NaN leaked to other elements: %v %v", l, g)
	}
}

// TestShardedReductionEqualsWhole: merging the Totals of shards, and
// scaling each shard's gradient by the merged divisor (Normalizer), equals
// one call over the whole batch.
func TestShardedReductionEqualsWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	x, y := randomBatch(rng, 10007, 4, 0.05)
	for _, red := range []focal.Reduction{focal.Sum, focal.Mean, focal.Positives} {
		s, o := focal.Sigmoid{Alpha: 0.25, Gamma: 2}, focal.Options{Reduction: red}
		_, whole, _, wt := sigmoidAll(t, s, o, x, y)
		cuts := []int{0, 1, 2500, 2501, 7000, len(x)}
		var shards []focal.Total
		for i := 1; i < len(cuts); i++ {
			tt, err := focal.Loss(s, o, focal.Outputs[float64]{}, focal.Input[float64]{Logits: x[cuts[i-1]:cuts[i]], Targets: y[cuts[i-1]:cuts[i]]})
			if err != nil {
				t.Fatal(err)
			}
			shards = append(shards, tt)
		}
		merged := mergeAll(shards)
		if merged.Count != wt.Count || merged.Positives != wt.Positives || !closeTo(merged.Value(), wt.Value(), 1e-12) {
			t.Fatalf("%v: merged %+v (%v), whole %+v (%v)", red, merged, merged.Value(), wt, wt.Value())
		}
		o.Normalizer = divisorOf(merged)
		for i := 1; i < len(cuts); i++ {
			lo, hi := cuts[i-1], cuts[i]
			g := make([]float64, hi-lo)
			if _, err := focal.Loss(s, o, focal.Outputs[float64]{Grad: g}, focal.Input[float64]{Logits: x[lo:hi], Targets: y[lo:hi]}); err != nil {
				t.Fatal(err)
			}
			for k := range g {
				if !closeTo(g[k], whole[lo+k], 1e-15) {
					t.Fatalf("%v: shard grad[%d] = %v, whole %v", red, lo+k, g[k], whole[lo+k])
				}
			}
		}
	}
}

// TestFloat32AgreesWithFloat64 to 1e-5 relative (plus a 1e-30 floor).
func TestFloat32AgreesWithFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	x, y := randomBatch(rng, 3000, 6, 0.2)
	x32, y32 := toT[float32](x), toT[float32](y)
	for i := range x {
		x[i] = float64(x32[i])
	}
	for _, g := range []float64{0, 0.5, 2, 4.5} {
		s, o := focal.Sigmoid{Alpha: 0.25, Gamma: g}, focal.Options{Reduction: focal.Mean}
		l64, g64, h64, t64 := sigmoidAll(t, s, o, x, y)
		n := len(x)
		l32, g32, h32 := make([]float32, n), make([]float32, n), make([]float32, n)
		t32, err := focal.Loss(s, o, focal.Outputs[float32]{Loss: l32, Grad: g32, Hess: h32}, focal.Input[float32]{Logits: x32, Targets: y32})
		if err != nil {
			t.Fatal(err)
		}
		rel := func(a float32, b float64) bool { return math.Abs(float64(a)-b) <= 1e-5*math.Abs(b)+1e-30 }
		for i := range x {
			if !rel(l32[i], l64[i]) || !rel(g32[i], g64[i]) || !rel(h32[i], h64[i]) {
				t.Fatalf("γ %v x %v: float32 (%v %v %v) float64 (%v %v %v)", g, x[i], l32[i], g32[i], h32[i], l64[i], g64[i], h64[i])
			}
		}
		if math.Abs(t32.Sum-t64.Sum) > 1e-5*t64.Sum {
			t.Fatalf("sums %v vs %v", t32.Sum, t64.Sum)
		}
	}
}

// TestResultIndependentOfGOMAXPROCS: fixed chunking and summation order make
// results bit-identical whatever the number of goroutines.
func TestResultIndependentOfGOMAXPROCS(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	x, y := randomBatch(rng, 300_001, 4, 0.01)
	run := func(procs int) (float64, []float64) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		g := make([]float64, len(x))
		tot, err := focal.Loss(paper, positives, focal.Outputs[float64]{Grad: g}, focal.Input[float64]{Logits: x, Targets: y})
		if err != nil {
			t.Fatal(err)
		}
		return tot.Sum, g
	}
	s1, g1 := run(1)
	for _, p := range []int{2, 3, 8} {
		s, g := run(p)
		if s != s1 {
			t.Fatalf("GOMAXPROCS %d: sum %v, with 1: %v", p, s, s1)
		}
		for i := range g {
			if g[i] != g1[i] {
				t.Fatalf("GOMAXPROCS %d: grad[%d] differs", p, i)
			}
		}
	}
}

// TestHessianClip: the exact Hessian diagonal is negative for some hard
// examples when γ > 0; ClipHessian makes it max(h, 0) and leaves the rest.
func TestHessianClip(t *testing.T) {
	x := make([]float64, 0, 200)
	y := make([]float64, 0, 200)
	for v := -10.0; v <= 10; v += 0.1 {
		x, y = append(x, v), append(y, 1)
	}
	_, _, h, _ := sigmoidAll(t, focal.Sigmoid{Alpha: 0.25, Gamma: 2}, none, x, y)
	_, _, hc, _ := sigmoidAll(t, focal.Sigmoid{Alpha: 0.25, Gamma: 2}, focal.Options{Reduction: focal.None, ClipHessian: true}, x, y)
	negative := 0
	for i := range h {
		if h[i] < 0 {
			negative++
		}
		if hc[i] != max(h[i], 0) {
			t.Fatalf("x %v: clipped %v, exact %v", x[i], hc[i], h[i])
		}
	}
	if negative == 0 {
		t.Fatal("expected a negative Hessian for some hard positives at γ = 2")
	}
}

// TestPublishedReferenceValues checks values other libraries publish.
func TestPublishedReferenceValues(t *testing.T) {
	// mmcv tests/test_ops/test_focal_loss.py: logits [[1,0],[0,1]], labels
	// [0,1], α = 0.25, γ = 2. mmcv's "mean" divides the sum by the number
	// of rows N (ours divides by the number of elements): 0.13562961.
	x := []float64{1, 0, 0, 1}
	tot, err := focal.SparseLoss(focal.Sigmoid{Alpha: 0.25, Gamma: 2}, focal.Options{Reduction: focal.Sum}, focal.Outputs[float64]{},
		focal.SparseInput[float64, int]{Logits: x, Classes: 2, Labels: []int{0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	if got := tot.Sum / 2; math.Abs(got-0.13562961) > 5e-9 {
		t.Errorf("mmcv sigmoid focal: %.9f, want 0.13562961", got)
	}
	// mmcv's softmax form is −α (1 − p_y)^γ log p_y with a scalar α:
	// here p_y = σ(1) on both rows.
	st, err := focal.SoftmaxLoss(focal.Softmax{Alpha: []float64{0.25}, Gamma: 2}, focal.Options{Reduction: focal.Mean}, focal.Outputs[float64]{},
		focal.SoftmaxInput[float64, int]{Logits: x, Layout: focal.ClassLast(2, 2), Labels: []int{0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	p := 1 / (1 + math.Exp(-1))
	if want := 0.25 * (1 - p) * (1 - p) * -math.Log(p); !closeTo(st.Value(), want, 1e-15) {
		t.Errorf("mmcv softmax focal: %v, want %v", st.Value(), want)
	}
	// Keras BinaryFocalCrossentropy docstring (from_logits=True, γ = 2,
	// mean over the last axis): 0.691 without class balancing, 0.51 with
	// apply_class_balancing=True (α = 0.25, the same αₜ as ours).
	kx := []float64{-18.6, 0.51, 2.94, -12.8}
	ky := []float64{0, 1, 0, 0}
	for _, c := range []struct {
		alpha, want, tol float64
	}{{0, 0.691, 5e-4}, {0.25, 0.51, 5e-3}} {
		kt, err := focal.Loss(focal.Sigmoid{Alpha: c.alpha, Gamma: 2}, focal.Options{Reduction: focal.Mean}, focal.Outputs[float64]{}, focal.Input[float64]{Logits: kx, Targets: ky})
		if err != nil {
			t.Fatal(err)
		}
		if got := kt.Value(); math.Abs(got-c.want) > c.tol {
			t.Errorf("Keras α %v: %v, want %v", c.alpha, got, c.want)
		}
	}
}

// TestBadInputWritesNothing: every invalid argument returns an error
// wrapping the right sentinel, naming the offending index, and leaves the
// destinations untouched.
func TestBadInputWritesNothing(t *testing.T) {
	const sentinel = 42
	fresh := func(n int) focal.Outputs[float64] {
		o := focal.Outputs[float64]{Loss: make([]float64, n), Grad: make([]float64, n)}
		for i := range n {
			o.Loss[i], o.Grad[i] = sentinel, sentinel
		}
		return o
	}
	untouched := func(o focal.Outputs[float64]) bool {
		for i := range o.Loss {
			if o.Loss[i] != sentinel || o.Grad[i] != sentinel {
				return false
			}
		}
		return true
	}
	x := []float64{0.1, 0.2, 0.3}
	y := []float64{0, 1, 0}
	sigmoid := func(s focal.Sigmoid, o focal.Outputs[float64], in focal.Input[float64]) error {
		_, err := focal.Loss(s, positives, o, in)
		return err
	}
	sparse := func(o focal.Outputs[float64], classes int, labels []int) error {
		_, err := focal.SparseLoss(paper, positives, o, focal.SparseInput[float64, int]{Logits: x, Classes: classes, Labels: labels})
		return err
	}
	softmax := func(s focal.Softmax, o focal.Outputs[float64], lay focal.Layout, labels []int) error {
		_, err := focal.SoftmaxLoss(s, focal.Options{}, o, focal.SoftmaxInput[float64, int]{Logits: x, Layout: lay, Labels: labels})
		return err
	}
	cases := []struct {
		name string
		want error
		call func(o focal.Outputs[float64]) error
	}{
		{"targets length", focal.ErrLength, func(o focal.Outputs[float64]) error {
			return sigmoid(paper, o, focal.Input[float64]{Logits: x, Targets: y[:2]})
		}},
		{"target above 1", focal.ErrTarget, func(o focal.Outputs[float64]) error {
			return sigmoid(paper, o, focal.Input[float64]{Logits: x, Targets: []float64{0, 1.5, 0}})
		}},
		{"NaN target", focal.ErrTarget, func(o focal.Outputs[float64]) error {
			return sigmoid(paper, o, focal.Input[float64]{Logits: x, Targets: []float64{0, 0, math.NaN()}})
		}},
		{"negative weight", focal.ErrWeight, func(o focal.Outputs[float64]) error {
			return sigmoid(paper, o, focal.Input[float64]{Logits: x, Targets: y, Weights: []float64{1, -1, 1}})
		}},
		{"alpha above 1", focal.ErrAlpha, func(o focal.Outputs[float64]) error {
			return sigmoid(focal.Sigmoid{Alpha: 1.5, Gamma: 2}, o, focal.Input[float64]{Logits: x, Targets: y})
		}},
		{"negative alpha", focal.ErrAlpha, func(o focal.Outputs[float64]) error {
			return sigmoid(focal.Sigmoid{Alpha: -1, Gamma: 2}, o, focal.Input[float64]{Logits: x, Targets: y})
		}},
		{"NaN alpha", focal.ErrAlpha, func(o focal.Outputs[float64]) error {
			return sigmoid(focal.Sigmoid{Alpha: math.NaN(), Gamma: 2}, o, focal.Input[float64]{Logits: x, Targets: y})
		}},
		{"negative gamma", focal.ErrGamma, func(o focal.Outputs[float64]) error {
			return sigmoid(focal.Sigmoid{Alpha: 0.25, Gamma: -1}, o, focal.Input[float64]{Logits: x, Targets: y})
		}},
		{"NaN gamma", focal.ErrGamma, func(o focal.Outputs[float64]) error {
			return sigmoid(focal.Sigmoid{Alpha: 0.25, Gamma: math.NaN()}, o, focal.Input[float64]{Logits: x, Targets: y})
		}},
		{"short output", focal.ErrLength, func(o focal.Outputs[float64]) error {
			o.Grad = o.Grad[:2]
			return sigmoid(paper, o, focal.Input[float64]{Logits: x, Targets: y})
		}},
		{"sparse label out of range", focal.ErrLabel, func(o focal.Outputs[float64]) error {
			return sparse(o, 1, []int{0, 1, 0})
		}},
		{"sparse shape", focal.ErrLength, func(o focal.Outputs[float64]) error {
			return sparse(o, 2, []int{0})
		}},
		{"softmax layout", focal.ErrLayout, func(o focal.Outputs[float64]) error {
			return softmax(focal.Softmax{Gamma: 2, IgnoreIndex: focal.DefaultIgnoreIndex}, o, focal.ClassLast(2, 2), []int{0, 1})
		}},
		{"softmax label", focal.ErrLabel, func(o focal.Outputs[float64]) error {
			return softmax(focal.Softmax{Gamma: 2, IgnoreIndex: focal.DefaultIgnoreIndex}, focal.Outputs[float64]{Grad: o.Grad}, focal.ClassLast(1, 3), []int{3})
		}},
		{"softmax smoothing", focal.ErrSmoothing, func(o focal.Outputs[float64]) error {
			return softmax(focal.Softmax{LabelSmoothing: 1}, focal.Outputs[float64]{Grad: o.Grad}, focal.ClassLast(1, 3), []int{0})
		}},
		{"softmax alpha count", focal.ErrAlpha, func(o focal.Outputs[float64]) error {
			return softmax(focal.Softmax{Alpha: []float64{1, 2}}, focal.Outputs[float64]{Grad: o.Grad}, focal.ClassLast(1, 3), []int{0})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := fresh(len(x))
			err := c.call(o)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			if !untouched(o) {
				t.Fatalf("outputs written despite error %v", err)
			}
		})
	}
}

// TestNoAllocations: a call allocates nothing, serial or parallel.
func TestNoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	rng := rand.New(rand.NewPCG(23, 24))
	for _, n := range []int{1000, 400_000} {
		x, y := randomBatch(rng, n, 3, 0.01)
		g := make([]float64, n)
		labels := make([]int32, n/10)
		softmax := focal.Softmax{Gamma: 2, IgnoreIndex: focal.DefaultIgnoreIndex}
		call := func() {
			if _, err := focal.Loss(paper, positives, focal.Outputs[float64]{Grad: g}, focal.Input[float64]{Logits: x, Targets: y}); err != nil {
				t.Fatal(err)
			}
			if _, err := focal.SparseLoss(paper, positives, focal.Outputs[float64]{Grad: g}, focal.SparseInput[float64, int32]{Logits: x, Classes: 10, Labels: labels}); err != nil {
				t.Fatal(err)
			}
			if _, err := focal.SoftmaxLoss(softmax, focal.Options{}, focal.Outputs[float64]{Grad: g}, focal.SoftmaxInput[float64, int32]{Logits: x, Layout: focal.ClassLast(n/10, 10), Labels: labels}); err != nil {
				t.Fatal(err)
			}
		}
		call() // warm the pools and start the workers
		if a := testing.AllocsPerRun(20, call); a != 0 {
			t.Errorf("n = %d: %v allocations per call", n, a)
		}
	}
}

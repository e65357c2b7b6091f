package focalloss

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// normalizerValue returns the running value of the Normalizer variable in
// the default scope of store.
func normalizerValue(t *testing.T, store *model.Store) float64 {
	t.Helper()
	v := store.GetVariable("/" + NormalizerScope + "/" + NormalizerVariable)
	if v == nil {
		t.Fatal("no normalizer variable in the store")
	}
	if v.Trainable {
		t.Error("the normalizer variable is trainable")
	}
	return tensors.MustCopyFlatData[float64](v.MustValue())[0]
}

// batch returns n·c random logits, 0/1 targets with about pPos positives
// and a mask with about a fifth of the elements off.
func normalizerBatch(rng *rand.Rand, n, c int, pPos float64) (x, y []float64, mask, ignore []bool) {
	for range n * c {
		x = append(x, rng.NormFloat64()*3)
		t := 0.0
		if rng.Float64() < pPos {
			t = 1
		}
		y = append(y, t)
		m := rng.IntN(5) != 0
		mask, ignore = append(mask, m), append(ignore, !m)
	}
	return x, y, mask, ignore
}

// Over training steps the variable follows Detectron2's update
// v ← m·v + (1 − m)·max(1, #positives), starting from Init, and each step's
// loss and gradient are the core package's with Options.Normalizer = v:
// the EMA normaliser changes the divisor and nothing else.
func TestNormalizerFollowsDetectronAndMatchesCore(t *testing.T) {
	rng := newRand(31, 7)
	const n, c = 12, 5
	for _, tc := range []struct {
		name  string
		norm  Normalizer
		scale float64 // what AllReduce multiplies the count by (1: none)
	}{
		{"Detectron2", Normalizer{Momentum: 0.9, Init: 100}, 1},
		{"start from the first batch", Normalizer{Momentum: 0.5}, 1},
		{"all-reduced over 3 devices", Normalizer{Momentum: 0.9, Init: 100,
			AllReduce: func(c *graph.Node) *graph.Node { return graph.MulScalar(c, 3) }}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := model.NewStore()
			s, o := retinaNet, focal.Options{Reduction: focal.Positives}
			exec, err := model.NewExec(backend(), store, func(scope *model.Scope, x, y, mask *graph.Node) (*graph.Node, *graph.Node) {
				scope.Store().SetTraining(x.Graph(), true)
				l := Sigmoid(x, y, s, o, Mask(mask), tc.norm)
				return l, graph.Gradient(l, x)[0]
			})
			if err != nil {
				t.Fatal(err)
			}
			want := tc.norm.Init
			for step, pPos := range []float64{0.05, 0, 0.3, 0.1, 0.5, 0.02} {
				x, y, mask, ignore := normalizerBatch(rng, n, c, pPos)
				out, err := exec.Call(tensorOf(x, n, c), tensorOf(y, n, c), tensorOf(mask, n, c))
				if err != nil {
					t.Fatal(err)
				}
				pos := 0
				for i := range y {
					if y[i] > 0 && mask[i] {
						pos++
					}
				}
				count := math.Max(1, tc.scale*float64(pos))
				if want == 0 {
					want = count
				} else {
					want = tc.norm.Momentum*want + (1-tc.norm.Momentum)*count
				}
				got := normalizerValue(t, store)
				if !close(got, want, 1e-12, 0) {
					t.Fatalf("step %d (%d positives): normalizer %v, want %v", step, pos, got, want)
				}
				coreVal, coreGrad := coreFamily(t, s, focal.Options{Reduction: focal.Positives, Normalizer: want}, x, y, nil, ignore)
				compare(t, "loss", tensors.MustCopyFlatData[float64](out[0]), coreVal, 0)
				compare(t, "grad", tensors.MustCopyFlatData[float64](out[1]), coreGrad, gradAbs)
			}
		})
	}
}

// With Mean the running count is that of the unmasked positions (softmax)
// or elements; outside training the variable is read, not updated.
func TestNormalizerMeanAndEvaluation(t *testing.T) {
	rng := newRand(5, 50)
	const n = 20
	x, labels := make([]float64, n*nClasses), make([]int64, n)
	for i := range x {
		x[i] = rng.NormFloat64() * 2
	}
	for i := range labels {
		labels[i] = int64(rng.IntN(nClasses))
	}
	mask := make([]bool, n)
	kept := 0
	masked := make([]int64, n)
	for i := range mask {
		mask[i] = i%4 != 0
		masked[i] = labels[i]
		if mask[i] {
			kept++
		} else {
			masked[i] = focal.DefaultIgnoreIndex
		}
	}
	s := focal.Softmax{Gamma: 2, IgnoreIndex: focal.DefaultIgnoreIndex}
	norm := Normalizer{Momentum: 0.8, Init: 4}
	store := model.NewStore()
	training := true
	exec, err := model.NewExec(backend(), store, func(scope *model.Scope, x, y, m *graph.Node) (*graph.Node, *graph.Node) {
		scope.Store().SetTraining(x.Graph(), training)
		l := Softmax(x, y, s, focal.Options{}, Mask(m), norm)
		return l, graph.Gradient(l, x)[0]
	})
	if err != nil {
		t.Fatal(err)
	}
	run := func() (val, grad []float64) {
		out, err := exec.Call(tensorOf(x, n, nClasses), tensorOf(labels, n), tensorOf(mask, n))
		if err != nil {
			t.Fatal(err)
		}
		return tensors.MustCopyFlatData[float64](out[0]), tensors.MustCopyFlatData[float64](out[1])
	}
	run()
	want := 0.8*4 + 0.2*float64(kept)
	if got := normalizerValue(t, store); !close(got, want, 1e-12, 0) {
		t.Fatalf("normalizer %v, want %v", got, want)
	}
	want = normalizerValue(t, store)
	// An evaluation graph (a new exec: the graphs of exec are cached).
	training = false
	exec.Finalize()
	exec, err = model.NewExec(backend(), store, func(scope *model.Scope, x, y, m *graph.Node) (*graph.Node, *graph.Node) {
		scope.Store().SetTraining(x.Graph(), training)
		l := Softmax(x, y, s, focal.Options{}, Mask(m), norm)
		return l, graph.Gradient(l, x)[0]
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		val, grad := run()
		if got := normalizerValue(t, store); got != want {
			t.Fatalf("evaluation changed the normalizer to %v (was %v)", got, want)
		}
		wantVal, wantGrad := coreSoftmax(t, s, focal.Options{Normalizer: want}, x, masked, nil)
		compare(t, "loss", val, wantVal, 0)
		compare(t, "grad", grad, wantGrad, gradAbs)
	}
}

// Divisor called again in the same training graph (a box-regression loss
// next to the classification loss) returns the updated value without
// updating it twice.
func TestNormalizerDivisorOncePerGraph(t *testing.T) {
	store := model.NewStore()
	norm := Normalizer{Momentum: 0.9, Init: 100}
	exec, err := model.NewExec(backend(), store, func(scope *model.Scope, count *graph.Node) (*graph.Node, *graph.Node) {
		scope.Store().SetTraining(count.Graph(), true)
		return norm.Divisor(count), norm.Divisor(graph.MulScalar(count, 7))
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Call(float64(20))
	if err != nil {
		t.Fatal(err)
	}
	first, second := tensors.MustCopyFlatData[float64](out[0])[0], tensors.MustCopyFlatData[float64](out[1])[0]
	want := 0.9*100 + 0.1*20
	if !close(first, want, 1e-12, 0) || second != first || normalizerValue(t, store) != first {
		t.Errorf("divisors %v and %v, variable %v, want all %v", first, second, normalizerValue(t, store), want)
	}
}

// Momentum 0 keeps no variable: it works in a plain graph, as the batch's
// own count (all-reduced when asked), equal to the core's Normalizer.
func TestNormalizerWithoutMomentumNeedsNoStore(t *testing.T) {
	rng := newRand(2, 2)
	const n, c = 10, 3
	x, y, mask, ignore := normalizerBatch(rng, n, c, 0.2)
	pos := 0
	for i := range y {
		if y[i] > 0 && mask[i] {
			pos++
		}
	}
	twice := Normalizer{AllReduce: func(c *graph.Node) *graph.Node { return graph.MulScalar(c, 2) }}
	val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node {
		return Sigmoid(in[0], in[1], retinaNet, focal.Options{Reduction: focal.Positives}, Mask(in[2]), twice)
	}, x, []int{n, c}, tensorOf(y, n, c), tensorOf(mask, n, c))
	wantVal, wantGrad := coreFamily(t, retinaNet, focal.Options{Reduction: focal.Positives, Normalizer: math.Max(1, 2*float64(pos))}, x, y, nil, ignore)
	compare(t, "loss", val, wantVal, 0)
	compare(t, "grad", grad, wantGrad, gradAbs)
}

// A running average needs a model.Store, and its scope must be the
// graph's store's: otherwise the graph's execution returns an error.
func TestNormalizerStoreErrors(t *testing.T) {
	x := []float64{1, -1}
	_, _, err := tryEvalGrad(func(in []*graph.Node) *graph.Node {
		return Sigmoid(in[0], in[1], retinaNet, focal.Options{Reduction: focal.Positives}, Normalizer{Momentum: 0.9})
	}, x, []int{2}, tensorOf([]float64{1, 0}, 2))
	wantErr(t, "without a store", err, focal.ErrNormalizer)
	other := model.NewStore().RootScope()
	exec, err := model.NewExec(backend(), model.NewStore(), func(scope *model.Scope, x, y *graph.Node) *graph.Node {
		return Sigmoid(x, y, retinaNet, focal.Options{Reduction: focal.Positives}, Normalizer{Momentum: 0.9, Scope: other})
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = exec.Call(x, []float64{1, 0})
	wantErr(t, "scope of another store", err, focal.ErrNormalizer)
}

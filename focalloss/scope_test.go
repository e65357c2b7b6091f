package focalloss

import (
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/loss"
)

// sameLoss fails t unless a and b give the same value and gradient on
// logits x [n, C] against labels (the inputs after x).
func sameLoss(t *testing.T, what string, a, b loss.LossFn, x []float64, dims []int, labels ...any) {
	t.Helper()
	va, ga := evalGrad(t, func(in []*graph.Node) *graph.Node { return a(in[1:], in[:1]) }, x, dims, labels...)
	vb, gb := evalGrad(t, func(in []*graph.Node) *graph.Node { return b(in[1:], in[:1]) }, x, dims, labels...)
	compare(t, what+" loss", va, vb, 0)
	compare(t, what+" grad", ga, gb, 0)
}

// The FromScope constructors are the Make constructors with the
// documented defaults, and with the hyperparameters set in the scope (or
// a parent scope) when they are.
func TestFromScopeReadsHyperparameters(t *testing.T) {
	rng := newRand(40, 4)
	const n, C = 10, 3
	x := make([]float64, n*C)
	y := make([]float64, n*C)
	for i := range x {
		x[i] = rng.NormFloat64() * 3
		y[i] = float64(rng.IntN(2))
	}
	labels := make([]int32, n)
	onehot := make([]float64, n*C)
	for i := range labels {
		labels[i] = int32(rng.IntN(C))
		onehot[i*C+int(labels[i])] = 1
	}
	dims := []int{n, C}
	yt, lt, ot := tensorOf(y, n, C), tensorOf(labels, n), tensorOf(onehot, n, C)

	root := model.NewStore().RootScope()
	sameLoss(t, "sigmoid defaults", MakeSigmoidFromScope(root), BinaryFocal, x, dims, yt)
	sameLoss(t, "sparse defaults", MakeSparseFromScope(root), MakeSparse(retinaNet, focal.Options{Reduction: focal.Positives}), x, dims, lt)
	sameLoss(t, "softmax defaults", MakeSoftmaxFromScope(root), SparseCategoricalFocal, x, dims, lt)
	sameLoss(t, "categorical defaults", MakeCategoricalFromScope(root), CategoricalFocal, x, dims, ot)

	store := model.NewStore()
	store.SetParams(map[string]any{
		ParamAlpha:          0.5,
		ParamGamma:          1, // an int, as a --set flag may leave it
		ParamReduction:      "sum",
		ParamLabelSmoothing: float32(0.125),
	})
	sub := store.RootScope().In("head") // parameters are looked up in the parents too
	sameLoss(t, "sigmoid set", MakeSigmoidFromScope(sub), MakeSigmoid(focal.Sigmoid{Alpha: 0.5, Gamma: 1}, focal.Options{Reduction: focal.Sum}), x, dims, yt)
	soft := focal.Softmax{Alpha: []float64{0.5}, Gamma: 1, LabelSmoothing: 0.125}
	sameLoss(t, "categorical set", MakeCategoricalFromScope(sub), MakeCategorical(soft, focal.Options{Reduction: focal.Sum}), x, dims, ot)
	soft.IgnoreIndex = focal.DefaultIgnoreIndex
	sameLoss(t, "softmax set", MakeSoftmaxFromScope(sub), MakeSoftmax(soft, focal.Options{Reduction: focal.Sum}), x, dims, lt)
}

// The Normalizer's momentum and initial value come from the scope too;
// its variable lives under the scope.
func TestFromScopeNormalizer(t *testing.T) {
	store := model.NewStore()
	store.SetParams(map[string]any{ParamNormalizerMomentum: 0.9, ParamNormalizerInit: 100.0})
	fn := MakeSigmoidFromScope(store.RootScope())
	exec, err := model.NewExec(backend(), store, func(scope *model.Scope, x, y *graph.Node) *graph.Node {
		scope.Store().SetTraining(x.Graph(), true)
		return fn([]*graph.Node{y}, []*graph.Node{x})
	})
	if err != nil {
		t.Fatal(err)
	}
	x, y := []float64{2, -1, 0.5, 3, -2, 1}, []float64{1, 0, 1, 1, 0, 0} // 3 positives
	for step, want := range []float64{0.9*100 + 0.1*3, 0.9*(0.9*100+0.1*3) + 0.1*3} {
		out, err := exec.Call(tensorOf(x, 6), tensorOf(y, 6))
		if err != nil {
			t.Fatal(err)
		}
		got := normalizerValue(t, store)
		if !close(got, want, 1e-12, 0) {
			t.Fatalf("step %d: normalizer %v, want %v", step, got, want)
		}
		coreVal, _ := coreFamily(t, retinaNet, focal.Options{Reduction: focal.Positives, Normalizer: got}, x, y, nil, nil)
		compare(t, "loss", tensors.MustCopyFlatData[float64](out[0]), coreVal, 0)
	}
}

// Bad hyperparameters panic at construction, naming the parameter and
// wrapping the core's sentinel.
func TestFromScopeRejectsBadHyperparameters(t *testing.T) {
	for _, c := range []struct {
		name   string
		params map[string]any
		make   func(*model.Scope, ...Option) loss.LossFn
		want   error
	}{
		{"γ < 0", map[string]any{ParamGamma: -1.0}, MakeSigmoidFromScope, focal.ErrGamma},
		{"α > 1 (sigmoid)", map[string]any{ParamAlpha: 1.5}, MakeSparseFromScope, focal.ErrAlpha},
		{"α < 0 (softmax)", map[string]any{ParamAlpha: -0.5}, MakeSoftmaxFromScope, focal.ErrAlpha},
		{"unknown reduction", map[string]any{ParamReduction: "average"}, MakeCategoricalFromScope, focal.ErrReduction},
		{"reduction not a string", map[string]any{ParamReduction: 2}, MakeSigmoidFromScope, focal.ErrReduction},
		{"γ a string", map[string]any{ParamGamma: "2"}, MakeSoftmaxFromScope, focal.ErrParam},
		{"smoothing 1", map[string]any{ParamLabelSmoothing: 1.0}, MakeCategoricalFromScope, focal.ErrSmoothing},
		{"momentum 1", map[string]any{ParamNormalizerMomentum: 1.0}, MakeSigmoidFromScope, focal.ErrNormalizer},
		{"momentum with sum", map[string]any{ParamNormalizerMomentum: 0.9, ParamReduction: "sum"}, MakeSigmoidFromScope, focal.ErrNormalizer},
	} {
		store := model.NewStore()
		store.SetParams(c.params)
		wantErr(t, c.name+": panic", panicErr(func() { c.make(store.RootScope()) }), c.want)
	}
}

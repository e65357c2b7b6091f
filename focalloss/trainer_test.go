package focalloss

import (
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// linearModel is a linear layer [batch, f] → [batch, out].
func linearModel(out int) func(scope *model.Scope, spec any, inputs []*graph.Node) []*graph.Node {
	return func(scope *model.Scope, spec any, inputs []*graph.Node) []*graph.Node {
		x := inputs[0]
		g := x.Graph()
		w := scope.VariableWithShape("w", shapes.Make(x.DType(), x.Shape().Dimensions[1], out)).NodeValue(g)
		b := scope.VariableWithShape("b", shapes.Make(x.DType(), out)).NodeValue(g)
		y := graph.MatMul(x, w)
		return []*graph.Node{graph.Add(y, graph.ExpandLeftToRank(b, y.Rank()))}
	}
}

// trainSteps trains with GoMLX's own Trainer on one batch (inputs and
// labels make fresh tensors: the Trainer takes them over) and returns the
// first and the last loss.
func trainSteps(t *testing.T, lossFn loss.LossFn, out, steps int, inputs, labels func() []*tensors.Tensor) (first, last float64) {
	t.Helper()
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(1))
	tr := train.NewTrainer(backend(), store, linearModel(out), lossFn, optimizer.Adam().LearningRate(0.1).Done(), nil, nil)
	for i := range steps {
		m, err := tr.TrainStep(train.Batch{Inputs: inputs(), Labels: labels()})
		if err != nil {
			t.Fatal(err)
		}
		v := tensors.MustCopyFlatData[float32](m[0])[0]
		if i == 0 {
			first = float64(v)
		}
		last = float64(v)
	}
	return first, last
}

// The loss functions are drop-in for GoMLX's train.Trainer, extra labels
// included: a linear model on separable, imbalanced data learns with each.
func TestLossFunctionsTrainWithGoMLXTrainer(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	const n = 200
	x := make([]float32, 2*n)
	yBin := make([]float32, n)
	yCls := make([]int32, n)
	mask := make([]bool, n)
	for i := range n {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		x[2*i], x[2*i+1] = float32(a), float32(b)
		if a+b > 2 { // ≈ 8% positives
			yBin[i] = 1
		}
		switch {
		case a > 0.5:
			yCls[i] = 2
		case b > 0:
			yCls[i] = 1
		}
		mask[i] = i%10 != 0
	}
	in := func() []*tensors.Tensor { return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(x, n, 2)} }
	focalFn := MakeSigmoid(focal.Sigmoid{Alpha: 0.25, Gamma: 2}, focal.Options{Reduction: focal.Positives})
	softFn := MakeSoftmax(focal.Softmax{Gamma: 2, IgnoreIndex: -100}, focal.Options{Reduction: focal.Mean})
	binLabels := func() []*tensors.Tensor {
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(yBin, n, 1), tensors.FromFlatDataAndDimensions(mask, n, 1)}
	}
	clsLabels := func() []*tensors.Tensor {
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(yCls, n, 1), tensors.FromFlatDataAndDimensions(mask, n)}
	}
	for _, c := range []struct {
		name   string
		fn     loss.LossFn
		out    int
		labels func() []*tensors.Tensor
	}{
		{"sigmoid focal", focalFn, 1, binLabels},
		{"BCE", BCE, 1, binLabels},
		{"softmax focal", softFn, 3, clsLabels},
	} {
		first, last := trainSteps(t, c.fn, c.out, 60, in, c.labels)
		t.Logf("%s: loss %.4g → %.4g", c.name, first, last)
		if !(last < first/4) {
			t.Errorf("%s: loss %v → %v after 60 Adam steps, want at least a 4× drop", c.name, first, last)
		}
	}
}

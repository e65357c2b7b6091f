package focalloss

import (
	"math"
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
	rng := newRand(11, 11)
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

// detector is a small fully-convolutional detector of the demo's kind:
// 3×3 convolutions written as im2col (zero blocks concatenated around the
// image, shifted slices concatenated along channels, one MatMul), ReLU, and
// a 1×1 head whose bias starts at RetinaNet's prior π = 0.01. Images are
// [B, H, W, 1]; the result is one objectness logit per pixel, [B, H, W, 1].
func detector(scope *model.Scope, _ any, inputs []*graph.Node) []*graph.Node {
	x := inputs[0]
	for i, ch := range []int{8, 8} {
		c := conv3x3(scope.In("conv%d", i), x, ch)
		x = graph.Max(c, graph.ZerosLike(c))
	}
	d := x.Shape().Dimensions
	w := scope.VariableWithShape("head_w", shapes.Make(x.DType(), d[3], 1)).NodeValue(x.Graph())
	b := scope.VariableWithValue("head_b", []float32{float32(-math.Log((1 - 0.01) / 0.01))}).NodeValue(x.Graph())
	y := graph.Add(graph.MatMul(graph.Reshape(x, d[0]*d[1]*d[2], d[3]), w), graph.Reshape(b, 1, 1))
	return []*graph.Node{graph.Reshape(y, d[0], d[1], d[2], 1)}
}

// conv3x3 is a "same" 3×3 convolution of x [B, H, W, Cin] to cout channels.
func conv3x3(scope *model.Scope, x *graph.Node, cout int) *graph.Node {
	g, d := x.Graph(), x.Shape().Dimensions
	side := graph.Zeros(g, shapes.Make(x.DType(), d[0], d[1], 1, d[3]))
	p := graph.Concatenate([]*graph.Node{side, x, side}, 2)
	top := graph.Zeros(g, shapes.Make(x.DType(), d[0], 1, d[2]+2, d[3]))
	p = graph.Concatenate([]*graph.Node{top, p, top}, 1)
	var cols []*graph.Node
	for dy := range 3 {
		for dx := range 3 {
			cols = append(cols, graph.Slice(p, graph.AxisRange(), graph.AxisRange(dy, dy+d[1]), graph.AxisRange(dx, dx+d[2])))
		}
	}
	w := scope.VariableWithShape("w", shapes.Make(x.DType(), 9*d[3], cout)).NodeValue(g)
	b := scope.VariableWithShape("b", shapes.Make(x.DType(), cout)).NodeValue(g)
	out := graph.MatMul(graph.Reshape(graph.Concatenate(cols, 3), d[0]*d[1]*d[2], 9*d[3]), w)
	return graph.Reshape(graph.Add(out, graph.Reshape(b, 1, cout)), d[0], d[1], d[2], cout)
}

// scenes returns n noisy 16×16 images, each with one to three bright 3×3
// squares and as many bright single pixels (hard negatives), and the
// targets: 1 at the centre of each square, 0 elsewhere.
func scenes(rng *rand.Rand, n int) (images, targets []float32, positives int) {
	const size = 16
	images, targets = make([]float32, n*size*size), make([]float32, n*size*size)
	for b := range n {
		img, tg := images[b*size*size:], targets[b*size*size:]
		for i := range size * size {
			img[i] = float32(rng.NormFloat64() * 0.2)
		}
		for range 1 + rng.IntN(3) {
			cy, cx := 1+rng.IntN(size-2), 1+rng.IntN(size-2)
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					img[(cy+dy)*size+cx+dx] += 1
				}
			}
			if tg[cy*size+cx] == 0 {
				tg[cy*size+cx] = 1
				positives++
			}
			img[rng.IntN(size*size)] += 1.5
		}
	}
	return images, targets, positives
}

// The EMA normaliser trains a detector under GoMLX's own train.Trainer:
// the variable follows Detectron2's update at every step, and the focal
// loss of held-out scenes falls.
func TestNormalizerTrainsDetectorWithTrainer(t *testing.T) {
	rng := newRand(1, 2)
	const batch, steps = 8, 80
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(3))
	norm := Normalizer{Momentum: 0.9, Init: 100}
	lossFn := MakeSigmoid(focal.Sigmoid{Alpha: 0.25, Gamma: 2}, focal.Options{Reduction: focal.Positives}, norm)
	tr := train.NewTrainer(backend(), store, detector, lossFn, optimizer.Adam().LearningRate(0.02).Done(), nil, nil)

	heldImages, heldTargets, _ := scenes(rng, 16)
	predict, err := model.NewExec(backend(), store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return detector(scope, nil, []*graph.Node{x})[0]
	})
	if err != nil {
		t.Fatal(err)
	}
	heldLoss := func() float64 {
		out, err := predict.Call(tensors.FromFlatDataAndDimensions(heldImages, 16, 16, 16, 1))
		if err != nil {
			t.Fatal(err)
		}
		tot, err := focal.Loss(focal.Sigmoid{Alpha: 0.25, Gamma: 2}, focal.Options{Reduction: focal.Sum}, focal.Outputs[float32]{},
			focal.Input[float32]{Logits: tensors.MustCopyFlatData[float32](out[0]), Targets: heldTargets})
		if err != nil {
			t.Fatal(err)
		}
		return tot.Value()
	}
	before := heldLoss()

	want := norm.Init
	for step := range steps {
		images, targets, pos := scenes(rng, batch)
		_, err := tr.TrainStep(train.Batch{
			Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(images, batch, 16, 16, 1)},
			Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(targets, batch, 16, 16, 1)},
		})
		if err != nil {
			t.Fatal(err)
		}
		want = 0.9*want + 0.1*math.Max(1, float64(pos))
		if got := normalizerValue(t, store); !close(got, want, 1e-9, 0) {
			t.Fatalf("step %d: normalizer %v, want %v", step, got, want)
		}
	}
	after := heldLoss()
	t.Logf("held-out focal loss (sum) %.4g → %.4g; normalizer %.4g", before, after, want)
	if !(after < before/3) {
		t.Errorf("held-out focal loss %v → %v after %d steps, want at least a 3× drop", before, after, steps)
	}
}

package demo

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// A model holds the network's parameters, its Adam state and the compiled
// training and inference graphs of one run.
type model struct {
	params Params
	shapes [][]int
	m, v   [][]float32 // Adam moments
	t      int         // Adam step count
	lr     float64

	step  *graph.Exec // params…, images, targets → loss, gradients…
	infer *graph.Exec // params…, images → logits
}

// Adam's constants (Kingma & Ba 2015), the usual defaults.
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// newModel compiles the training graph of loss l and the inference graph.
func newModel(backend compute.Backend, params Params, l Loss, lr float64) (*model, error) {
	md := &model{params: params, shapes: paramShapes(), lr: lr}
	for _, p := range params {
		md.m = append(md.m, make([]float32, len(p)))
		md.v = append(md.v, make([]float32, len(p)))
	}
	np := len(params)
	var err error
	md.step, err = graph.NewExec(backend, func(in []*graph.Node) []*graph.Node {
		ps, images, targets := in[:np], in[np], in[np+1]
		loss := l.lossGraph(forward(images, ps), targets)
		return append([]*graph.Node{loss}, graph.Gradient(loss, ps...)...)
	})
	if err != nil {
		return nil, err
	}
	md.infer, err = graph.NewExec(backend, func(in []*graph.Node) *graph.Node {
		return forward(in[np], in[:np])
	})
	if err != nil {
		return nil, err
	}
	return md, nil
}

// paramTensors returns the parameters as tensors, in Params order.
func (md *model) paramTensors() []any {
	args := make([]any, len(md.params))
	for i, p := range md.params {
		args[i] = tensors.FromFlatDataAndDimensions(p, md.shapes[i]...)
	}
	return args
}

// trainStep runs one Adam step on a batch of images [n·size·size] and
// targets [n·(size/Stride)²] and returns the loss before the step.
func (md *model) trainStep(images, targets []float32, n, size int) (float64, error) {
	g := size / Stride
	args := append(md.paramTensors(),
		tensors.FromFlatDataAndDimensions(images, n, size, size),
		tensors.FromFlatDataAndDimensions(targets, n, g, g))
	out, err := md.step.Exec(args...)
	if err != nil {
		return 0, err
	}
	loss := float64(tensors.MustCopyFlatData[float32](out[0])[0])
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, fmt.Errorf("training diverged: loss = %v at step %d", loss, md.t+1)
	}
	md.t++
	c1 := 1 - math.Pow(adamBeta1, float64(md.t))
	c2 := 1 - math.Pow(adamBeta2, float64(md.t))
	for i, p := range md.params {
		grad := tensors.MustCopyFlatData[float32](out[i+1])
		m, v := md.m[i], md.v[i]
		for j, gj := range grad {
			m[j] = adamBeta1*m[j] + (1-adamBeta1)*gj
			v[j] = adamBeta2*v[j] + (1-adamBeta2)*gj*gj
			mh := float64(m[j]) / c1
			vh := float64(v[j]) / c2
			p[j] -= float32(md.lr * mh / (math.Sqrt(vh) + adamEps))
		}
	}
	for _, t := range out {
		t.FinalizeAll()
	}
	return loss, nil
}

// predict returns the objectness logits [n·(size/Stride)²] of n images.
func (md *model) predict(images []float32, n, size int) ([]float32, error) {
	args := append(md.paramTensors(), tensors.FromFlatDataAndDimensions(images, n, size, size))
	out, err := md.infer.Exec(args...)
	if err != nil {
		return nil, err
	}
	logits := tensors.MustCopyFlatData[float32](out[0])
	out[0].FinalizeAll()
	return logits, nil
}

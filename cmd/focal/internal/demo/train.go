package demo

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// A model holds the network's parameters, its Adam state and the compiled
// training and inference graphs of one run.
type model struct {
	task   taskShape
	params Params
	shapes [][]int
	m, v   [][]float32 // Adam moments
	t      int         // Adam step count

	step  *graph.Exec // params…, images, targets[, use] → loss, gradients…
	infer *graph.Exec // params…, images → logits
}

// Adam's constants (Kingma & Ba 2015), the usual defaults.
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// A batch is the input of one training step: n scenes of size×size
// pixels, their targets and, in the anchors task, which anchors are used.
type batch struct {
	n, size int
	images  []float32
	targets []float32
	use     []bool // nil in the cells task
}

// newModel compiles the training graph of loss l and the inference graph
// for task ts.
func newModel(backend compute.Backend, ts taskShape, params Params, l Loss) (*model, error) {
	md := &model{task: ts, params: params, shapes: paramShapes(ts.heads())}
	for _, p := range params {
		md.m = append(md.m, make([]float32, len(p)))
		md.v = append(md.v, make([]float32, len(p)))
	}
	np := len(params)
	var err error
	md.step, err = graph.NewExec(backend, func(in []*graph.Node) []*graph.Node {
		ps, images, targets := in[:np], in[np], in[np+1]
		var use *graph.Node
		if ts.anchors > 0 {
			use = in[np+2]
		}
		loss := l.lossGraph(ts.logits(forward(images, ps, ts.heads())), targets, use)
		return append([]*graph.Node{loss}, graph.Gradient(loss, ps...)...)
	})
	if err != nil {
		return nil, err
	}
	md.infer, err = graph.NewExec(backend, func(in []*graph.Node) *graph.Node {
		return forward(in[np], in[:np], ts.heads())
	})
	if err != nil {
		return nil, err
	}
	return md, nil
}

// finalize frees the compiled graphs.
func (md *model) finalize() {
	md.step.Finalize()
	md.infer.Finalize()
}

// paramTensors returns the parameters as tensors, in Params order.
func (md *model) paramTensors() []any {
	args := make([]any, len(md.params))
	for i, p := range md.params {
		args[i] = tensors.FromFlatDataAndDimensions(p, md.shapes[i]...)
	}
	return args
}

// trainStep runs one Adam step of learning rate lr on b and returns the
// loss before the step.
func (md *model) trainStep(b *batch, lr float64) (float64, error) {
	g := b.size / Stride
	args := append(md.paramTensors(),
		tensors.FromFlatDataAndDimensions(b.images, b.n, b.size, b.size),
		tensors.FromFlatDataAndDimensions(b.targets, md.task.targetDims(b.n, g)...))
	if md.task.anchors > 0 {
		args = append(args, tensors.FromFlatDataAndDimensions(b.use, b.n, g, g, md.task.anchors))
	}
	out, err := md.step.Exec(args...)
	if err != nil {
		return 0, err
	}
	defer func() {
		for _, t := range out {
			t.FinalizeAll()
		}
	}()
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
			p[j] -= float32(lr * mh / (math.Sqrt(vh) + adamEps))
		}
	}
	return loss, nil
}

// predict returns the logits of n images of size×size pixels, g·g·heads
// per image, in batches of at most 50.
func (md *model) predict(images []float32, n, size int) ([]float32, error) {
	const chunk = 50
	var out []float32
	for i := 0; i < n; i += chunk {
		k := min(chunk, n-i)
		args := append(md.paramTensors(), tensors.FromFlatDataAndDimensions(images[i*size*size:(i+k)*size*size], k, size, size))
		res, err := md.infer.Exec(args...)
		if err != nil {
			return nil, err
		}
		out = append(out, tensors.MustCopyFlatData[float32](res[0])...)
		res[0].FinalizeAll()
	}
	return out, nil
}

// snapshot returns a copy of the parameters.
func (md *model) snapshot() Params {
	p := make(Params, len(md.params))
	for i := range p {
		p[i] = slices.Clone(md.params[i])
	}
	return p
}

// stepLR is the learning rate of step t (0-based) of a run of steps steps
// from base: with decay, the paper's schedule (Lin et al. 2017, §4.1: ÷10
// at 60k and 80k of 90k iterations), ÷10 after 2/3 and again after 8/9 of
// the steps.
func stepLR(base float64, t, steps int, decay bool) float64 {
	if !decay {
		return base
	}
	switch {
	case 9*t >= 8*steps:
		return base / 100
	case 3*t >= 2*steps:
		return base / 10
	}
	return base
}

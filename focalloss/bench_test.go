package focalloss

import (
	"testing"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/internal/workload"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train/loss"
)

// benchLossGrad times loss and gradient of fn on the n logits and targets
// of the core package's benchmark workload (float32, 1% positives).
func benchLossGrad(b *testing.B, n int, fn func(x, y *graph.Node) *graph.Node) {
	w := workload.NewWorkload(n)
	benchGraph(b, fn, tensorOf(w.X, n), tensorOf(w.Y, n), 4*n)
}

// benchGraph times one execution of the compiled loss-and-gradient graph
// of fn on logits x of size bytes and targets y, compiled outside the
// timing.
func benchGraph(b *testing.B, fn func(x, y *graph.Node) *graph.Node, x, y *tensors.Tensor, bytes int) {
	e, err := graph.NewExec(backend(), func(x, y *graph.Node) (*graph.Node, *graph.Node) {
		l := fn(x, y)
		return l, graph.Gradient(l, x)[0]
	})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Finalize()
	if _, err := e.Call(x, y); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	b.SetBytes(int64(bytes))
	b.ResetTimer()
	for range b.N {
		out, err := e.Call(x, y)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range out {
			t.FinalizeAll()
		}
	}
}

func focalGraph(x, y *graph.Node) *graph.Node {
	return Sigmoid(x, y, retinaNet, focal.Options{Reduction: focal.Positives})
}
func bceGraph(x, y *graph.Node) *graph.Node { return BCE([]*graph.Node{y}, []*graph.Node{x}) }
func gomlxBCEGraph(x, y *graph.Node) *graph.Node {
	return loss.BinaryCrossentropyLogits([]*graph.Node{y}, []*graph.Node{x})
}

// Side by side: the focal loss, our BCE, and GoMLX's own BCE (float32 all
// the way) — the price of the stable form and of computing in float64.
func BenchmarkSigmoidFocalLossSmall(b *testing.B) { benchLossGrad(b, 1<<12, focalGraph) }
func BenchmarkSigmoidFocalLossLarge(b *testing.B) { benchLossGrad(b, 1<<18, focalGraph) }
func BenchmarkBCESmall(b *testing.B)              { benchLossGrad(b, 1<<12, bceGraph) }
func BenchmarkBCELarge(b *testing.B)              { benchLossGrad(b, 1<<18, bceGraph) }
func BenchmarkGoMLXBCESmall(b *testing.B)         { benchLossGrad(b, 1<<12, gomlxBCEGraph) }
func BenchmarkGoMLXBCELarge(b *testing.B)         { benchLossGrad(b, 1<<18, gomlxBCEGraph) }

// The core package's fused kernel on the same data, for reference.
func BenchmarkCoreSigmoidFocalLarge(b *testing.B) {
	w := workload.NewWorkload(1 << 18)
	b.SetBytes(int64(4 * len(w.X)))
	for range b.N {
		in := focal.Input[float32]{Logits: w.X, Targets: w.Y}
		if _, err := focal.Loss(retinaNet, focal.Options{Reduction: focal.Positives}, focal.Outputs[float32]{Grad: w.Grad}, in); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSoftmax times loss and gradient of the softmax focal loss on
// [n, 10] float32 logits.
func benchSoftmax(b *testing.B, n int) {
	const c = 10
	rng := newRand(1, 1)
	x, y := make([]float32, n*c), make([]int32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * 3)
	}
	for i := range y {
		y[i] = int32(rng.IntN(c))
	}
	sfl := func(x, y *graph.Node) *graph.Node {
		return Softmax(x, y, focal.Softmax{Gamma: 2, IgnoreIndex: focal.DefaultIgnoreIndex}, focal.Options{Reduction: focal.Mean})
	}
	benchGraph(b, sfl, tensorOf(x, n, c), tensorOf(y, n), 4*n*c)
}

func BenchmarkSoftmaxFocalLossSmall(b *testing.B) { benchSoftmax(b, 256) }
func BenchmarkSoftmaxFocalLossLarge(b *testing.B) { benchSoftmax(b, 1<<14) }

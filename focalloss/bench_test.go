package focalloss

import (
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train/loss"
)

// benchLossGrad times one execution of a compiled loss-and-gradient graph
// on n float32 logits with 0/1 targets (1% positives).
func benchLossGrad(b *testing.B, n int, fn func(x, y *graph.Node) *graph.Node) {
	rng := newRand(1, 1)
	x, y := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * 3)
		if rng.IntN(100) == 0 {
			y[i] = 1
		}
	}
	e, err := graph.NewExec(backend(), func(x, y *graph.Node) (*graph.Node, *graph.Node) {
		l := fn(x, y)
		return l, graph.Gradient(l, x)[0]
	})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Finalize()
	tx, ty := tensors.FromFlatDataAndDimensions(x, n), tensors.FromFlatDataAndDimensions(y, n)
	if _, err := e.Call(tx, ty); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	b.SetBytes(int64(4 * n))
	b.ResetTimer()
	for range b.N {
		out, err := e.Call(tx, ty)
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
	const n = 1 << 18
	rng := newRand(1, 1)
	x, y, g := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * 3)
		if rng.IntN(100) == 0 {
			y[i] = 1
		}
	}
	b.SetBytes(4 * n)
	for range b.N {
		in := focal.Input[float32]{Logits: x, Targets: y}
		if _, err := focal.Loss(retinaNet, focal.Options{Reduction: focal.Positives}, focal.Outputs[float32]{Grad: g}, in); err != nil {
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
	e, err := graph.NewExec(backend(), func(x, y *graph.Node) (*graph.Node, *graph.Node) {
		l := Softmax(x, y, focal.Softmax{Gamma: 2, IgnoreIndex: focal.DefaultIgnoreIndex}, focal.Options{Reduction: focal.Mean})
		return l, graph.Gradient(l, x)[0]
	})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Finalize()
	tx, ty := tensors.FromFlatDataAndDimensions(x, n, c), tensors.FromFlatDataAndDimensions(y, n)
	if _, err := e.Call(tx, ty); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(4 * n * c))
	b.ResetTimer()
	for range b.N {
		out, err := e.Call(tx, ty)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range out {
			t.FinalizeAll()
		}
	}
}

func BenchmarkSoftmaxFocalLossSmall(b *testing.B) { benchSoftmax(b, 256) }
func BenchmarkSoftmaxFocalLossLarge(b *testing.B) { benchSoftmax(b, 1<<14) }

package focal_test

import (
	"fmt"

	"github.com/focalgo/focal"
)

// The usage example of the tutorial "Focal Loss的理解": a 1×3×256×256 tensor of logits in
// [0, 1), all-ones targets, α = 0.25, γ = 2, reduction none. (The article's
// class uses (1 − σ(x))^γ for every target, which is the paper's factor only
// for positives; with all-ones targets the two agree. TestGoldenPyTorch
// checks this case against the article's class run in PyTorch.)
func ExampleLoss_tutorial() {
	const n = 1 * 3 * 256 * 256
	x := make([]float32, n)
	y := make([]float32, n)
	for i := range x {
		x[i] = float32(i%1000) / 1000 // stands in for torch.rand
		y[i] = 1
	}
	loss := make([]float32, n)
	s := focal.Sigmoid{Alpha: 0.25, Gamma: 2}
	if _, err := focal.Loss(s, focal.Options{Reduction: focal.None}, focal.Outputs[float32]{Loss: loss}, focal.Input[float32]{Logits: x, Targets: y}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(loss))
	fmt.Printf("x=0: %.6f  x=0.5: %.6f  x=0.999: %.6f\n", loss[0], loss[500], loss[999])
	// Output:
	// 196608
	// x=0: 0.043322  x=0.5: 0.016893  x=0.999: 0.005678
}

// Fused loss and gradient of the paper's setting: α = 0.25, γ = 2, the sum
// divided by the number of positives. (torchvision's sigmoid_focal_loss,
// summed and divided by 2, gives the same numbers.)
func ExampleLoss() {
	logits := []float64{3, -2, 0.5, -4}
	targets := []float64{1, 0, 0, 1}
	grad := make([]float64, len(logits))
	paper := focal.Sigmoid{Alpha: 0.25, Gamma: 2}
	tot, err := focal.Loss(paper, focal.Options{Reduction: focal.Positives}, focal.Outputs[float64]{Grad: grad},
		focal.Input[float64]{Logits: logits, Targets: targets})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("loss %.5f over %d positives\n", tot.Value(), tot.Positives)
	fmt.Printf("grad %.5f\n", grad)
	// Output:
	// loss 0.62658 over 2 positives
	// grad [-0.00004 0.00183 0.19731 -0.13580]
}

// A detection head's classification loss: 3 anchors × 4 classes, one label
// per anchor (a class, Background or IgnoreLabel).
func ExampleSparseLoss() {
	logits := []float32{
		2.0, -3, -3, -3, // anchor 0: class 0
		-4, -4, -4, -4, // anchor 1: background
		0, 0, 0, 0, // anchor 2: ignored
	}
	labels := []int32{0, focal.Background, focal.IgnoreLabel}
	paper := focal.Sigmoid{Alpha: 0.25, Gamma: 2}
	tot, err := focal.SparseLoss(paper, focal.Options{Reduction: focal.Positives}, focal.Outputs[float32]{},
		focal.SparseInput[float32, int32]{Logits: logits, Classes: 4, Labels: labels})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.5f (%d elements, %d positive anchor)\n", tot.Value(), tot.Count, tot.Positives)
	// Output:
	// 0.00071 (8 elements, 1 positive anchor)
}

// Semantic segmentation: NCHW logits, PyTorch's ignore index.
func ExampleSoftmaxLoss() {
	// N = 1, C = 3, H×W = 1×2: position 0 has logits (2, 0, -1), position 1 (0, 1, 0).
	logits := []float64{2, 0, 0, 1, -1, 0}
	labels := []int{0, focal.DefaultIgnoreIndex}
	loss := make([]float64, 2)
	s := focal.Softmax{Gamma: 2, IgnoreIndex: focal.DefaultIgnoreIndex}
	tot, err := focal.SoftmaxLoss(s, focal.Options{}, focal.Outputs[float64]{Loss: loss},
		focal.SoftmaxInput[float64, int]{Logits: logits, Layout: focal.ClassSecond(1, 3, 1, 2), Labels: labels})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("per position %.5f, mean %.5f over %d label\n", loss, tot.Value(), tot.Count)
	// Output:
	// per position [0.00414 0.00000], mean 0.00414 over 1 label
}

// Data-parallel training: each shard reports its Total; the merged Total
// gives the global loss and the divisor every shard's gradient uses.
func ExampleTotal_Merge() {
	shards := [][2][]float64{
		{{3, -2}, {1, 0}},
		{{0.5, -4}, {0, 1}},
	}
	paper := focal.Sigmoid{Alpha: 0.25, Gamma: 2}
	o := focal.Options{Reduction: focal.Positives}
	var global focal.Total
	for _, sh := range shards { // in practice, on different machines
		t, _ := focal.Loss(paper, o, focal.Outputs[float64]{}, focal.Input[float64]{Logits: sh[0], Targets: sh[1]})
		global = global.Merge(t)
	}
	o.Normalizer = global.Divisor()
	grad := make([]float64, 2)
	focal.Loss(paper, o, focal.Outputs[float64]{Grad: grad}, focal.Input[float64]{Logits: shards[1][0], Targets: shards[1][1]})
	fmt.Printf("loss %.5f, shard 1 grad %.5f\n", global.Value(), grad)
	// Output:
	// loss 0.62658, shard 1 grad [0.19731 -0.13580]
}

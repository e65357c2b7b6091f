package focalloss_test

import (
	"fmt"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/focalloss"
	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/graph"
)

func ExampleSigmoid() {
	exec, err := graph.NewExec(compute.MustNew(), func(logits, targets *graph.Node) (*graph.Node, *graph.Node) {
		// RetinaNet's setting: α = 0.25, γ = 2, divided by the number of positives.
		l := focalloss.Sigmoid(logits, targets, focal.Sigmoid{Alpha: 0.25, Gamma: 2}, focal.Options{Reduction: focal.Positives})
		return l, graph.Gradient(l, logits)[0]
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := exec.Call([]float32{-2, 0.5, 3}, []float32{0, 1, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("loss %.6f\ngrad %.6f\n", out[0].Value(), out[1].Value())

	// The same numbers from the core package.
	g := make([]float32, 3)
	tot, _ := focal.Loss(focal.Sigmoid{Alpha: 0.25, Gamma: 2}, focal.Options{Reduction: focal.Positives},
		focal.Outputs[float32]{Grad: g}, focal.Input[float32]{Logits: []float32{-2, 0.5, 3}, Targets: []float32{0, 1, 1}})
	fmt.Printf("core %.6f\ngrad %.6f\n", tot.Value(), g)
	// Output:
	// loss 0.009137
	// grad [0.001827 -0.017242 -0.000039]
	// core 0.009137
	// grad [0.001827 -0.017242 -0.000039]
}

func ExampleMakeSoftmax_mask() {
	// A loss function for train.NewTrainer: labels[0] holds the class of
	// each example, labels[1:] optionally weights and a bool mask.
	lossFn := focalloss.MakeSoftmax(focal.Softmax{Gamma: 2, IgnoreIndex: -100}, focal.Options{Reduction: focal.Mean})
	exec, err := graph.NewExec(compute.MustNew(), func(logits, labels, mask *graph.Node) *graph.Node {
		return lossFn([]*graph.Node{labels, mask}, []*graph.Node{logits})
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	logits := [][]float32{{2, 0, -1}, {0, 3, 0}, {9, 9, 9}}
	labels := []int32{0, 2, -100} // the last is ignored: mean of 2 losses
	mask := []bool{true, true, true}
	out, err := exec.Call(logits, labels, mask)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.6f\n", out[0].Value())
	// Parameters from users are checked before the constructor, which
	// panics on them as GoMLX's Make functions do.
	fmt.Println(focalloss.ValidateSoftmax(focal.Softmax{Gamma: -1}, focal.Options{}))
	// Output:
	// 1.412573
	// focal: invalid gamma: gamma = -1 (want finite γ ≥ 0)
}

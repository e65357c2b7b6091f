package focalloss

import (
	"math"
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
)

// In float16 and bfloat16, with γ < 1 and logits at the ends of each
// dtype's range, every form gives a finite loss and gradient: the losses
// are computed in float64 and saturate to the narrow dtype's largest value.
func TestLowPrecisionStaysFinite(t *testing.T) {
	for _, dt := range []dtypes.DType{dtypes.Float16, dtypes.BFloat16} {
		big := 60000.0 // float16's largest is 65504
		if dt == dtypes.BFloat16 {
			big = 1e38
		}
		x := []float64{big, -big, 0, 0.5, -big, big, 3, -3} // [2, 2, 2]: NCHW [N=2, C=2, HW=2]
		y := []float64{0, 1, 1, 0, 1, 0, 0, 1}
		onehot := []float64{1, 0, 0, 1, 0, 1, 1, 0}
		labels := []int32{0, 1, 1, 0}
		narrow := func(n *graph.Node) *graph.Node { return graph.ConvertDType(n, dt) }
		wide := func(n *graph.Node) *graph.Node { return graph.ConvertDType(n, dtypes.Float64) }
		none, pos := focal.Options{Reduction: focal.None}, focal.Options{Reduction: focal.Positives}
		for _, c := range []struct {
			name   string
			fn     func(in []*graph.Node) *graph.Node
			labels any
		}{
			{"sigmoid", func(in []*graph.Node) *graph.Node {
				return wide(Sigmoid(narrow(in[0]), in[1], focal.Sigmoid{Alpha: 0.25, Gamma: 0.5}, none))
			}, tensorOf(y, 2, 2, 2)},
			{"sigmoid positives", func(in []*graph.Node) *graph.Node {
				return wide(Sigmoid(narrow(in[0]), in[1], focal.Sigmoid{Gamma: 0.3}, pos, Normalizer{}))
			}, tensorOf(y, 2, 2, 2)},
			{"softmax NCHW", func(in []*graph.Node) *graph.Node {
				return wide(Softmax(narrow(in[0]), in[1], focal.Softmax{Gamma: 0.5}, none, ClassAxis(1)))
			}, tensorOf(labels, 2, 2)},
			{"categorical NCHW", func(in []*graph.Node) *graph.Node {
				return wide(Categorical(narrow(in[0]), in[1], focal.Softmax{Alpha: []float64{0.25}, Gamma: 0.5}, none, ClassAxis(1)))
			}, tensorOf(onehot, 2, 2, 2)},
		} {
			val, grad := evalGrad(t, c.fn, x, []int{2, 2, 2}, c.labels)
			for i, v := range append(val, grad...) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%s %s: output %d = %v, want finite", dt, c.name, i, v)
				}
			}
		}
	}
}

package focalloss

import (
	"math"
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// A finite float32 loss beyond float32's range saturates at its largest
// value, as the core's does, with the gradient of the unsaturated loss.
func TestFloat32PerElementLossSaturates(t *testing.T) {
	big := float32(0.9 * math.MaxFloat32)
	x := []float32{big, -big, 0, 1, 2, 3}
	labels := []int64{1, 0}
	s, o := focal.Softmax{Gamma: 2, IgnoreIndex: -100}, focal.Options{Reduction: focal.None}
	val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Softmax(in[0], in[1], s, o) },
		x, []int{2, 3}, tensorOf(labels, 2))
	if val[0] != math.MaxFloat32 {
		t.Errorf("loss = %v, want the largest float32 %v", val[0], float32(math.MaxFloat32))
	}
	wantVal, wantGrad := coreSoftmax(t, s, o, x, labels, nil)
	compare(t, "loss", val, wantVal, 0)
	compare(t, "grad", grad, wantGrad, gradAbs)
}

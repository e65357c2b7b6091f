package focalloss

import (
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

func TestSparseFocalLossEqualsCore(t *testing.T) {
	t.Run("float64", testSparseEqualsCore[float64])
	t.Run("float32", testSparseEqualsCore[float32])
}

func testSparseEqualsCore[T float](t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const rows, c = 40, 3
	x := make([]T, rows*c)
	for i := range x {
		x[i] = T(rng.NormFloat64() * 4)
	}
	copy(x, []T{0, 1e30, -1e30, 750, -750, 0})
	labels := make([]int32, rows)
	lab64 := make([]int64, rows)
	for i := range labels {
		labels[i] = int32(rng.IntN(c+2)) - 2 // IgnoreLabel, Background or a class
		lab64[i] = int64(labels[i])
	}
	for _, tc := range []struct {
		s focal.Sigmoid
		o focal.Options
	}{
		{retinaNet, focal.Options{Reduction: focal.Positives}},
		{focal.Sigmoid{Alpha: 0.25, Gamma: 0.5}, focal.Options{Reduction: focal.Mean}},
		{focal.Sigmoid{Gamma: 2}, focal.Options{Reduction: focal.None}},
		{focal.Sigmoid{Alpha: 0.75, Gamma: 0}, focal.Options{Reduction: focal.Sum}},
	} {
		s, o := tc.s, tc.o
		val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Sparse(in[0], in[1], s, o) },
			x, []int{rows, c}, tensorOf(labels, rows, 1))
		out := focal.Outputs[T]{Loss: make([]T, len(x)), Grad: make([]T, len(x))}
		tot, err := focal.SparseLoss(s, o, out, focal.SparseInput[T, int64]{Logits: x, Classes: c, Labels: lab64})
		if err != nil {
			t.Fatal(err)
		}
		want := out.Loss
		if o.Reduction != focal.None {
			want = []T{T(tot.Value())}
		}
		compare(t, o.Reduction.String()+" loss", val, want, 0)
		compare(t, o.Reduction.String()+" grad", grad, out.Grad, gradAbs)
	}
}

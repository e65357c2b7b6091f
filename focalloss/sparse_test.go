package focalloss

import (
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

func TestSparseFocalLossEqualsCore(t *testing.T) {
	inBothFloats(t, testSparseEqualsCore[float64], testSparseEqualsCore[float32])
}

func testSparseEqualsCore[T float](t *testing.T) {
	rng := newRand(9, 9)
	const rows, c = 40, 3
	x, labels, lab64 := sparseInputs[T](rng, rows, c)
	copy(x, []T{0, 1e30, -1e30, 750, -750, 0})
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
		want, wantGrad := coreSparse(t, s, o, x, c, lab64)
		compare(t, o.Reduction.String()+" loss", val, want, 0)
		compare(t, o.Reduction.String()+" grad", grad, wantGrad, gradAbs)
	}
}

// sparseInputs returns random logits [rows, c] and their labels, as int32
// and as int64: IgnoreLabel, Background or a class.
func sparseInputs[T float](rng *rand.Rand, rows, c int) (x []T, labels []int32, lab64 []int64) {
	x = make([]T, rows*c)
	for i := range x {
		x[i] = T(rng.NormFloat64() * 4)
	}
	labels = make([]int32, rows)
	lab64 = make([]int64, rows)
	for i := range labels {
		labels[i] = int32(rng.IntN(c+2)) - 2
		lab64[i] = int64(labels[i])
	}
	return x, labels, lab64
}

package focalloss

import (
	"slices"

	"github.com/focalgo/focal"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
)

// Sparse is the sigmoid focal loss of detection heads: logits [..., C]
// (the class axis last, or where ClassAxis says) and one integer label per
// row (anchor, position), of the logits' shape without the class axis or
// with 1 there: a class in [0, C), focal.Background (all C outputs are
// negatives) or focal.IgnoreLabel (the row adds nothing to the loss, the
// counts or the gradient). It equals Sigmoid on the one-hot targets with
// ignored rows masked, and focal.SparseLoss in value and autodiff
// gradient: Mean divides by C times the number of rows not ignored,
// Positives by the number of rows with a class label. With Reduction None
// the result has the shape of logits. Weights and Mask options are per row
// (the labels' shape or a prefix of it).
//
// Labels outside [0, C) that are neither Background nor IgnoreLabel, an
// error in the core, act as Background here (a graph cannot return an
// error on data).
func Sparse(logits, labels *graph.Node, s focal.Sigmoid, o focal.Options, opts ...Option) *graph.Node {
	c := mustConfig(opts)
	a := c.axis(logits)
	dims := logits.Shape().Dimensions
	y := positionLabels(labels, dims, a)
	g := y.Graph()
	onehot := oneHot(y, dims, a)
	keep := graph.NotEqual(y, graph.Scalar(g, dtypes.Int64, int64(focal.IgnoreLabel)))
	posDims := withoutAxis(dims, a)
	w, m := masked(posDims, c.weights, c.mask)
	if m != nil {
		keep = graph.LogicalAnd(keep, m)
	}
	rows := *c
	rows.mask = alongClasses(keep, dims, a)
	rows.weights = nil
	if w != nil {
		rows.weights = alongClasses(w, dims, a)
	}
	elems, err := graphOf(s, o, &rows)
	if err != nil {
		panicf("%w", err)
	}
	return elementwise(logits, onehot, o, &rows, func(x, y *graph.Node) *graph.Node { return elems(newSigParts(x, y), s) })
}

// positionLabels checks that labels are integers with the shape of dims
// without axis a, or with 1 at a, and returns them as int64 without axis a.
func positionLabels(labels *graph.Node, dims []int, a int) *graph.Node {
	if !labels.DType().IsInt() {
		panicf("%w: labels have dtype %s, want an integer dtype", focal.ErrLabel, labels.DType())
	}
	posDims := withoutAxis(dims, a)
	kept := slices.Clone(dims)
	kept[a] = 1
	ld := labels.Shape().Dimensions
	switch {
	case slices.Equal(ld, posDims):
	case slices.Equal(ld, kept):
		labels = graph.Reshape(labels, posDims...)
	default:
		panicf("%w: labels have shape %v, want %v or %v for logits %v with the class axis %d",
			focal.ErrLength, ld, posDims, kept, dims, a)
	}
	// int64, so that sentinel labels compare as in the core whatever the
	// labels' dtype.
	return graph.ConvertDType(labels, dtypes.Int64)
}

// withoutAxis returns dims without axis a.
func withoutAxis(dims []int, a int) []int {
	return slices.Delete(slices.Clone(dims), a, a+1)
}

// classIota returns the class indices 0, …, C−1 (int64) along axis a of a
// tensor of rank len(dims), with 1 on every other axis.
func classIota(g *graph.Graph, dims []int, a int) *graph.Node {
	shape := make([]int, len(dims))
	for i := range shape {
		shape[i] = 1
	}
	shape[a] = dims[a]
	return graph.Iota(g, shapes.Make(dtypes.Int64, shape...), a)
}

// oneHot returns the one-hot (Bool, of dims) of the int64 class indices y,
// of dims without axis a, along axis a.
func oneHot(y *graph.Node, dims []int, a int) *graph.Node {
	return graph.Equal(graph.ExpandAxes(y, a), classIota(y.Graph(), dims, a))
}

// alongClasses broadcasts t, of dims without axis a, over dims.
func alongClasses(t *graph.Node, dims []int, a int) *graph.Node {
	return graph.BroadcastToDims(graph.ExpandAxes(t, a), dims...)
}

package focalloss

import (
	"github.com/focalgo/focal"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	. "github.com/gomlx/gomlx/core/graph"
)

// SparseFocalLoss is the sigmoid focal loss of detection heads: logits
// [..., C] (class axis last) and one integer label per row, of shape [...]
// or [..., 1]: a class in [0, C), focal.Background (all C outputs are
// negatives) or focal.IgnoreLabel (the row adds nothing to the loss, the
// counts or the gradient). It equals SigmoidFocalLoss on the one-hot
// targets with ignored rows masked, and focal.SparseLoss in value and
// autodiff gradient: Mean divides by C times the number of rows not
// ignored, Positives by the number of rows with a class label. With
// Reduction None the result has the shape of logits.
//
// Labels outside [0, C) that are neither Background nor IgnoreLabel, an
// error in the core, act as Background here (a graph cannot return an
// error on data).
func SparseFocalLoss(logits, labels *graph.Node, s focal.Sigmoid, o focal.Options) *graph.Node {
	if logits.Rank() < 1 {
		panicf("%w: logits have shape %s, want [..., C] with the class axis last", focal.ErrLayout, logits.Shape())
	}
	dims := logits.Shape().Dimensions
	C := dims[len(dims)-1]
	y := rowLabels(labels, dims)
	g := y.Graph()
	classShape := shapes.Make(dtypes.Int64, C)
	onehot := Equal(InsertAxes(y, -1), ExpandLeftToRank(Iota(g, classShape, 0), len(dims)))
	keep := NotEqual(y, Scalar(g, dtypes.Int64, int64(focal.IgnoreLabel)))
	return SigmoidFocalLossWeighted(logits, onehot, nil, keep, s, o)
}

// rowLabels checks that labels are integers of shape dims[:-1] or
// dims[:-1]+[1] and returns them as int64 of shape dims[:-1].
func rowLabels(labels *Node, dims []int) *Node {
	if !labels.DType().IsInt() {
		panicf("%w: labels have dtype %s, want an integer dtype", focal.ErrLabel, labels.DType())
	}
	posDims := dims[:len(dims)-1]
	ld := labels.Shape().Dimensions
	switch {
	case equalDims(ld, posDims):
	case len(ld) == len(dims) && ld[len(ld)-1] == 1 && equalDims(ld[:len(ld)-1], posDims):
		labels = Reshape(labels, posDims...)
	default:
		panicf("%w: labels have shape %v, want %v or %v for logits %v", focal.ErrLength, ld, posDims,
			append(posDims[:len(posDims):len(posDims)], 1), dims)
	}
	// int64, so that sentinel labels compare as in the core whatever the
	// labels' dtype.
	return ConvertDType(labels, dtypes.Int64)
}

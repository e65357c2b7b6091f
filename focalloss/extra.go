package focalloss

import (
	"fmt"
	"slices"

	"github.com/focalgo/focal"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
)

// panicf panics with an error, the way GoMLX graph functions report bad
// arguments: executing the graph returns it. Wrap a focal sentinel with %w
// so that callers can test it with errors.Is.
func panicf(format string, args ...any) {
	panic(fmt.Errorf("focalloss: "+format, args...))
}

// splitExtras separates GoMLX's optional extra label tensors, given in any
// order: a float weights tensor and a bool mask. Their shapes are checked
// where they are used (broadcastTo).
func splitExtras(extras []*Node) (weights, mask *Node) {
	for i, t := range extras {
		switch {
		case t.DType() == dtypes.Bool && mask == nil:
			mask = t
		case t.DType().IsFloat() && weights == nil:
			weights = t
		default:
			panicf("%w: labels[%d] has shape %s: the extra labels are at most one float weights tensor and one bool mask",
				focal.ErrLength, i+1, t.Shape())
		}
	}
	return weights, mask
}

// broadcastTo returns t broadcast to dims: t must have dims or a prefix of
// them (per-example weights or masks over [N, …] targets).
func broadcastTo(t *Node, dims []int, what string) *Node {
	td := t.Shape().Dimensions
	if len(td) > len(dims) || !slices.Equal(td, dims[:len(td)]) {
		panicf("%w: %s have shape %v, want %v or a prefix of it", focal.ErrLength, what, td, dims)
	}
	if len(td) == len(dims) {
		return t
	}
	return BroadcastToDims(t, dims...)
}

// masked applies the weights and mask (either may be nil) to per-element
// inputs: it returns the mask broadcast to dims (nil if none) and the weights
// broadcast to dims in the working dtype, 0 where masked (nil if none).
func masked(dims []int, weights, mask *Node) (w, m *Node) {
	if mask != nil {
		if mask.DType() != dtypes.Bool {
			panicf("%w: mask has dtype %s, want Bool", focal.ErrParam, mask.DType())
		}
		m = broadcastTo(mask, dims, "mask")
	}
	if weights != nil {
		w = broadcastTo(toWork(weights, "weights"), dims, "weights")
		if m != nil {
			w = Where(m, w, ZerosLike(w))
		}
	}
	return w, m
}

// reduce finishes per-element losses l (working dtype, 0 where masked) as
// focal.Total.Value does. count and positives are scalars (working dtype)
// of the unmasked elements and positives; o.Normalizer, if positive,
// replaces the divisor of Mean and Positives.
func reduce(l, count, positives *Node, o focal.Options) *Node {
	switch o.Reduction {
	case focal.None:
		return l
	case focal.Sum:
		return ReduceAllSum(l)
	}
	sum := ReduceAllSum(l)
	if o.Normalizer > 0 {
		return DivScalar(sum, o.Normalizer)
	}
	var d *Node
	if o.Reduction == focal.Mean {
		// An all-masked batch has loss 0, not NaN (as Total.Value).
		d = Where(Equal(count, ZerosLike(count)), OnesLike(count), count)
	} else {
		d = MaxScalar(positives, 1.0)
	}
	return Div(sum, StopGradient(d))
}

// countTrue returns the number of true elements of b as a working-dtype
// scalar.
func countTrue(b *Node) *Node {
	return ReduceAllSum(ConvertDType(b, work))
}

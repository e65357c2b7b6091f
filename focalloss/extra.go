package focalloss

import (
	"fmt"
	"slices"

	"github.com/focalgo/focal"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
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
func splitExtras(extras []*graph.Node) (weights, mask *graph.Node) {
	for i, t := range extras {
		switch {
		case t.DType() == dtypes.Bool && mask == nil:
			mask = t
		case t.DType().IsFloat() && weights == nil:
			weights = t
		default:
			panicf("%w: labels[%d] has shape %s: the extra labels are at most one float weights tensor and one bool mask "+
				"(per-class weights are the ClassWeights option)", focal.ErrLength, i+1, t.Shape())
		}
	}
	return weights, mask
}

// broadcastTo returns t broadcast to dims: t must have dims or a prefix of
// them (per-example weights or masks over [N, …] targets).
func broadcastTo(t *graph.Node, dims []int, what string) *graph.Node {
	td := t.Shape().Dimensions
	if len(td) > len(dims) || !slices.Equal(td, dims[:len(td)]) {
		panicf("%w: %s have shape %v, want %v or a prefix of it", focal.ErrLength, what, td, dims)
	}
	if len(td) == len(dims) {
		return t
	}
	return graph.BroadcastToDims(t, dims...)
}

// masked applies the weights and mask (either may be nil) to per-element
// inputs: it returns the mask broadcast to dims (nil if none) and the weights
// broadcast to dims in the working dtype, 0 where masked (nil if none).
func masked(dims []int, weights, mask *graph.Node) (w, m *graph.Node) {
	if mask != nil {
		if mask.DType() != dtypes.Bool {
			panicf("%w: mask has dtype %s, want Bool", focal.ErrParam, mask.DType())
		}
		m = broadcastTo(mask, dims, "mask")
	}
	if weights != nil {
		w = broadcastTo(toWork(weights, "weights"), dims, "weights")
		if m != nil {
			w = graph.Where(m, w, graph.ZerosLike(w))
		}
	}
	return w, m
}

// reduce finishes per-element losses l (working dtype, 0 where masked) as
// focal.Total.Value does. count and positives are scalars (working dtype)
// of the unmasked elements and positives; o.Normalizer, if positive, or
// else norm, if not nil, replaces the divisor of Mean and Positives.
func reduce(l, count, positives *graph.Node, o focal.Options, norm *Normalizer) *graph.Node {
	switch o.Reduction {
	case focal.None:
		return l
	case focal.Sum:
		return graph.ReduceAllSum(l)
	}
	sum := graph.ReduceAllSum(l)
	if o.Normalizer > 0 {
		return graph.DivScalar(sum, o.Normalizer)
	}
	c := positives
	if o.Reduction == focal.Mean {
		c = count
	}
	if norm != nil {
		return graph.Div(sum, norm.Divisor(c))
	}
	// An all-masked batch has loss 0, not NaN (as Total.Value): counts are
	// whole numbers, so max(1, c) is c or, for none, 1.
	return graph.Div(sum, graph.StopGradient(graph.MaxScalar(c, 1.0)))
}

// reduceUsed finishes the losses l (working dtype) of the elements or
// positions where use (if not nil) is true, positives marking those
// Positives counts: it zeroes the others, counts, reduces as
// focal.Total.Value does and returns the result in dtype.
func reduceUsed(l, use, positives *graph.Node, o focal.Options, c *config, dtype dtypes.DType) *graph.Node {
	var count *graph.Node
	if use != nil {
		l = graph.Where(use, l, graph.ZerosLike(l))
		positives = graph.LogicalAnd(positives, use)
		count = countTrue(use)
	} else {
		count = graph.Scalar(l.Graph(), work, float64(l.Shape().Size()))
	}
	return fromWork(reduce(l, count, countTrue(positives), o, c.norm), dtype, o.Reduction == focal.None)
}

// checkOptions validates o and the options that depend on it: a
// Normalizer needs a reduction that divides, and no constant normaliser.
func checkOptions(o focal.Options, c *config) error {
	if c.norm == nil {
		return nil
	}
	if o.Reduction != focal.Mean && o.Reduction != focal.Positives {
		return fmt.Errorf("%w: a Normalizer with reduction %s, which does not divide (want mean or positives)", focal.ErrNormalizer, o.Reduction)
	}
	if o.Normalizer != 0 {
		return fmt.Errorf("%w: both Options.Normalizer = %v and a Normalizer option", focal.ErrNormalizer, o.Normalizer)
	}
	return nil
}

// countTrue returns the number of true elements of b as a working-dtype
// scalar.
func countTrue(b *graph.Node) *graph.Node {
	return graph.ReduceAllSum(graph.ConvertDType(b, work))
}

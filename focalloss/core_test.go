package focalloss

import (
	"testing"

	"github.com/focalgo/focal"
)

// The core package is the reference of the graph functions: each is
// compared with its counterpart there in value and in gradient. The
// functions below return the core's side of such a comparison.

// coreFamily returns the core's value and gradient for member m.
func coreFamily[T float](t *testing.T, m focal.Member, o focal.Options, x, y, w []T, ignore []bool) (val, grad []T) {
	t.Helper()
	out := focal.Outputs[T]{Loss: make([]T, len(x)), Grad: make([]T, len(x))}
	tot, err := focal.Loss(m, o, out, focal.Input[T]{Logits: x, Targets: y, Weights: w, Ignore: ignore})
	return coreResult(t, o, out, tot, err)
}

// coreSoftmax returns the core's value and gradient for logits x of rows
// [len(labels), C].
func coreSoftmax[T float](t *testing.T, s focal.Softmax, o focal.Options, x []T, labels []int64, w []T) (val, grad []T) {
	t.Helper()
	n := len(labels)
	return coreSoftmaxIn(t, s, o, x, focal.ClassLast(n, len(x)/n), labels, w)
}

// coreSoftmaxIn is coreSoftmax for logits x in the given layout.
func coreSoftmaxIn[T float](t *testing.T, s focal.Softmax, o focal.Options, x []T, layout focal.Layout, labels []int64, w []T) (val, grad []T) {
	t.Helper()
	out := focal.Outputs[T]{Loss: make([]T, len(labels)), Grad: make([]T, len(x))}
	tot, err := focal.SoftmaxLoss(s, o, out, focal.SoftmaxInput[T, int64]{Logits: x, Layout: layout, Labels: labels, Weights: w})
	return coreResult(t, o, out, tot, err)
}

// coreSparse returns the core's value and gradient for logits x of rows
// [len(labels), classes].
func coreSparse[T float](t *testing.T, s focal.Sigmoid, o focal.Options, x []T, classes int, labels []int64) (val, grad []T) {
	t.Helper()
	out := focal.Outputs[T]{Loss: make([]T, len(x)), Grad: make([]T, len(x))}
	tot, err := focal.SparseLoss(s, o, out, focal.SparseInput[T, int64]{Logits: x, Classes: classes, Labels: labels})
	return coreResult(t, o, out, tot, err)
}

// coreResult returns the value a graph function is compared with, from
// the core's outputs out and total tot, failing the test on err: the
// per-element losses for Reduction None, else the reduced loss (divided by
// the Normalizer when it is set, the scalar whose gradient the core
// returns); and the gradient.
func coreResult[T float](t *testing.T, o focal.Options, out focal.Outputs[T], tot focal.Total, err error) (val, grad []T) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if o.Reduction == focal.None {
		return out.Loss, out.Grad
	}
	return []T{T(tot.Value())}, out.Grad
}

package focalloss

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

var backend = sync.OnceValue(func() compute.Backend { return compute.MustNew() })

// evalGrad executes fn on inputs (the first is the logits tensor x with the
// given dims, the others as given) and returns fn's value and the autodiff
// gradient of the sum of its value with respect to x.
func evalGrad[T float](t *testing.T, fn func(in []*graph.Node) *graph.Node, x []T, dims []int, rest ...any) (val, grad []T) {
	t.Helper()
	val, grad, err := tryEvalGrad(fn, x, dims, rest...)
	if err != nil {
		t.Fatal(err)
	}
	return val, grad
}

func tryEvalGrad[T float](fn func(in []*graph.Node) *graph.Node, x []T, dims []int, rest ...any) (val, grad []T, err error) {
	e, err := graph.NewExec(backend(), func(in []*graph.Node) []*graph.Node {
		l := fn(in)
		s := l
		if !l.IsScalar() {
			s = graph.ReduceAllSum(l)
		}
		return []*graph.Node{l, graph.Gradient(s, in[0])[0]}
	})
	if err != nil {
		return nil, nil, err
	}
	defer e.Finalize()
	args := append([]any{tensors.FromFlatDataAndDimensions(x, dims...)}, rest...)
	out, err := e.Call(args...)
	if err != nil {
		return nil, nil, err
	}
	return tensors.MustCopyFlatData[T](out[0]), tensors.MustCopyFlatData[T](out[1]), nil
}

// finiteDifferences returns the central differences of the sum of fn's
// value with respect to x, with step h·max(1, |x_i|).
func finiteDifferences(t *testing.T, fn func(in []*graph.Node) *graph.Node, x []float64, dims []int, h float64, rest ...any) []float64 {
	t.Helper()
	e, err := graph.NewExec(backend(), func(in []*graph.Node) *graph.Node { return graph.ReduceAllSum(fn(in)) })
	if err != nil {
		t.Fatal(err)
	}
	defer e.Finalize()
	at := func(xs []float64) float64 {
		out, err := e.Call(append([]any{tensors.FromFlatDataAndDimensions(xs, dims...)}, rest...)...)
		if err != nil {
			t.Fatal(err)
		}
		return tensors.MustCopyFlatData[float64](out[0])[0]
	}
	grad := make([]float64, len(x))
	xs := append([]float64(nil), x...)
	for i := range x {
		d := h * math.Max(1, math.Abs(x[i]))
		xs[i] = x[i] + d
		up := at(xs)
		xs[i] = x[i] - d
		down := at(xs)
		xs[i] = x[i]
		grad[i] = (up - down) / (2 * d)
	}
	return grad
}

// tensorOf returns data as a tensor of the given dims.
func tensorOf[E bool | int32 | int64 | float32 | float64](data []E, dims ...int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// close reports whether a and b agree: both NaN, equal (including
// infinities), or |a − b| ≤ rel·max(|a|, |b|) + abs.
func close(a, b, rel, abs float64) bool {
	switch {
	case math.IsNaN(a) || math.IsNaN(b):
		return math.IsNaN(a) && math.IsNaN(b)
	case a == b:
		return true
	case math.IsInf(a, 0) || math.IsInf(b, 0):
		return false
	}
	return math.Abs(a-b) <= rel*max(math.Abs(a), math.Abs(b))+abs
}

// relTol is the tolerance of the equivalence tests for T.
func relTol[T float]() float64 {
	var z T
	if _, ok := any(z).(float32); ok {
		return 1e-5
	}
	return 1e-9
}

// gradAbs is the absolute floor of gradient comparisons. A gradient such as
// αₜ(σ(x) − y) cancels near σ(x) = y: the core and the graph each carry an
// absolute rounding error of order 1e-17 there (both compute in float64),
// so relative agreement of the difference is not a property of either.
// Losses are sums of non-negative terms and are compared relatively only.
const gradAbs = 1e-15

// compare fails t where got and want differ by more than the relative
// tolerance for T plus abs.
func compare[T float](t *testing.T, what string, got, want []T, abs float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	tol := relTol[T]()
	bad := 0
	for i := range got {
		if !close(float64(got[i]), float64(want[i]), tol, abs) {
			if bad < 5 {
				t.Errorf("%s[%d] = %v, want %v (core)", what, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d more mismatches", what, bad-5)
	}
}

// inBothFloats runs a test of the float64 and the float32 graphs, each
// instantiation of it a subtest.
func inBothFloats(t *testing.T, f64, f32 func(*testing.T)) {
	t.Run("float64", f64)
	t.Run("float32", f32)
}

// float is the element type of the tests: exactly float32 or float64.
type float interface{ float32 | float64 }

// newRand returns a generator seeded with a and b: every test draws the
// same data on every run.
func newRand(a, b uint64) *rand.Rand { return rand.New(rand.NewPCG(a, b)) }

// randomWeightsAndMask returns n weights in [0, 2) and a mask that leaves
// out about one element in four, drawn from rng element by element.
func randomWeightsAndMask[T float](rng *rand.Rand, n int) (w []T, mask []bool) {
	w, mask = make([]T, n), make([]bool, n)
	for i := range w {
		w[i] = T(rng.Float64() * 2)
		mask[i] = rng.IntN(4) != 0
	}
	return w, mask
}

// not returns the complement of a mask: the core's Ignore for GoMLX's Mask.
func not(m []bool) []bool {
	r := make([]bool, len(m))
	for i, v := range m {
		r[i] = !v
	}
	return r
}

// wm returns the Weights and Mask options of w and m, each skipped if nil.
func wm(w, m *graph.Node) []Option {
	var opts []Option
	if w != nil {
		opts = append(opts, Weights(w))
	}
	if m != nil {
		opts = append(opts, Mask(m))
	}
	return opts
}

// wantErr fails the test unless err wraps want; what says where err came
// from.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

// panicErr returns what f panics with, as an error (nil if it returns).
func panicErr(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(error)
			if !ok {
				e = fmt.Errorf("panic: %v", r)
			}
			err = e
		}
	}()
	f()
	return nil
}

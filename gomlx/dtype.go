package gomlx

import (
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
)

// work is the dtype every loss is computed in. Computing float32 in float64,
// as the core package does, keeps the graph's values and gradients within
// rounding of the core's, including near underflow where float32's
// exp(γ·log m) would lose digits.
const work = dtypes.Float64

// toWork converts floating-point logits to the working dtype, and panics on
// any other dtype.
func toWork(x *Node, what string) *Node {
	if !x.DType().IsFloat() {
		panicf("%s have dtype %s, want a floating-point dtype", what, x.DType())
	}
	return ConvertDType(x, work)
}

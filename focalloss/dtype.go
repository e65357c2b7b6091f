package focalloss

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
)

// work is the dtype every loss is computed in. Computing float32 in float64,
// as the core package does, keeps the graph's values and gradients within
// rounding of the core's, including near underflow where float32's
// exp(γ·log m) would lose digits.
const work = dtypes.Float64

// toWork converts floating-point logits to the working dtype, and panics on
// any other dtype.
func toWork(x *graph.Node, what string) *graph.Node {
	if !x.DType().IsFloat() {
		panicf("%s have dtype %s, want a floating-point dtype", what, x.DType())
	}
	return graph.ConvertDType(x, work)
}

// fromWork converts a working-dtype result back to dtype. Per-element
// losses (perElement) that are finite but beyond dtype's range saturate at
// ±its largest finite value, as the core package's outputs do, instead of
// overflowing to ±Inf; the shift is held constant for autodiff, so the
// gradient is that of the unsaturated loss, also as in the core.
func fromWork(v *graph.Node, dtype dtypes.DType, perElement bool) *graph.Node {
	if dtype == work {
		return v
	}
	if hi, ok := maxFinite[dtype]; ok && perElement {
		g := v.Graph()
		clamped := graph.Where(graph.GreaterThan(v, graph.Scalar(g, work, hi)), graph.Scalar(g, work, hi),
			graph.Where(graph.LessThan(v, graph.Scalar(g, work, -hi)), graph.Scalar(g, work, -hi), v))
		shift := graph.Where(graph.IsFinite(v), graph.Sub(clamped, v), graph.ZerosLike(v))
		v = graph.Add(v, graph.StopGradient(shift))
	}
	return graph.ConvertDType(v, dtype)
}

// maxFinite is the largest finite value of each narrower float dtype
// (dtypes' HighestValue is +Inf for floats).
var maxFinite = map[dtypes.DType]float64{
	dtypes.Float32:  math.MaxFloat32,
	dtypes.Float16:  65504,
	dtypes.BFloat16: 0x1.fep127,
}

package focalloss

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
)

// The engine ops the losses are built from, each with its autodiff gradient
// checked alone: against central finite differences away from kinks, and
// against the documented convention at them (the losses rely on it).
func TestEngineOpGradients(t *testing.T) {
	pts := []float64{-3.5, -0.7, -1e-3, 0.4, 1.3, 2.9}
	pos := []float64{1e-3, 0.4, 1.3, 2.9, 17}
	for _, c := range []struct {
		name string
		f    func(x *graph.Node) *graph.Node // element-wise, or any shape: the sum is differentiated
		at   []float64
		// ties lists points where the derivative is a convention, and its
		// value there.
		ties map[float64]float64
	}{
		{"Abs", graph.Abs, pts, map[float64]float64{0: 1}},
		{"Neg", graph.Neg, pts, nil},
		{"Exp", graph.Exp, pts, nil},
		{"Log", graph.Log, pos, nil},
		{"Log1p", graph.Log1p, append(pts[1:], -0.999), nil},
		{"Reciprocal", func(x *graph.Node) *graph.Node { return graph.Reciprocal(graph.OnePlus(graph.Square(x))) }, pts, nil},
		{"Div by x", func(x *graph.Node) *graph.Node { return graph.Div(graph.OnesLike(x), x) }, pos, nil},
		{"Mul", func(x *graph.Node) *graph.Node { return graph.Mul(x, graph.Exp(x)) }, pts, nil},
		{"Sub", func(x *graph.Node) *graph.Node { return graph.Sub(graph.Square(x), graph.Exp(x)) }, pts, nil},
		{"Max(x, 0) tie to x", func(x *graph.Node) *graph.Node { return graph.Max(x, graph.ZerosLike(x)) }, pts, map[float64]float64{0: 1}},
		{"Max(0, x) tie to 0", func(x *graph.Node) *graph.Node { return graph.Max(graph.ZerosLike(x), x) }, pts, map[float64]float64{0: 0}},
		{"Where(x ≥ 0) tie to true branch", func(x *graph.Node) *graph.Node {
			return graph.Where(graph.GreaterOrEqual(x, graph.ZerosLike(x)), graph.MulScalar(x, 3), graph.Square(x))
		}, pts, map[float64]float64{0: 3}},
		// Through float32 finite differences mean little: exact points instead.
		{"ConvertDType round trip", func(x *graph.Node) *graph.Node {
			return graph.ConvertDType(graph.Square(graph.ConvertDType(x, dtypes.Float32)), work)
		},
			nil, map[float64]float64{0.5: 1, -1.5: -3, 3: 6}},
		{"StopGradient", func(x *graph.Node) *graph.Node { return graph.Add(x, graph.StopGradient(graph.Square(x))) }, nil, map[float64]float64{2: 1, -1: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			check := func(x []float64, want func(i int) float64) {
				_, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return c.f(in[0]) }, x, []int{len(x)})
				for i := range x {
					if w := want(i); !close(grad[i], w, 1e-6, 1e-8) {
						t.Errorf("∂/∂x at %v = %v, want %v", x[i], grad[i], w)
					}
				}
			}
			if len(c.at) > 0 {
				val := func(x []float64) []float64 {
					v, _ := evalGrad(t, func(in []*graph.Node) *graph.Node { return c.f(in[0]) }, x, []int{len(x)})
					return v
				}
				const h = 1e-6
				up, down := make([]float64, len(c.at)), make([]float64, len(c.at))
				for i, v := range c.at {
					up[i], down[i] = v+h*max(1, math.Abs(v)), v-h*max(1, math.Abs(v))
				}
				fu, fd := val(up), val(down)
				check(c.at, func(i int) float64 { return (fu[i] - fd[i]) / (up[i] - down[i]) })
			}
			if len(c.ties) > 0 {
				var x, want []float64
				for k, v := range c.ties {
					x, want = append(x, k), append(want, v)
				}
				check(x, func(i int) float64 { return want[i] })
			}
		})
	}
}

// The reductions and shape ops: ∂/∂x_i of Σ_j c_j·op(x)_j.
func TestEngineReductionGradients(t *testing.T) {
	x := []float64{0.5, -1, 2, 3, 0.25, -4}
	for _, c := range []struct {
		name string
		f    func(x *graph.Node) *graph.Node
		want []float64
	}{
		{"ReduceAndKeep sum broadcast back", func(x *graph.Node) *graph.Node {
			s := graph.ReduceAndKeep(x, graph.ReduceSum, -1) // rows [0.5+(-1)+2, 3+0.25-4]
			return graph.Mul(x, graph.BroadcastToDims(s, 2, 3))
		}, []float64{3, 3, 3, -1.5, -1.5, -1.5}}, // ∂/∂x_ij Σ x·s = s_i + Σ_k x_ik = 2 s_i
		{"ReduceMax under StopGradient", func(x *graph.Node) *graph.Node {
			return graph.Sub(x, graph.StopGradient(graph.ReduceAndKeep(x, graph.ReduceMax, -1)))
		}, []float64{1, 1, 1, 1, 1, 1}},
		{"Reshape and InsertAxes", func(x *graph.Node) *graph.Node {
			return graph.Mul(graph.InsertAxes(graph.Reshape(x, 6), -1), graph.Const(x.Graph(), [][]float64{{1}, {2}, {3}, {4}, {5}, {6}}))
		}, []float64{1, 2, 3, 4, 5, 6}},
		{"ExpandLeftToRank constant", func(x *graph.Node) *graph.Node {
			return graph.Mul(x, graph.ExpandLeftToRank(graph.Const(x.Graph(), []float64{1, 10, 100}), 2))
		}, []float64{1, 10, 100, 1, 10, 100}},
		// The detector of the Normalizer's training test: im2col convolutions.
		{"Slice and Concatenate", func(x *graph.Node) *graph.Node {
			cat := graph.Concatenate([]*graph.Node{graph.Slice(x, graph.AxisRange(), graph.AxisRange(1, 3)), graph.Slice(x, graph.AxisRange(), graph.AxisRange(0, 1))}, 1)
			return graph.Mul(cat, graph.Const(x.Graph(), [][]float64{{1, 2, 3}, {4, 5, 6}}))
		}, []float64{3, 1, 2, 6, 4, 5}},
		{"MatMul", func(x *graph.Node) *graph.Node {
			return graph.MatMul(x, graph.Const(x.Graph(), [][]float64{{1}, {10}, {100}}))
		}, []float64{1, 10, 100, 1, 10, 100}},
		{"Where with prefix condition", func(x *graph.Node) *graph.Node {
			return graph.Where(graph.Const(x.Graph(), []bool{true, false}), graph.Square(x), graph.ZerosLike(x))
		}, []float64{1, -2, 4, 0, 0, 0}},
	} {
		_, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return c.f(in[0]) }, x, []int{2, 3})
		for i := range grad {
			if !close(grad[i], c.want[i], 1e-12, 0) {
				t.Errorf("%s: ∂/∂x[%d] = %v, want %v", c.name, i, grad[i], c.want[i])
			}
		}
	}
}

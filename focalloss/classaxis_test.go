package focalloss

import (
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// toNCHW lays out rows [n·hw, C] (row b·hw + i is position i of image b)
// as [n, C, hw], PyTorch's NCHW with the spatial axes flattened.
func toNCHW[T any](rows []T, n, c, hw int) []T { return swapLastAxes(rows, n, hw, c) }

// fromNCHW is the inverse of toNCHW.
func fromNCHW[T any](x []T, n, c, hw int) []T { return swapLastAxes(x, n, c, hw) }

// swapLastAxes returns x [n, p, q] laid out as [n, q, p].
func swapLastAxes[T any](x []T, n, p, q int) []T {
	out := make([]T, len(x))
	for b := range n {
		for i := range p {
			for j := range q {
				out[(b*q+j)*p+i] = x[(b*p+i)*q+j]
			}
		}
	}
	return out
}

func TestSoftmaxClassSecondEqualsCore(t *testing.T) {
	inBothFloats(t, testSoftmaxClassSecondEqualsCore[float64], testSoftmaxClassSecondEqualsCore[float32])
}

// NCHW logits with ClassAxis(1) equal the core's ClassSecond layout, for
// every softmax case, with labels [N, H, W] or [N, 1, H, W], per-position
// weights and a mask, and per-image weights [N] broadcast over H and W.
func testSoftmaxClassSecondEqualsCore[T float](t *testing.T) {
	rng := newRand(12, 1)
	rows, labels := softmaxInputs[T](rng, 30) // 200 positions
	const n, h, w = 2, 10, 10
	if len(labels) != n*h*w {
		t.Fatalf("%d positions, want %d", len(labels), n*h*w)
	}
	x := toNCHW(rows, n, nClasses, h*w)
	dims := []int{n, nClasses, h, w}
	weights, mask := randomWeightsAndMask[T](rng, len(labels))
	perImage := []T{0.5, 2}
	imageW := make([]T, len(labels))
	for i := range imageW {
		imageW[i] = perImage[i/(h*w)]
	}
	core := func(s focal.Softmax, o focal.Options, lab []int64, wt []T) (val, grad []T) {
		return coreSoftmaxIn(t, s, o, x, focal.ClassSecond(n, nClasses, h, w), lab, wt)
	}
	for _, c := range softmaxCases {
		t.Run(c.name, func(t *testing.T) {
			ign := int64(c.s.IgnoreIndex)
			lab := make([]int64, len(labels))
			masked := make([]int64, len(labels))
			for i, v := range labels {
				lab[i] = v
				if v == focal.DefaultIgnoreIndex {
					lab[i] = ign
				}
				masked[i] = lab[i]
				if !mask[i] {
					masked[i] = ign
				}
			}
			val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Softmax(in[0], in[1], c.s, c.o, ClassAxis(1)) },
				x, dims, tensorOf(lab, n, h, w))
			wantVal, wantGrad := core(c.s, c.o, lab, nil)
			compare(t, "loss", val, wantVal, 0)
			compare(t, "grad", grad, wantGrad, gradAbs)

			val, grad = evalGrad(t, func(in []*graph.Node) *graph.Node {
				return Softmax(in[0], in[1], c.s, c.o, ClassAxis(-3), Weights(in[2]), Mask(in[3]))
			}, x, dims, tensorOf(lab, n, 1, h, w), tensorOf(weights, n, h, w), tensorOf(mask, n, h, w))
			wantVal, wantGrad = core(c.s, c.o, masked, weights)
			compare(t, "weighted loss", val, wantVal, 0)
			compare(t, "weighted grad", grad, wantGrad, gradAbs)

			val, grad = evalGrad(t, func(in []*graph.Node) *graph.Node {
				return Softmax(in[0], in[1], c.s, c.o, ClassAxis(1), Weights(in[2]))
			}, x, dims, tensorOf(lab, n, h, w), tensorOf(perImage, n))
			wantVal, wantGrad = core(c.s, c.o, lab, imageW)
			compare(t, "per-image loss", val, wantVal, 0)
			compare(t, "per-image grad", grad, wantGrad, gradAbs)
		})
	}
}

// ClassWeights [C] broadcast over [N, C] and [N, C, H, W]: for the softmax
// forms they are the core's per-class α (times α where it is set), for the
// sigmoid forms per-element weights w[c].
func TestClassWeightsBroadcastOverClassAxis(t *testing.T) {
	rng := newRand(3, 30)
	cw := []float64{0.5, 2, 0, 1.25}
	const n, h, w = 3, 2, 5
	rows := make([]float64, n*h*w*nClasses)
	for i := range rows {
		rows[i] = rng.NormFloat64() * 3
	}
	labels := make([]int64, n*h*w)
	for i := range labels {
		labels[i] = int64(rng.IntN(nClasses))
	}
	x := toNCHW(rows, n, nClasses, h*w)

	t.Run("softmax", func(t *testing.T) {
		for _, s := range []focal.Softmax{
			{Gamma: 2},
			{Alpha: []float64{0.25}, Gamma: 0.5, LabelSmoothing: 0.1},
			{Alpha: []float64{1, 3, 2, 0.5}, Gamma: 1},
		} {
			o := focal.Options{Reduction: focal.Mean}
			alpha := make([]float64, nClasses)
			for c := range alpha {
				alpha[c] = cw[c]
				if len(s.Alpha) == 1 {
					alpha[c] *= s.Alpha[0]
				} else if len(s.Alpha) == nClasses {
					alpha[c] *= s.Alpha[c]
				}
			}
			weighted := s
			weighted.Alpha = alpha
			wantVal, wantGrad := coreSoftmax(t, weighted, o, rows, labels, nil)
			val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Softmax(in[0], in[1], s, o, ClassWeights(cw...)) },
				rows, []int{n * h * w, nClasses}, tensorOf(labels, n*h*w))
			compare(t, "[N, C] loss", val, wantVal, 0)
			compare(t, "[N, C] grad", grad, wantGrad, gradAbs)

			val, grad = evalGrad(t, func(in []*graph.Node) *graph.Node {
				return Softmax(in[0], in[1], s, o, ClassAxis(1), ClassWeights(cw...))
			}, x, []int{n, nClasses, h, w}, tensorOf(labels, n, h, w))
			compare(t, "[N, C, H, W] loss", val, wantVal, 0)
			compare(t, "[N, C, H, W] grad", fromNCHW(grad, n, nClasses, h*w), wantGrad, gradAbs)
		}
	})

	t.Run("sigmoid", func(t *testing.T) {
		y := make([]float64, len(rows))
		ew := make([]float64, len(rows)) // cw[c] per element of rows
		for i := range y {
			y[i] = float64(rng.IntN(2))
			ew[i] = cw[i%nClasses]
		}
		yNCHW := toNCHW(y, n, nClasses, h*w)
		for _, o := range []focal.Options{{Reduction: focal.Positives}, {Reduction: focal.None}} {
			wantVal, wantGrad := coreFamily(t, retinaNet, o, rows, y, ew, nil)
			val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Sigmoid(in[0], in[1], retinaNet, o, ClassWeights(cw...)) },
				rows, []int{n * h * w, nClasses}, tensorOf(y, n*h*w, nClasses))
			compare(t, "[N, C] loss", val, wantVal, 0)
			compare(t, "[N, C] grad", grad, wantGrad, gradAbs)

			val, grad = evalGrad(t, func(in []*graph.Node) *graph.Node {
				return Sigmoid(in[0], in[1], retinaNet, o, ClassAxis(1), ClassWeights(cw...))
			}, x, []int{n, nClasses, h, w}, tensorOf(yNCHW, n, nClasses, h, w))
			if o.Reduction == focal.None {
				val = fromNCHW(val, n, nClasses, h*w)
			}
			compare(t, "[N, C, H, W] loss", val, wantVal, 0)
			compare(t, "[N, C, H, W] grad", fromNCHW(grad, n, nClasses, h*w), wantGrad, gradAbs)
		}
	})

	t.Run("too few class weights", func(t *testing.T) {
		_, _, err := tryEvalGrad(func(in []*graph.Node) *graph.Node {
			return Softmax(in[0], in[1], focal.Softmax{}, focal.Options{}, ClassAxis(1), ClassWeights(1, 2))
		}, x, []int{n, nClasses, h, w}, tensorOf(labels, n, h, w))
		wantErr(t, "softmax", err, focal.ErrWeight)
		_, _, err = tryEvalGrad(func(in []*graph.Node) *graph.Node {
			return Sigmoid(in[0], in[1], focal.Sigmoid{}, focal.Options{}, ClassWeights(1, 2, 3))
		}, rows, []int{n * h * w, nClasses}, tensorOf(rows, n*h*w, nClasses))
		wantErr(t, "sigmoid", err, focal.ErrWeight)
	})
}

// Sparse over [N, C, H, W] with ClassAxis(1) and labels [N, H, W] equals
// the core's SparseLoss on the rows [N·H·W, C].
func TestSparseClassSecondEqualsCore(t *testing.T) {
	rng := newRand(8, 4)
	const n, h, w, c = 2, 3, 4, 3
	rows, labels, lab64 := sparseInputs[float64](rng, n*h*w, c)
	x := toNCHW(rows, n, c, h*w)
	for _, o := range []focal.Options{{Reduction: focal.Positives}, {Reduction: focal.Mean}, {Reduction: focal.None}} {
		want, wantGrad := coreSparse(t, retinaNet, o, rows, c, lab64)
		val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Sparse(in[0], in[1], retinaNet, o, ClassAxis(1)) },
			x, []int{n, c, h, w}, tensorOf(labels, n, h, w))
		if o.Reduction == focal.None {
			val = fromNCHW(val, n, c, h*w)
		}
		compare(t, o.Reduction.String()+" loss", val, want, 0)
		compare(t, o.Reduction.String()+" grad", fromNCHW(grad, n, c, h*w), wantGrad, gradAbs)
	}
}

// Labels whose shape fits neither the positions nor the positions with 1
// at the class axis are an error naming both, as is a class axis outside
// the logits' rank.
func TestClassAxisShapeErrors(t *testing.T) {
	x := make([]float64, 2*3*4)
	for _, c := range []struct {
		name   string
		fn     func(in []*graph.Node) *graph.Node
		labels any
		want   error
	}{
		{"class-last labels for NCHW", func(in []*graph.Node) *graph.Node {
			return Softmax(in[0], in[1], focal.Softmax{}, focal.Options{}, ClassAxis(1))
		}, tensorOf([]int32{0, 1, 0, 1, 0, 1}, 2, 3), focal.ErrLength},
		{"axis 3 of rank 3", func(in []*graph.Node) *graph.Node {
			return Softmax(in[0], in[1], focal.Softmax{}, focal.Options{}, ClassAxis(3))
		}, tensorOf([]int32{0, 1, 0, 1, 0, 1}, 2, 3), focal.ErrLayout},
		{"axis −4 of rank 3", func(in []*graph.Node) *graph.Node {
			return Sparse(in[0], in[1], focal.Sigmoid{}, focal.Options{}, ClassAxis(-4))
		}, tensorOf([]int32{0, 1, 0, 1, 0, 1}, 2, 3), focal.ErrLayout},
	} {
		_, _, err := tryEvalGrad(c.fn, x, []int{2, 3, 4}, c.labels)
		wantErr(t, c.name, err, c.want)
	}
}

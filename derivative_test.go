package focal_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
)

// lossOf is a loss call as a function of the logits x, writing out.
type lossOf func(x []float64, out focal.Outputs[float64]) (focal.Total, error)

// fdCheck compares the gradient and Hessian diagonal that loss writes at x
// with central finite differences of the reduced loss and of the gradient.
func fdCheck(t *testing.T, x []float64, loss lossOf) {
	t.Helper()
	eval := func(x []float64) (v float64, grad, hess []float64) {
		grad, hess = make([]float64, len(x)), make([]float64, len(x))
		tot, err := loss(x, focal.Outputs[float64]{Grad: grad, Hess: hess})
		if err != nil {
			t.Fatal(err)
		}
		return tot.Value(), grad, hess
	}
	_, grad, hess := eval(x)
	for i := range x {
		orig := x[i]
		h := 1e-5 * max(1, math.Abs(orig))
		x[i] = orig + h
		fp, gps, _ := eval(x)
		x[i] = orig - h
		fm, gms, _ := eval(x)
		gp, gm := gps[i], gms[i]
		x[i] = orig
		if fd := (fp - fm) / (2 * h); math.Abs(fd-grad[i]) > 1e-6*max(1, math.Abs(fd)) {
			t.Errorf("grad[%d] = %.10g, finite difference %.10g (x = %v)", i, grad[i], fd, orig)
		}
		if fd := (gp - gm) / (2 * h); math.Abs(fd-hess[i]) > 1e-5*max(1, math.Abs(fd)) {
			t.Errorf("hess[%d] = %.10g, finite difference of grad %.10g (x = %v)", i, hess[i], fd, orig)
		}
	}
}

// TestSigmoidDerivativesMatchFiniteDifferences checks ∂L/∂x and ∂²L/∂x² of
// the reduced loss for hard and soft targets, every reduction and several γ,
// including 0 < γ < 1 and non-integer γ.
func TestSigmoidDerivativesMatchFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 40
	for _, gamma := range []float64{0, 0.5, 1, 1.5, 2, 2.5, 5} {
		for _, alpha := range []float64{0, 0.25} {
			for _, red := range []focal.Reduction{focal.None, focal.Mean, focal.Sum, focal.Positives} {
				for _, soft := range []bool{false, true} {
					name := fmt.Sprintf("gamma=%v/alpha=%v/%v/soft=%v", gamma, alpha, red, soft)
					t.Run(name, func(t *testing.T) {
						x, y, w := make([]float64, n), make([]float64, n), make([]float64, n)
						for i := range x {
							x[i] = rng.NormFloat64() * 4
							if soft {
								y[i] = rng.Float64()
							} else if rng.IntN(4) == 0 {
								y[i] = 1
							}
							w[i] = 0.5 + rng.Float64()
						}
						s, o := focal.Sigmoid{Alpha: alpha, Gamma: gamma}, focal.Options{Reduction: red}
						fdCheck(t, x, func(x []float64, out focal.Outputs[float64]) (focal.Total, error) {
							return focal.Loss(s, o, out, focal.Input[float64]{Logits: x, Targets: y, Weights: w})
						})
					})
				}
			}
		}
	}
}

// TestSparseDerivativesMatchFiniteDifferences checks the sparse form with
// background and ignored rows.
func TestSparseDerivativesMatchFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const rows, classes = 7, 5
	labels := []int32{0, 4, focal.Background, 2, focal.IgnoreLabel, focal.Background, 1}
	for _, gamma := range []float64{0.5, 2, 3.7} {
		s := focal.Sigmoid{Alpha: 0.25, Gamma: gamma}
		x := normals(rng, rows*classes, 3)
		fdCheck(t, x, func(x []float64, out focal.Outputs[float64]) (focal.Total, error) {
			return focal.SparseLoss(s, positives, out, focal.SparseInput[float64, int32]{Logits: x, Classes: classes, Labels: labels})
		})
	}
}

// TestSoftmaxDerivativesMatchFiniteDifferences checks class-last and NCHW
// layouts, per-class α, label smoothing, ignore index and weights.
func TestSoftmaxDerivativesMatchFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []struct {
		name string
		lay  focal.Layout
		s    focal.Softmax
		red  focal.Reduction
	}{
		{"class-last/gamma=2", focal.ClassLast(6, 4), focal.Softmax{Gamma: 2, IgnoreIndex: -100}, focal.Mean},
		{"class-last/gamma=0.5/alpha", focal.ClassLast(6, 4), focal.Softmax{Gamma: 0.5, Alpha: []float64{0.1, 0.2, 0.3, 0.4}, IgnoreIndex: -100}, focal.Sum},
		{"class-last/gamma=2/smoothing", focal.ClassLast(6, 5), focal.Softmax{Gamma: 2, LabelSmoothing: 0.1, IgnoreIndex: -100}, focal.Mean},
		{"class-last/gamma=1.3/smoothing/alpha", focal.ClassLast(5, 3), focal.Softmax{Gamma: 1.3, Alpha: []float64{0.25}, LabelSmoothing: 0.2, IgnoreIndex: -100}, focal.None},
		{"nchw/gamma=2", focal.ClassSecond(2, 3, 2, 2), focal.Softmax{Gamma: 2, IgnoreIndex: -100}, focal.Mean},
		{"nchw/gamma=0/positives", focal.ClassSecond(2, 3, 3), focal.Softmax{Gamma: 0, IgnoreIndex: 255}, focal.Positives},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := normals(rng, c.lay.Outer*c.lay.Classes*c.lay.Inner, 3)
			labels := make([]int, c.lay.Labels())
			w := make([]float64, len(labels))
			for i := range labels {
				labels[i] = rng.IntN(c.lay.Classes)
				w[i] = 0.5 + rng.Float64()
			}
			labels[1] = c.s.IgnoreIndex
			fdCheck(t, x, func(x []float64, out focal.Outputs[float64]) (focal.Total, error) {
				return focal.SoftmaxLoss(c.s, focal.Options{Reduction: c.red}, out,
					focal.SoftmaxInput[float64, int]{Logits: x, Layout: c.lay, Labels: labels, Weights: w})
			})
		})
	}
}

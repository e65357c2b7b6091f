package focal_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/focalgo/focal"
)

// flsd53Softmax is FLSD-53 with PyTorch's ignore index, the reference's
// setting (with the Mean reduction).
func flsd53Softmax() focal.Softmax {
	return focal.Softmax{Schedule: focal.FLSD53(), IgnoreIndex: focal.DefaultIgnoreIndex}
}

// TestScheduledSoftmaxGolden checks FLSD-53 against autograd through the
// published FocalLossAdaptive (testdata/family/gen.py): loss per row,
// gradient and Hessian diagonal per logit.
func TestScheduledSoftmaxGolden(t *testing.T) {
	var c familyCase
	for _, fc := range loadFamilyCases(t) {
		if fc.Name == "flsd53_softmax" {
			c = fc
		}
	}
	if c.Name == "" {
		t.Fatal(filepath.Join("testdata", "family", "flsd53_softmax.json") + " missing")
	}
	C := int(c.Params["classes"])
	labels := make([]int, len(c.Y))
	for i, v := range c.Y {
		labels[i] = int(v)
	}
	lay := focal.ClassLast(len(labels), C)
	s, o := flsd53Softmax(), focal.Options{Reduction: focal.Sum}
	run := func(t *testing.T, tol float64, f32 bool) {
		if f32 {
			x := toT[float32](c.X)
			out := focal.Outputs[float32]{Loss: make([]float32, len(labels)), Grad: make([]float32, len(x)), Hess: make([]float32, len(x))}
			if _, err := focal.SoftmaxLoss(s, o, out, focal.SoftmaxInput[float32, int]{Logits: x, Layout: lay, Labels: labels}); err != nil {
				t.Fatal(err)
			}
			checkClose(t, "loss", out.Loss, c.Loss, c.X, tol)
			checkClose(t, "grad", out.Grad, c.Grad, c.X, tol)
			checkClose(t, "hess", out.Hess, c.Hess, c.X, 10*tol)
			return
		}
		out := focal.Outputs[float64]{Loss: make([]float64, len(labels)), Grad: make([]float64, len(c.X)), Hess: make([]float64, len(c.X))}
		if _, err := focal.SoftmaxLoss(s, o, out, focal.SoftmaxInput[float64, int]{Logits: c.X, Layout: lay, Labels: labels}); err != nil {
			t.Fatal(err)
		}
		checkClose(t, "loss", out.Loss, c.Loss, c.X, tol)
		checkClose(t, "grad", out.Grad, c.Grad, c.X, tol)
		checkClose(t, "hess", out.Hess, c.Hess, c.X, 10*tol)
	}
	t.Run("float64", func(t *testing.T) { run(t, 1e-11, false) })
	t.Run("float32", func(t *testing.T) { run(t, 2e-5, true) })
}

// TestScheduledSoftmaxIsSoftmaxWithTheScheduledGamma checks, position by
// position in an NCHW layout with weights, an ignored label and α, that
// the output equals SoftmaxLoss with the fixed γ = γ(p_y); and the derivatives
// against finite differences.
func TestScheduledSoftmaxIsSoftmaxWithTheScheduledGamma(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	lay := focal.ClassSecond(3, 4, 5)
	x := normals(rng, 3*4*5, 3)
	labels := make([]int, lay.Labels())
	w := make([]float64, len(labels))
	for i := range labels {
		labels[i] = rng.IntN(4)
		w[i] = 0.5 + rng.Float64()
	}
	labels[3] = focal.DefaultIgnoreIndex
	s := focal.Softmax{Alpha: []float64{0.1, 0.2, 0.3, 0.4}, Schedule: focal.FLSD53(), IgnoreIndex: focal.DefaultIgnoreIndex}
	o := focal.Options{Reduction: focal.Mean}
	eval := func(x []float64) (float64, []float64, []float64, []float64) {
		out := focal.Outputs[float64]{Loss: make([]float64, len(labels)), Grad: make([]float64, len(x)), Hess: make([]float64, len(x))}
		tot, err := focal.SoftmaxLoss(s, o, out, focal.SoftmaxInput[float64, int]{Logits: x, Layout: lay, Labels: labels, Weights: w})
		if err != nil {
			t.Fatal(err)
		}
		return tot.Value(), out.Loss, out.Grad, out.Hess
	}
	_, loss, grad, hess := eval(x)
	for _, gamma := range []float64{5, 3} {
		ref := focal.Softmax{Alpha: s.Alpha, Gamma: gamma, IgnoreIndex: s.IgnoreIndex}
		out := focal.Outputs[float64]{Loss: make([]float64, len(labels)), Grad: make([]float64, len(x)), Hess: make([]float64, len(x))}
		if _, err := focal.SoftmaxLoss(ref, o, out, focal.SoftmaxInput[float64, int]{Logits: x, Layout: lay, Labels: labels, Weights: w}); err != nil {
			t.Fatal(err)
		}
		for j, lab := range labels {
			if lab < 0 {
				continue
			}
			n, i := j/lay.Inner, j%lay.Inner
			at := func(c int) int { return (n*lay.Classes+c)*lay.Inner + i }
			var z float64
			for c := range lay.Classes {
				z += math.Exp(x[at(c)])
			}
			if py := math.Exp(x[at(lab)]) / z; (py < 0.2) != (gamma == 5) {
				continue
			}
			if !closeTo(loss[j], out.Loss[j], 1e-13) {
				t.Errorf("position %d: loss %v, want %v (γ = %v)", j, loss[j], out.Loss[j], gamma)
			}
			for c := range lay.Classes {
				if k := at(c); !closeTo(grad[k], out.Grad[k], 1e-13) || !closeTo(hess[k], out.Hess[k], 1e-13) {
					t.Errorf("logit %d: grad, hess %v, %v; want %v, %v", k, grad[k], hess[k], out.Grad[k], out.Hess[k])
				}
			}
		}
	}
	fdCheck(t, x, func(x []float64, out focal.Outputs[float64]) (focal.Total, error) {
		return focal.SoftmaxLoss(s, o, out, focal.SoftmaxInput[float64, int]{Logits: x, Layout: lay, Labels: labels, Weights: w})
	})
}

// TestScheduledSoftmaxExtremesAndErrors checks finiteness at extreme
// logits, NaN propagation, bad input and zero allocations.
func TestScheduledSoftmaxExtremesAndErrors(t *testing.T) {
	s, o := flsd53Softmax(), focal.Options{}
	in := func(x []float32, labels []int) focal.SoftmaxInput[float32, int] {
		return focal.SoftmaxInput[float32, int]{Logits: x, Layout: focal.ClassLast(3, 3), Labels: labels}
	}
	x := []float32{math.MaxFloat32, -math.MaxFloat32, 0, 1e30, -1e30, 3, 80, -80, 1e-40}
	labels := []int{1, 0, 2}
	out := focal.Outputs[float32]{Loss: make([]float32, 3), Grad: make([]float32, 9), Hess: make([]float32, 9)}
	if _, err := focal.SoftmaxLoss(s, o, out, in(x, labels)); err != nil {
		t.Fatal(err)
	}
	for _, v := range [][]float32{out.Loss, out.Grad, out.Hess} {
		for i, f := range v {
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				t.Errorf("output %d = %v at extreme logits", i, f)
			}
		}
	}
	if _, err := focal.SoftmaxLoss(s, o, out, in([]float32{float32(math.NaN()), 0, 0, 0, 0, 0, 0, 0, 0}, labels)); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(float64(out.Loss[0])) || !math.IsNaN(float64(out.Grad[1])) || math.IsNaN(float64(out.Loss[1])) {
		t.Errorf("NaN logit: loss %v, grad %v", out.Loss, out.Grad[:3])
	}
	bad := flsd53Softmax()
	bad.Schedule.Gammas[0] = -1
	smoothed := flsd53Softmax()
	smoothed.LabelSmoothing = 0.1
	for _, c := range []struct {
		name   string
		s      focal.Softmax
		labels []int
		err    error
	}{
		{"label out of range", s, []int{1, 3, 0}, focal.ErrLabel},
		{"bad schedule", bad, labels, focal.ErrGamma},
		{"schedule with label smoothing", smoothed, labels, focal.ErrSmoothing},
		{"wrong label count", s, []int{1}, focal.ErrLength},
	} {
		if _, err := focal.SoftmaxLoss(c.s, o, out, in(x, c.labels)); !errors.Is(err, c.err) {
			t.Errorf("%s: error = %v, want %v", c.name, err, c.err)
		}
	}
	if !raceEnabled {
		f := func() { _, _ = focal.SoftmaxLoss(s, o, out, in(x, labels)) }
		if a := testing.AllocsPerRun(20, f); a != 0 {
			t.Errorf("%v allocations per call", a)
		}
	}
}

package focal_test

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/focalgo/focal"
)

// hardBatch returns n logits, a spread up to ±30 and the extremes of the
// direct formulas' range, with hard targets.
func hardBatch(seed uint64, n int) (x, y []float64) {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	x = []float64{-30, -17, -1e-3, 0, 1e-3, 2.5, 17, 30}
	for len(x) < n {
		x = append(x, rng.NormFloat64()*6)
	}
	y = make([]float64, len(x))
	for i := range y {
		y[i] = float64(rng.IntN(2))
	}
	return x, y
}

// TestZeroValueIsCrossEntropy checks that the zero value of every member
// (one per registered kind) is valid and, with the zero Options, is mean
// binary cross-entropy on hard targets, computed here from its formula:
// loss max(x, 0) − x·y + log(1 + e^−|x|), gradient (p − y)/n, Hessian
// p(1 − p)/n.
func TestZeroValueIsCrossEntropy(t *testing.T) {
	x, y := hardBatch(51, 60)
	n := len(x)
	for _, k := range focal.Kinds() {
		m := reflect.Zero(reflect.TypeOf(k.Default())).Interface().(focal.Member)
		if err := m.Validate(); err != nil {
			t.Errorf("%v: zero value %+v is invalid: %v", k, m, err)
			continue
		}
		out := focal.Outputs[float64]{Loss: make([]float64, n), Grad: make([]float64, n), Hess: make([]float64, n)}
		tot, err := focal.Loss(m, focal.Options{}, out, focal.Input[float64]{Logits: x, Targets: y})
		if err != nil {
			t.Fatalf("%v: %v", k, err)
		}
		var sum float64
		for i := range x {
			bce := max(x[i], 0) - x[i]*y[i] + math.Log1p(math.Exp(-math.Abs(x[i])))
			p := 1 / (1 + math.Exp(-x[i]))
			want := [3]float64{bce, (p - y[i]) / float64(n), p * (1 - p) / float64(n)}
			elemClose(t, string(k)+" zero value", x[i], y[i], [3]float64{out.Loss[i], out.Grad[i], out.Hess[i]}, want, 1e-13)
			elemClose(t, string(k)+" zero value Elem", x[i], y[i], elem(m, x[i], y[i]), [3]float64{bce, p - y[i], p * (1 - p)}, 1e-13)
			sum += bce
		}
		if tot.Reduction != focal.Mean || tot.Count != int64(n) || !closeTo(tot.Value(), sum/float64(n), 1e-13) {
			t.Errorf("%v: Total %+v, Value %v; want the mean %v over %d", k, tot, tot.Value(), sum/float64(n), n)
		}
	}
}

// TestSoftmaxZeroValueIsCrossEntropy checks that Softmax{} is valid and,
// with the zero Options, is mean categorical cross-entropy over every
// label (its IgnoreIndex 0 is class 0, not an ignore index): loss
// log Σ e^x − x_y, gradient (p_c − [c = y])/n, Hessian p_c(1 − p_c)/n.
func TestSoftmaxZeroValueIsCrossEntropy(t *testing.T) {
	const rows, C = 40, 5
	rng := rand.New(rand.NewPCG(53, 54))
	x := normals(rng, rows*C, 4)
	labels := make([]int, rows)
	for i := range labels {
		labels[i] = i % C
	}
	out := focal.Outputs[float64]{Loss: make([]float64, rows), Grad: make([]float64, len(x)), Hess: make([]float64, len(x))}
	tot, err := focal.SoftmaxLoss(focal.Softmax{}, focal.Options{}, out, focal.SoftmaxInput[float64, int]{Logits: x, Layout: focal.ClassLast(rows, C), Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for r, lab := range labels {
		row := x[r*C : (r+1)*C]
		m := math.Inf(-1)
		for _, v := range row {
			m = max(m, v)
		}
		var z float64
		for _, v := range row {
			z += math.Exp(v - m)
		}
		lse := m + math.Log(z)
		if want := lse - row[lab]; !closeTo(out.Loss[r], want, 1e-13) {
			t.Errorf("row %d: loss %v, want %v", r, out.Loss[r], want)
		}
		sum += lse - row[lab]
		for c, v := range row {
			p := math.Exp(v - lse)
			onehot := 0.0
			if c == lab {
				onehot = 1
			}
			if g, want := out.Grad[r*C+c], (p-onehot)/rows; !closeTo(g, want, 1e-13) {
				t.Errorf("row %d class %d: grad %v, want %v", r, c, g, want)
			}
			if h, want := out.Hess[r*C+c], p*(1-p)/rows; !closeTo(h, want, 1e-13) {
				t.Errorf("row %d class %d: hess %v, want %v", r, c, h, want)
			}
		}
	}
	if tot.Count != rows || !closeTo(tot.Value(), sum/rows, 1e-13) {
		t.Errorf("Total %+v, Value %v; want the mean %v over %d", tot, tot.Value(), sum/rows, rows)
	}
}

// TestZeroParameterIsReadAsOne checks the parameters whose zero value
// stands for 1: FL*'s γ, reduced focal loss's threshold and varifocal
// loss's α.
func TestZeroParameterIsReadAsOne(t *testing.T) {
	x, y := hardBatch(55, 40)
	soft := append([]float64{}, y...)
	for i := range soft {
		if i%3 == 0 {
			soft[i] = float64(i%7) / 7
		}
	}
	for _, c := range []struct {
		name      string
		zero, one focal.Member
		y         []float64
	}{
		{"flstar gamma", focal.FLStar{Alpha: 0.3, Beta: 0.5}, focal.FLStar{Alpha: 0.3, Gamma: 1, Beta: 0.5}, y},
		{"reduced threshold", focal.Reduced{Alpha: 0.25, Gamma: 2}, focal.Reduced{Alpha: 0.25, Gamma: 2, Threshold: 1}, soft},
		{"varifocal alpha", focal.Varifocal{Gamma: 1.5, IoUWeighted: true}, focal.Varifocal{Alpha: 1, Gamma: 1.5, IoUWeighted: true}, soft},
	} {
		for i := range x {
			if got, want := elem(c.zero, x[i], c.y[i]), elem(c.one, x[i], c.y[i]); got != want {
				t.Errorf("%s: %+v at x = %v, y = %v gives %v, %+v gives %v", c.name, c.zero, x[i], c.y[i], got, c.one, want)
			}
		}
	}
}

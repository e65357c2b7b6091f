package focal_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/focalgo/focal"
)

type goldenCase struct {
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	Alpha       any     `json:"alpha"`
	Gamma       float64 `json:"gamma"`
	Reduction   string  `json:"reduction"`
	IgnoreIndex *int    `json:"ignore_index"`
	Dtype       string  `json:"dtype"`
	Tol         float64 `json:"tol"`
}

func loadGolden(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func goldenArray(t *testing.T, name, part string) npyArray {
	t.Helper()
	a, err := readNpy(filepath.Join("testdata", "golden", name+"."+part+".npy"))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// closeTo reports |got − want| ≤ tol·max(1, |want|): relative for large
// values, absolute near zero, as the golden tolerances are meant.
func closeTo(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}

func toT[T focal.Float](v []float64) []T {
	out := make([]T, len(v))
	for i, f := range v {
		out[i] = T(f)
	}
	return out
}

func runGolden[T focal.Float](t *testing.T, c goldenCase) {
	logits := goldenArray(t, c.Name, "logits")
	targets := goldenArray(t, c.Name, "targets")
	wantLoss := goldenArray(t, c.Name, "loss")
	wantGrad := goldenArray(t, c.Name, "grad")
	red, err := focal.ParseReduction(c.Reduction)
	if err != nil {
		t.Fatal(err)
	}
	x := toT[T](logits.data)
	n := len(x)
	grad := make([]T, n)
	var loss []T
	var tot focal.Total
	switch c.Kind {
	case "sigmoid":
		alpha := c.Alpha.(float64)
		if alpha < 0 {
			alpha = 0 // torchvision's alpha < 0, no α-weighting
		}
		loss = make([]T, n)
		tot, err = focal.Loss(focal.Sigmoid{Alpha: alpha, Gamma: c.Gamma}, focal.Options{Reduction: red},
			focal.Outputs[T]{Loss: loss, Grad: grad}, focal.Input[T]{Logits: x, Targets: toT[T](targets.data)})
	case "softmax":
		s := focal.Softmax{Gamma: c.Gamma, IgnoreIndex: *c.IgnoreIndex}
		if a, ok := c.Alpha.([]any); ok {
			for _, v := range a {
				s.Alpha = append(s.Alpha, v.(float64))
			}
		}
		labels := make([]int64, len(targets.data))
		for i, v := range targets.data {
			labels[i] = int64(v)
		}
		sh := logits.shape
		lay := focal.ClassSecond(sh[0], sh[1], sh[2:]...)
		loss = make([]T, lay.Labels())
		tot, err = focal.SoftmaxLoss(s, focal.Options{Reduction: red}, focal.Outputs[T]{Loss: loss, Grad: grad},
			focal.SoftmaxInput[T, int64]{Logits: x, Layout: lay, Labels: labels})
	}
	if err != nil {
		t.Fatal(err)
	}
	if red == focal.None {
		for i, w := range wantLoss.data {
			if !closeTo(float64(loss[i]), w, c.Tol) {
				t.Fatalf("loss[%d] = %v, want %v (tol %g)", i, loss[i], w, c.Tol)
			}
		}
	} else if got := tot.Value(); !closeTo(got, wantLoss.data[0], c.Tol) {
		t.Fatalf("reduced loss = %v, want %v (tol %g)", got, wantLoss.data[0], c.Tol)
	}
	for i, w := range wantGrad.data {
		if !closeTo(float64(grad[i]), w, c.Tol) {
			t.Fatalf("grad[%d] = %v, want %v (logit %v)", i, grad[i], w, x[i])
		}
	}
}

// TestGoldenPyTorch checks every case computed with PyTorch 1.13 /
// torchvision 0.14 (testdata/golden/gen.py), loss and gradient, in the
// case's dtype and in the other one.
func TestGoldenPyTorch(t *testing.T) {
	for _, c := range loadGolden(t) {
		t.Run(c.Name+"/float64", func(t *testing.T) { runGolden[float64](t, c) })
		if c.Dtype == "float32" {
			t.Run(c.Name+"/float32", func(t *testing.T) { runGolden[float32](t, c) })
		}
	}
}

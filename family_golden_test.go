package focal_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/focalgo/focal"
)

// familyCase is one file of testdata/family, made by gen.py with PyTorch
// 1.13 from each member's reference implementation.
type familyCase struct {
	Name   string             `json:"name"`
	Kind   string             `json:"kind"`
	Params map[string]float64 `json:"params"`
	X      []float64          `json:"x"`
	Y      []float64          `json:"y"`
	Loss   []float64          `json:"loss"`
	Grad   []float64          `json:"grad"`
	Hess   []float64          `json:"hess"`
}

func loadFamilyCases(t *testing.T) []familyCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "family", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no family cases: %v", err)
	}
	var cases []familyCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c familyCase
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cases = append(cases, c)
	}
	return cases
}

func checkClose[T focal.Float](t *testing.T, what string, got []T, want []float64, x []float64, tol float64) {
	t.Helper()
	for i, w := range want {
		if !closeTo(float64(got[i]), w, tol) {
			t.Errorf("%s[%d] = %.12g, want %.12g (x = %v, tol %g)", what, i, got[i], w, x[i], tol)
		}
	}
}

func runFamilyGolden[T focal.Float](t *testing.T, c familyCase, tol float64) {
	k, err := focal.ParseKind(c.Kind)
	if err != nil {
		t.Fatal(err)
	}
	m, err := focal.NewMember(k, c.Params)
	if err != nil {
		t.Fatal(err)
	}
	n := len(c.X)
	out := focal.Outputs[T]{Loss: make([]T, n), Grad: make([]T, n), Hess: make([]T, n)}
	tot, err := focal.Loss(m, focal.Options{Reduction: focal.None}, out, focal.Input[T]{Logits: toT[T](c.X), Targets: toT[T](c.Y)})
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, "loss", out.Loss, c.Loss, c.X, tol)
	checkClose(t, "grad", out.Grad, c.Grad, c.X, tol)
	checkClose(t, "hess", out.Hess, c.Hess, c.X, 10*tol)
	var sum float64
	for _, l := range c.Loss {
		sum += l
	}
	if !closeTo(tot.Sum, sum, tol) {
		t.Errorf("Total.Sum = %v, want %v", tot.Sum, sum)
	}
}

// TestFamilyGoldenPyTorch checks every member's loss, gradient and Hessian
// diagonal against PyTorch autograd through the reference implementation
// (testdata/family/gen.py), in float64 and float32.
func TestFamilyGoldenPyTorch(t *testing.T) {
	for _, c := range loadFamilyCases(t) {
		if strings.HasSuffix(c.Kind, "-softmax") {
			continue // TestScheduledSoftmaxGolden
		}
		t.Run(c.Name+"/float64", func(t *testing.T) { runFamilyGolden[float64](t, c, 1e-11) })
		t.Run(c.Name+"/float32", func(t *testing.T) { runFamilyGolden[float32](t, c, 2e-5) })
	}
}

package focal_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/focalgo/focal/internal/kernel"
	"github.com/focalgo/focal/internal/workload"
)

// resultsEnv names, in a child process of TestKernelsExercised, the file
// it writes its results to.
const resultsEnv = "FOCAL_TEST_RESULTS"

// TestKernelsExercised: SigmoidFocal (with and without the loss per
// element), SparseFocal and SoftmaxFocal in both layouts give, on every
// kernel implementation of this machine and build, the reduced loss (1e-6
// relative) and the gradient (1e-6 of its largest entry) they give on the
// generic one. Each implementation runs in its own process (see eachImpl)
// and writes its results to a file that this one compares. Under -v it
// names the implementations as `focal version` does; the package's other
// tests run the one in use, the first named. .ci/run prints that line.
func TestKernelsExercised(t *testing.T) {
	dir := os.Getenv(resultsEnv)
	if dir == "" {
		dir = t.TempDir()
	}
	eachImpl(t, "TestKernelsExercised", []string{resultsEnv + "=" + dir}, func(t *testing.T, m kernel.Impl) {
		var b bytes.Buffer
		w := workload.NewWorkload(2*workload.Classes*workload.SpatialNCHW + 1003)
		for _, f := range exercisedForms(w) {
			clear(w.Grad) // the class forms write whole rows only
			if err := f.Run(); err != nil {
				t.Fatal(err)
			}
			binary.Write(&b, binary.LittleEndian, w.Total)
			binary.Write(&b, binary.LittleEndian, w.Grad)
		}
		if err := os.WriteFile(filepath.Join(dir, m.String()), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	})
	if os.Getenv(childImplEnv) != "" {
		return
	}
	read := func(m kernel.Impl) *bytes.Reader {
		b, err := os.ReadFile(filepath.Join(dir, m.String()))
		if err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(b)
	}
	w := workload.NewWorkload(2*workload.Classes*workload.SpatialNCHW + 1003)
	impls := kernel.Impls()
	var compared []string
	for _, m := range impls[1:] {
		want, got := read(kernel.Generic), read(m)
		for _, f := range exercisedForms(w) {
			var total, wantTotal float64
			grad, wantGrad := make([]float32, len(w.Grad)), make([]float32, len(w.Grad))
			for _, v := range []any{&wantTotal, wantGrad} {
				if err := binary.Read(want, binary.LittleEndian, v); err != nil {
					t.Fatal(err)
				}
			}
			for _, v := range []any{&total, grad} {
				if err := binary.Read(got, binary.LittleEndian, v); err != nil {
					t.Fatal(err)
				}
			}
			if math.Abs(total-wantTotal) > 1e-6*math.Abs(wantTotal) {
				t.Errorf("%v %s: loss %v, generic %v", m, f.Name, total, wantTotal)
			}
			var worst, largest float64
			for i := range grad {
				worst = max(worst, math.Abs(float64(grad[i]-wantGrad[i])))
				largest = max(largest, math.Abs(float64(wantGrad[i])))
			}
			if worst > 1e-6*largest || largest == 0 {
				t.Errorf("%v %s: gradient differs from the generic one by up to %v (largest entry %v)", m, f.Name, worst, largest)
			}
		}
		compared = append(compared, m.String())
	}
	if len(compared) == 0 {
		compared = []string{"none (no vector kernels)"}
	}
	t.Logf("kernels: %s; compared with generic: %s", kernel.Describe(), strings.Join(compared, ", "))
}

// exercisedForms are the calls TestKernelsExercised compares.
func exercisedForms(w *workload.Workload) []workload.Form {
	return append([]workload.Form{{Name: "SigmoidFocal", Run: w.Focal}, {Name: "SigmoidFocal with loss", Run: w.FocalElementwise}},
		w.ClassForms()...)
}

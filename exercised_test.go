package focal_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/focalgo/focal/internal/bench"
	"github.com/focalgo/focal/internal/kernel"
)

// TestKernelsExercised: SigmoidFocal (with and without the loss per
// element), SparseFocal and SoftmaxFocal in both layouts give, on every
// kernel implementation of this machine and build, the reduced loss (1e-6
// relative) and the gradient (1e-6 of its largest entry) they give on the
// generic one. Under -v it names the implementations as `focal version`
// does; the package's other tests run the one in use, the first named.
// .ci/run prints that line.
func TestKernelsExercised(t *testing.T) {
	w := bench.NewWorkload(2*bench.Classes*bench.SpatialNCHW + 1003)
	forms := append([]bench.Form{{Name: "SigmoidFocal", Run: w.Focal}, {Name: "SigmoidFocal with loss", Run: w.FocalElementwise}},
		w.ClassForms()...)
	impls := kernel.Impls()
	for _, f := range forms {
		clear(w.Grad) // the class forms write whole rows only
		if err := bench.WithImpl(kernel.Generic, f.Run)(); err != nil {
			t.Fatal(err)
		}
		total, grad := w.Total, slices.Clone(w.Grad)
		for _, m := range impls[1:] {
			clear(w.Grad)
			if err := bench.WithImpl(m, f.Run)(); err != nil {
				t.Fatal(err)
			}
			if math.Abs(w.Total-total) > 1e-6*math.Abs(total) {
				t.Errorf("%v %s: loss %v, generic %v", m, f.Name, w.Total, total)
			}
			var worst, largest float64
			for i := range grad {
				worst = max(worst, math.Abs(float64(w.Grad[i]-grad[i])))
				largest = max(largest, math.Abs(float64(grad[i])))
			}
			if worst > 1e-6*largest || largest == 0 {
				t.Errorf("%v %s: gradient differs from the generic one by up to %v (largest entry %v)", m, f.Name, worst, largest)
			}
		}
	}
	compared := []string{"none (no vector kernels)"}
	if len(impls) > 1 {
		compared = compared[:0]
		for _, m := range impls[1:] {
			compared = append(compared, m.String())
		}
	}
	t.Logf("kernels: %s; compared with generic: %s", kernel.Describe(), strings.Join(compared, ", "))
}

package kernel

import (
	"math"
	"testing"
)

// TestHardLanesOnlyWhereAccurate: the float32-lane member kernels are
// refused where they would not keep float32's accuracy, and those calls
// take the float64 lanes: Poly-1 with ε < 0 (its terms cancel) or ε > 64,
// exponents other than 0, 1, 2 (the error grows with the factors of m),
// a Hessian (it cancels near its zero), constants beyond 2^20 or below
// 2^−100 (a gradient scale of 1e30 or 1e-40); and taken at the defaults.
func TestHardLanesOnlyWhereAccurate(t *testing.T) {
	for _, c := range []struct {
		name  string
		spec  MemberSpec
		scale float64
		hess  bool
		want  bool
	}{
		{"poly1", Poly1(0.25, 2, 1), 1.0 / 3, false, true},
		{"poly1 ε = 64", Poly1(0.25, 2, 64), 1.0 / 3, false, true},
		{"poly1 ε < 0", Poly1(0.25, 2, -0.5), 1.0 / 3, false, false},
		{"poly1 ε > 64", Poly1(0.25, 2, 65), 1.0 / 3, false, false},
		{"poly1 γ = 3", Poly1(0.25, 3, 1), 1.0 / 3, false, false},
		{"poly1 γ = 0.5", Poly1(0.25, 0.5, 1), 1.0 / 3, false, false},
		{"poly1 Hessian", Poly1(0.25, 2, 1), 1.0 / 3, true, false},
		{"poly1 scale 1e30", Poly1(0.25, 2, 1), 1e30, false, false},
		{"poly1 scale 1e-40", Poly1(0.25, 2, 1), 1e-40, false, false},
		{"poly1 scale 0", Poly1(0.25, 2, 1), 0, false, true},
		{"quality", Quality(2), 1.0 / 3, false, true},
		{"quality β = 3", Quality(3), 1.0 / 3, false, false},
		{"gaussian", Gaussian(2, 4), 1.0 / 3, false, true},
		{"gaussian γ = 0.5", Gaussian(0.5, 4), 1.0 / 3, false, false},
		{"asymmetric", Asymmetric(0, 4, 0.05, false), 1.0 / 3, false, false},
		{"scheduled", Scheduled(0, []float64{0.2}, []float64{5}, 3), 1.0 / 3, false, false},
	} {
		for _, tb := range tables {
			var q [32]float32
			if got := memberHardOn(tb, &c.spec, &q, c.scale, math.Inf(-1), c.hess) != nil; got != c.want {
				t.Errorf("%v %s: float32 lanes %v, want %v", tb.impl, c.name, got, c.want)
			}
		}
	}
}

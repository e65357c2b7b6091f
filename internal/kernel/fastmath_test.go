package kernel

import (
	"math"
	"testing"
)

// TestFastMathAccuracy: expNeg and log1pUnit are within 1e-9 relative of
// math.Exp and math.Log1p over their whole domains, densely sampled.
func TestFastMathAccuracy(t *testing.T) {
	worstExp, worstLog := 0.0, 0.0
	for a := 0.0; a <= 708; a += 1.0 / 4096 {
		want := math.Exp(-a)
		got := expNeg(a)
		worstExp = max(worstExp, math.Abs(got-want)/want)
		if a <= 40 {
			e := math.Exp(-a)
			wl := math.Log1p(e)
			worstLog = max(worstLog, math.Abs(log1pUnit(e)-wl)/wl)
		}
	}
	for _, e := range []float64{0, 5e-324, 1e-300, 1e-20, 1.0 / 1024, 1.0/1024 - 1e-18, 0.5, 1} {
		if want, got := math.Log1p(e), log1pUnit(e); math.Abs(got-want) > 1e-9*want {
			t.Errorf("log1pUnit(%v) = %v, want %v", e, got, want)
		}
	}
	if worstExp > 1e-9 || worstLog > 1e-9 {
		t.Errorf("worst relative error: expNeg %.3g, log1pUnit %.3g (want ≤ 1e-9)", worstExp, worstLog)
	}
	if expNeg(709) != 0 || expNeg(math.Inf(1)) != 0 || !math.IsNaN(expNeg(math.NaN())) {
		t.Error("expNeg special cases")
	}
}

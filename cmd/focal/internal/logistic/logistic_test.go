package logistic

import (
	"math"
	"testing"
)

// TestSigmoidAndSoftplusAgreeWithTheirDefinitions: σ and softplus equal
// 1/(1 + e^(−x)) and log(1 + eˣ) where those are exact enough to compare,
// stay finite and in range where the definitions overflow, and keep the
// identities σ(x) + σ(−x) = 1 and softplus(x) − softplus(−x) = x.
func TestSigmoidAndSoftplusAgreeWithTheirDefinitions(t *testing.T) {
	for _, x := range []float64{-30, -5, -1, -0.25, 0, 0.25, 1, 5, 30} {
		if got, want := Sigmoid(x), 1/(1+math.Exp(-x)); math.Abs(got-want) > 1e-15 {
			t.Errorf("Sigmoid(%v) = %v, want %v", x, got, want)
		}
		if got, want := Softplus(x), math.Log(1+math.Exp(x)); math.Abs(got-want) > 1e-14*max(1, math.Abs(want)) {
			t.Errorf("Softplus(%v) = %v, want %v", x, got, want)
		}
	}
	for _, x := range []float64{-1000, -750, -40, -1e-3, 1e-3, 40, 750, 1000} {
		s, sp, sn := Sigmoid(x), Softplus(x), Softplus(-x)
		if math.IsNaN(s) || s < 0 || s > 1 || math.Abs(s+Sigmoid(-x)-1) > 1e-15 {
			t.Errorf("Sigmoid(%v) = %v, Sigmoid(%v) = %v: want values in [0, 1] summing to 1", x, s, -x, Sigmoid(-x))
		}
		if math.IsInf(sp, 0) || math.IsNaN(sp) || sp < 0 || math.Abs(sp-sn-x) > 1e-12*max(1, math.Abs(x)) {
			t.Errorf("Softplus(%v) = %v, Softplus(%v) = %v: want finite, ≥ 0, differing by x", x, sp, -x, sn)
		}
	}
}

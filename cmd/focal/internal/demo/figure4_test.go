package demo

import (
	"math"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/logistic"
)

func TestCumulativeShareOfHandMadeLosses(t *testing.T) {
	got := cumulativeShare([]float64{4, 1, 3, 2}, []float64{0, 0.25, 0.5, 0.6, 1})
	want := []float64{0, 0.1, 0.3, 0.6, 1} // sorted 1, 2, 3, 4 of sum 10; 0.6·4 → 3 values
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Errorf("at %d: %v, want %v", i, got[i], want[i])
		}
	}
	if got := cumulativeShare([]float64{0, 0}, []float64{0.5}); got[0] != 0.5 {
		t.Errorf("all-zero losses: %v, want the diagonal", got)
	}
}

// TestFigure4ConcentratesTheNegativeLoss: on logits with mostly easy
// negatives and a few hard ones, a larger γ puts more of the negative loss
// on the hardest negatives (the paper's observation), and γ = 0 is plain
// cross-entropy.
func TestFigure4ConcentratesTheNegativeLoss(t *testing.T) {
	const n = 1000
	h := &heldOut{ts: taskShape{classes: 1}, scenes: make([]Scene, 1)}
	var logits []float32
	for i := range n {
		x := float32(-6 + 4*float64(i%100)/100) // easy negatives, σ ≈ 0.0025 … 0.1
		if i%100 == 0 {
			x = 2 // a hard negative
		}
		logits = append(logits, x)
		h.targets = append(h.targets, 0)
	}
	logits = append(logits, 1, -1)
	h.targets = append(h.targets, 1, 1)
	f := figure4("test", logits, h, 1)
	if f.Positives != 2 || f.Negatives != n {
		t.Fatalf("%d positives, %d negatives", f.Positives, f.Negatives)
	}
	for i := 1; i < len(f.Gammas); i++ {
		if !(f.HardestNegShare[i] > f.HardestNegShare[i-1]) {
			t.Errorf("hardest 1%% share %v at γ = %v, not above %v at γ = %v", f.HardestNegShare[i], f.Gammas[i],
				f.HardestNegShare[i-1], f.Gammas[i-1])
		}
	}
	// γ = 0: the 10 hard negatives carry 10·softplus(2) of the total.
	var total float64
	for _, x := range logits[:n] {
		total += logistic.Softplus(float64(x))
	}
	if want := 10 * logistic.Softplus(2) / total; math.Abs(f.HardestNegShare[0]-want) > 1e-12 {
		t.Errorf("γ = 0: hardest share %v, want %v", f.HardestNegShare[0], want)
	}
	for g := range f.Gammas {
		if f.Neg[g][0] != 0 || math.Abs(f.Neg[g][len(f.Fractions)-1]-1) > 1e-12 || f.Pos[g][len(f.Fractions)-1] != 1 {
			t.Errorf("γ = %v: curves do not run from 0 to 1", f.Gammas[g])
		}
	}
}

package demo

import (
	"math"
	"testing"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/cmd/focal/internal/logistic"
)

func TestConstantLoss(t *testing.T) {
	bce := focal.Sigmoid{}
	for _, f := range []float64{0.5, 0.1, 0.0099, 1e-4} {
		l, p := constantLoss(bce, focal.Mean, f)
		h := -f*math.Log(f) - (1-f)*math.Log1p(-f)
		if math.Abs(p-f) > 1e-6*f || math.Abs(l-h) > 1e-9 {
			t.Errorf("BCE, f = %v: (%v, p = %v), want the binary entropy %v at p = f", f, l, p, h)
		}
	}
	// α-balanced CE: the minimum is at p = αf / (αf + (1 − α)(1 − f)).
	abce := focal.Sigmoid{Alpha: 0.75}
	f := 0.01
	if _, p := constantLoss(abce, focal.Mean, f); math.Abs(p-0.75*f/(0.75*f+0.25*(1-f))) > 1e-6 {
		t.Errorf("α-BCE: p = %v, want %v", p, 0.75*f/(0.75*f+0.25*(1-f)))
	}
	// Focal loss: no better constant on a fine grid, and the minimum is
	// above the positive rate (γ discounts the many easy negatives).
	paper := focal.Sigmoid{Alpha: 0.25, Gamma: 2}
	l, p := constantLoss(paper, focal.Positives, f)
	for q := 0.001; q < 1; q += 0.001 {
		x := math.Log(q / (1 - q))
		v := (f*0.25*(1-q)*(1-q)*logistic.Softplus(-x) + (1-f)*0.75*q*q*logistic.Softplus(x)) / f
		if v < l-1e-12 {
			t.Fatalf("focal: p = %v gives %v < minimum %v at p = %v", q, v, l, p)
		}
	}
	if !(p > 5*f) {
		t.Errorf("focal: constant optimum p = %v, want well above the positive rate %v", p, f)
	}
}

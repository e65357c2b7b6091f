package demo

import (
	"math"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/cmd/focal/internal/logistic"
)

// constantLoss returns the lowest loss, and its probability, that a
// predictor giving every cell the same logit reaches on targets whose
// positive fraction is f: the level a network that learned nothing but
// its last bias sits at. A training loss near it means the features have
// not been learned yet.
//
//	L(x) = [f·α₊·(1 − p)^γ·softplus(−x) + (1 − f)·α₋·p^γ·softplus(x)] / d,  p = σ(x),
//
// with d = 1 for Mean and Sum per cell and d = f for Positives (sum over
// the positive count). For cross-entropy the minimum is at p = f with the
// binary entropy H(f).
func constantLoss(s focal.Sigmoid, r focal.Reduction, f float64) (loss, p float64) {
	ap, an := 1.0, 1.0
	if s.Alpha != 0 {
		ap, an = s.Alpha, 1-s.Alpha
	}
	d := 1.0
	if r == focal.Positives {
		d = f
	}
	l := func(x float64) float64 {
		q := logistic.Sigmoid(x)
		return (f*ap*math.Pow(1-q, s.Gamma)*logistic.Softplus(-x) + (1-f)*an*math.Pow(q, s.Gamma)*logistic.Softplus(x)) / d
	}
	// A grid then a golden-section refinement: L is unimodal in x here.
	best := -20.0
	for x := -20.0; x <= 20; x += 0.01 {
		if l(x) < l(best) {
			best = x
		}
	}
	a, b := best-0.01, best+0.01
	const phi = 0.6180339887498949
	for range 60 {
		c, e := b-phi*(b-a), a+phi*(b-a)
		if l(c) < l(e) {
			b = e
		} else {
			a = c
		}
	}
	x := (a + b) / 2
	return l(x), logistic.Sigmoid(x)
}

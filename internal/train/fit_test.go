package train

import (
	"context"
	"math"
	"testing"

	"github.com/focalgo/focal/internal/dataset"
	"github.com/focalgo/focal/metrics"
)

func evalAP(t *testing.T, m *Model, te *dataset.Set) float64 {
	t.Helper()
	p, err := m.Predict(te.X, te.N)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]bool, te.N)
	for i, v := range te.Y {
		y[i] = v == 1
	}
	ap, err := metrics.AveragePrecision(p, y)
	if err != nil {
		t.Fatal(err)
	}
	return ap
}

func TestEveryLossLearnsImbalancedData(t *testing.T) {
	s := imbalanced(6000, 8, 0.01, 2, 1)
	tr, te, err := dataset.Split(s, 0.3, 1)
	if err != nil {
		t.Fatal(err)
	}
	losses, _ := ParseLosses("bce,balanced,focal", math.NaN(), 2)
	for _, l := range losses {
		for _, hidden := range [][]int{nil, {16}} {
			cfg := Config{Hidden: hidden, Epochs: 8, LR: 1e-2, Batch: 128, Seed: 3, Loss: l}
			fit, err := Fit(context.Background(), cfg, tr, true)
			if err != nil {
				t.Fatalf("%s %v: %v", l.Name, hidden, err)
			}
			ap := evalAP(t, fit.Model, te)
			t.Logf("%s hidden %v: AP %.3f (positive rate 0.01), losses %.4f", l.Label(true), hidden, ap, fit.EpochLoss)
			if ap < 0.3 {
				t.Errorf("%s hidden %v: AP %.3f, want ≥ 0.3 (30× the positive rate)", l.Name, hidden, ap)
			}
		}
	}
}

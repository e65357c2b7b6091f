package train

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
	"github.com/focalgo/focal/cmd/focal/internal/metrics"
	"github.com/focalgo/focal/cmd/focal/internal/synthetic"
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

// Every loss, the focal family included, must rank a 1%-positive set far
// better than chance (AP ≈ the positive rate).
func TestEveryLossLearnsImbalancedData(t *testing.T) {
	s := synthetic.Imbalanced(6000, 8, 0.01, 2, 1)
	tr, te, err := dataset.Split(s, 0.3, 1)
	if err != nil {
		t.Fatal(err)
	}
	losses, err := ParseLosses("all", DefaultLossParams())
	if err != nil || len(losses) < 10 {
		t.Fatalf("%d losses, %v", len(losses), err)
	}
	for _, l := range losses {
		for _, hidden := range [][]int{nil, {16}} {
			cfg := FitConfig{Hidden: hidden, Epochs: 8, LR: 1e-2, Batch: 128, Seed: 3, Loss: l}
			fit, err := Fit(context.Background(), cfg, tr, nil, true)
			if err != nil {
				t.Fatalf("%s %v: %v", l.Name, hidden, err)
			}
			ap := evalAP(t, fit.Model, te)
			t.Logf("%s hidden %v: AP %.3f (positive rate 0.01), %s after %d steps", l.Label(true), hidden, ap, fit.Stop, fit.Steps)
			if ap < 0.3 {
				t.Errorf("%s hidden %v: AP %.3f, want ≥ 0.3 (30× the positive rate)", l.Name, hidden, ap)
			}
		}
	}
}

func TestSameSeedSameMetrics(t *testing.T) {
	dir := t.TempDir()
	csv := synthetic.WriteCSV(t, dir, synthetic.Imbalanced(3000, 6, 0.02, 2, 5))
	run := func(seed uint64) *Report {
		losses, _ := ParseLosses("bce,balanced,focal", DefaultLossParams())
		c := Config{Data: csv, Label: "label", TestFraction: 0.3, ValFraction: 0.2, Losses: losses, Seeds: []uint64{seed},
			Fit: FitConfig{Hidden: []int{8}, Epochs: 3, LR: 1e-2, Batch: 64, Patience: 2, EvalEvery: 5}}
		r, err := Run(context.Background(), c, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b, c := run(11), run(11), run(12)
	for i := range a.Results {
		if *a.Results[i].Binary != *b.Results[i].Binary || !reflect.DeepEqual(a.Results[i].History, b.Results[i].History) {
			t.Errorf("%s: seed 11 twice gave\n%+v\n%+v", a.Results[i].Loss, *a.Results[i].Binary, *b.Results[i].Binary)
		}
		if reflect.DeepEqual(a.Results[i].History, c.Results[i].History) {
			t.Errorf("%s: seeds 11 and 12 gave the same training losses", a.Results[i].Loss)
		}
	}
}

func TestMulticlassEveryLossBeatsChance(t *testing.T) {
	// Three classes of 70%, 25% and 5%, each shifted along its own feature.
	s := synthetic.Shifted(3000, []string{"0", "1", "2"}, func(i int) int {
		switch {
		case i%20 == 0:
			return 2
		case i%4 == 1:
			return 1
		}
		return 0
	}, 2.5, rand.New(rand.NewPCG(3, 4)))
	tr, te, _ := dataset.Split(s, 0.3, 1)
	losses, _ := ParseLosses("bce,balanced,focal,cb-focal-sigmoid", DefaultLossParams())
	for _, l := range losses {
		fit, err := Fit(context.Background(), FitConfig{Hidden: []int{16}, Epochs: 5, LR: 1e-2, Batch: 64, Seed: 1, Loss: l}, tr, nil, false)
		if err != nil {
			t.Fatalf("%s: %v", l.Name, err)
		}
		res, err := evaluate(fit, nil, te, false)
		if err != nil {
			t.Fatal(err)
		}
		m := res.Multiclass
		t.Logf("%s: accuracy %.3f balanced %.3f macro-F1 %.3f recall %.3f", l.Label(false), m.Accuracy, m.BalancedAccuracy, m.MacroF1, m.Recall)
		if m.BalancedAccuracy < 0.7 {
			t.Errorf("%s: balanced accuracy %.3f, want ≥ 0.7 (chance is ⅓)", l.Name, m.BalancedAccuracy)
		}
	}
}

func TestInterruptKeepsLastFinishedEpoch(t *testing.T) {
	s := synthetic.Imbalanced(1000, 4, 0.05, 2, 2)
	l, _ := ParseLosses("focal", DefaultLossParams())
	// A checkpoint at the end of every epoch of 10 steps.
	cfg := FitConfig{Hidden: []int{8}, Epochs: 5, LR: 1e-2, Batch: 100, EvalEvery: 10, Seed: 9, Loss: l[0]}

	ctx, cancel := context.WithCancel(context.Background())
	cfg.Progress = func(s Step) {
		if s.Done == 15 { // in the middle of the second epoch
			cancel()
		}
	}
	got, err := Fit(ctx, cfg, s, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Interrupted || got.Epochs != 1 || got.Steps != 15 {
		t.Fatalf("interrupted %v after %g epochs, %d steps; want true, 1, 15", got.Interrupted, got.Epochs, got.Steps)
	}
	cfg.Epochs, cfg.Progress = 1, nil
	one, err := Fit(context.Background(), cfg, s, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range one.Model.Layers {
		if !slices.Equal(one.Model.Layers[i].W, got.Model.Layers[i].W) {
			t.Fatalf("layer %d: the interrupted model is not the model after epoch 1", i)
		}
	}

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := Fit(ctx, cfg, s, nil, true); !errors.Is(err, ErrInterrupted) {
		t.Errorf("cancelled before any epoch: %v, want ErrInterrupted", err)
	}
}

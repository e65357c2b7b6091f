package train

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/synthetic"
)

func TestLearningRateWarmsUpThenDecays(t *testing.T) {
	cfg := FitConfig{LR: 0.1, Warmup: 0.1, Schedule: ScheduleCosine}
	const budget = 100 // 10 warm-up steps
	for _, c := range []struct {
		step int
		want float64
	}{
		{0, 0.01}, {4, 0.05}, {9, 0.1}, // linear from LR/10 to LR
		{10, 0.1},  // the top of the cosine
		{55, 0.05}, // half way down: (1 + cos(π/2))/2 = ½
		{99, 0.1 * (1 + math.Cos(math.Pi*89/90)) / 2}, // the last step, just above 0
	} {
		if got := learningRate(cfg, c.step, budget); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("step %d: %v, want %v", c.step, got, c.want)
		}
	}
	cfg.Schedule = ScheduleConstant
	if got := learningRate(cfg, 99, budget); got != 0.1 {
		t.Errorf("constant schedule, last step: %v", got)
	}
}

// TestAdamTakesTheScheduledLearningRate: Adam's first step moves every
// weight by about its learning rate (|m̂/√v̂| = 1 on the first step), so the
// largest move after one step is the schedule's rate for step 0 — a fifth
// of --lr with a warm-up of 5 steps — not --lr itself.
func TestAdamTakesTheScheduledLearningRate(t *testing.T) {
	s := synthetic.Imbalanced(200, 3, 0.3, 1, 4)
	l, _ := ParseLosses("bce", DefaultLossParams())
	cfg := FitConfig{Hidden: []int{4}, Solver: SolverAdam, Steps: 10, Warmup: 0.5, LR: 0.01, EvalEvery: 1, Seed: 2, Loss: l[0]}
	ctx, cancel := context.WithCancel(context.Background())
	cfg.Progress = func(Step) { cancel() } // keep the checkpoint of step 1
	fit, err := Fit(ctx, cfg, s, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	counts := s.Counts()
	prior := []float64{float64(counts[0]) / float64(s.N), float64(counts[1]) / float64(s.N)}
	init := newLayers(s.F, cfg.Hidden, prior, outBinary, weightRand(cfg.Seed), false)
	moved := 0.0
	for i, l := range fit.Model.Layers {
		for j, w := range l.W {
			moved = max(moved, math.Abs(float64(w-init[i].W[j])))
		}
	}
	want := learningRate(cfg.withDefaults(), 0, 10) // 0.002
	if fit.BestStep != 1 || !(moved > 0.9*want && moved < 1.01*want) {
		t.Errorf("after step %d the largest move is %.5f, want ≈ %.5f (the warm-up rate)", fit.BestStep, moved, want)
	}
}

// TestEarlyStoppingRestoresTheBestWeights: on a validation split whose
// labels are the training labels flipped, the validation score falls as
// the model learns; training stops after Patience checkpoints without
// progress, and the model returned is, bit for bit, the model of the best
// checkpoint: the one a run of exactly that many steps ends with.
func TestEarlyStoppingRestoresTheBestWeights(t *testing.T) {
	tr := synthetic.Imbalanced(400, 4, 0.3, 1.5, 11)
	val := synthetic.Imbalanced(200, 4, 0.3, 1.5, 12)
	for i, y := range val.Y {
		val.Y[i] = 1 - y
	}
	l, _ := ParseLosses("focal", DefaultLossParams())
	cfg := FitConfig{Hidden: []int{8}, Steps: 400, Batch: 32, LR: 1e-2, EvalEvery: 5, Patience: 4, Seed: 3, Loss: l[0]}
	fit, err := Fit(context.Background(), cfg, tr, val, true)
	if err != nil {
		t.Fatal(err)
	}
	if fit.Stop != StopEarly || fit.Steps >= cfg.Steps || fit.BestStep >= fit.Steps {
		t.Fatalf("stopped by %s after %d steps, best %d; want early stopping past the best", fit.Stop, fit.Steps, fit.BestStep)
	}
	best := 0
	for i, cp := range fit.History {
		if cp.Val.better(*fit.History[best].Val) {
			best = i
		}
	}
	if fit.History[best].Step != fit.BestStep || *fit.Val != *fit.History[best].Val {
		t.Fatalf("best checkpoint at step %d (%+v), kept step %d (%+v)", fit.History[best].Step, *fit.History[best].Val, fit.BestStep, *fit.Val)
	}
	if n := len(fit.History) - 1 - best; n != cfg.Patience {
		t.Errorf("%d checkpoints after the best, want the patience, %d", n, cfg.Patience)
	}
	cfg.Steps, cfg.Patience = fit.BestStep, 0
	short, err := Fit(context.Background(), cfg, tr, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range short.Model.Layers {
		if !slices.Equal(short.Model.Layers[i].W, fit.Model.Layers[i].W) || !slices.Equal(short.Model.Layers[i].B, fit.Model.Layers[i].B) {
			t.Fatalf("layer %d: the model kept is not the model of step %d", i, fit.BestStep)
		}
	}
	if a, b := fit.History[0].Val.Metric, fit.History[len(fit.History)-1].Val.Metric; !(b < a) {
		t.Errorf("validation AP went from %v to %v: the case does not get worse", a, b)
	}
}

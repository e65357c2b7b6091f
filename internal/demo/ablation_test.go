package demo

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/focalgo/focal"
)

// TestAblation is the harness behind the investigation in docs/demo.md, not
// a check: it runs the demo with DefaultConfig changed by environment
// variables and logs one line per loss. It runs only when DEMO_ABLATION is
// set (minutes of CPU). Variables:
//
//	DEMO_STEPS, DEMO_LR, DEMO_EVAL, DEMO_SEED   override the Config fields
//	DEMO_LOSSES   digits indexing ablationLosses (default "0123": Losses)
func TestAblation(t *testing.T) {
	if os.Getenv("DEMO_ABLATION") == "" {
		t.Skip("set DEMO_ABLATION=1 to run")
	}
	cfg := DefaultConfig
	if v := os.Getenv("DEMO_STEPS"); v != "" {
		cfg.Steps, _ = strconv.Atoi(v)
	}
	if v := os.Getenv("DEMO_LR"); v != "" {
		cfg.LR, _ = strconv.ParseFloat(v, 64)
	}
	if v := os.Getenv("DEMO_SEED"); v != "" {
		cfg.Seed, _ = strconv.ParseUint(v, 10, 64)
	}
	if v := os.Getenv("DEMO_EVAL"); v != "" {
		cfg.Eval, _ = strconv.Atoi(v)
	}
	if v := os.Getenv("DEMO_LOSSES"); v != "" {
		cfg.Losses = nil
		for _, c := range v {
			cfg.Losses = append(cfg.Losses, ablationLosses[c-'0'])
		}
	}
	t.Logf("steps %d, lr %g, eval %d, seed %d", cfg.Steps, cfg.LR, cfg.Eval, cfg.Seed)
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s pos=%.4f objs=%v", res.Objects, res.PositiveFraction, res.EvalObjects)
	for _, r := range res.Runs {
		t.Logf("%-14s loss=%.4f ap=%.3f rec=%.3f s=%.3f m=%.3f l=%.3f thr=%.2f bg=%.4f %.0fs", r.Loss, r.FinalLoss, r.AP, r.Recall.All, r.Recall.Small, r.Recall.Medium, r.Recall.Large, r.Recall.Threshold, r.MeanBackgroundProb, r.Seconds)
	}
}

// ablationLosses are Losses followed by variants of focal loss that take
// one ingredient away or change it.
var ablationLosses = append(slices.Clone(Losses),
	Loss{Name: "focal/mean+prior", Sigmoid: focal.Sigmoid{Alpha: 0.25, Gamma: 2}, Prior: Prior},
	Loss{Name: "focal-noα+prior", Sigmoid: focal.Sigmoid{Gamma: 2}, Options: positives, Prior: Prior},
	Loss{Name: "focalγ1+prior", Sigmoid: focal.Sigmoid{Alpha: 0.25, Gamma: 1}, Options: positives, Prior: Prior},
	Loss{Name: "focal", Sigmoid: paper, Options: positives},
	Loss{Name: "focalα.75+prior", Sigmoid: focal.Sigmoid{Alpha: 0.75, Gamma: 2}, Options: positives, Prior: Prior},
	Loss{Name: "focal+prior.1", Sigmoid: paper, Options: positives, Prior: 0.1},
)

// The paper's focal loss: α = 0.25, γ = 2, normalised by the positives.
var (
	paper     = focal.Sigmoid{Alpha: 0.25, Gamma: 2}
	positives = focal.Options{Reduction: focal.Positives}
)

package demo

import (
	"math"
	"testing"
)

func TestStepLRIsThePapersSchedule(t *testing.T) {
	for _, c := range []struct {
		t     int
		decay bool
		want  float64
	}{
		{0, true, 1}, {599, true, 1}, {600, true, 0.1}, {799, true, 0.1}, {800, true, 0.01}, {899, true, 0.01},
		{899, false, 1},
	} {
		if got := stepLR(1, c.t, 900, c.decay); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("step %d of 900 (decay %v): %v, want %v", c.t, c.decay, got, c.want)
		}
	}
}

func TestConvergenceReadsTheLastQuarter(t *testing.T) {
	curve := func(v ...float64) []CurvePoint {
		c := make([]CurvePoint, len(v))
		for i := range v {
			c[i] = CurvePoint{Step: 100 * (i + 1), Val: v[i]}
		}
		return c
	}
	for _, c := range []struct {
		name    string
		tr      trained
		state   string
		gainPts float64
	}{
		// Steps 100 … 400: the last quarter runs from step 300 to 400.
		{"rising", trained{curve: curve(0.1, 0.2, 0.3, 0.35)}, "rising", 5},
		{"flat", trained{curve: curve(0.1, 0.3, 0.305, 0.309)}, "plateau", 0.4},
		{"small but rising", trained{curve: curve(0, 0.001, 0.002, 0.009)}, "rising", 0.7},
		{"half a point on a high score", trained{curve: curve(0.1, 0.3, 0.5, 0.51)}, "plateau", 1},
		{"stopped", trained{curve: curve(0.1, 0.3, 0.25, 0.2), stopped: true}, "stopped", -5},
	} {
		state, gain := convergence(&c.tr)
		if state != c.state || math.Abs(100*gain-c.gainPts) > 1e-9 {
			t.Errorf("%s: %s, gain %v points; want %s, %v", c.name, state, 100*gain, c.state, c.gainPts)
		}
	}
}

// TestSummaryPairsSeeds: the mean and sd over seeds, and the paired
// difference against the cross-entropy of best validation score.
func TestSummaryPairsSeeds(t *testing.T) {
	losses := []Loss{{Name: "ce"}, {Name: "ce2"}, fl(2, 0.25)}
	run := func(i int, seed uint64, ap, val float64) RunResult {
		return RunResult{Index: i, Loss: losses[i].Name, Seed: seed, AP: ap, BestVal: val}
	}
	res := &Result{Runs: []RunResult{
		run(0, 1, 0.20, 0.2), run(0, 2, 0.30, 0.3),
		run(1, 1, 0.25, 0.3), run(1, 2, 0.27, 0.3), // the best CE on validation
		run(2, 1, 0.30, 0.4), run(2, 2, 0.35, 0.4),
	}}
	res.summarize(losses)
	s := res.Summary
	if s[2].Reference != "ce2" || math.Abs(float64(s[2].Mean)-0.325) > 1e-12 ||
		math.Abs(float64(s[2].SD)-math.Sqrt(2*0.025*0.025)) > 1e-12 {
		t.Errorf("focal row %+v: want reference ce2, mean 0.325, sd %v", s[2], math.Sqrt(2*0.025*0.025))
	}
	// Paired differences 0.05 and 0.08: mean 0.065, sd 0.03/√2.
	if math.Abs(float64(s[2].Diff)-0.065) > 1e-12 || math.Abs(float64(s[2].DiffSD)-0.03/math.Sqrt2) > 1e-12 {
		t.Errorf("focal Δ %v ± %v, want 0.065 ± %v", s[2].Diff, s[2].DiffSD, 0.03/math.Sqrt2)
	}
	if s[1].Diff != 0 {
		t.Errorf("the reference's own Δ = %v, want 0", s[1].Diff)
	}
}

func TestLossSetByKeys(t *testing.T) {
	got, err := LossSet("fl-g2,ce-prior", TaskAnchors)
	if err != nil || len(got) != 2 || got[0].Name != "FL γ=2 α=0.25" || got[1].Name != "CE+prior" {
		t.Errorf("fl-g2,ce-prior: %v, %v", got, err)
	}
	for _, l := range Table1Losses {
		if one, err := LossSet(l.Key(), TaskAnchors); err != nil || one[0].Name != l.Name {
			t.Errorf("key %s: %v, %v; want %s", l.Key(), one, err, l.Name)
		}
	}
	if _, err := LossSet("fl-g0.5", TaskCells); err == nil {
		t.Errorf("fl-g0.5 in the cells task: no error")
	}
}

// TestPanelLabelsAreASCII: every loss name reaches the panels' ASCII
// bitmap font as ASCII.
func TestPanelLabelsAreASCII(t *testing.T) {
	for _, set := range [][]Loss{CellLosses, AnchorLosses, Table1Losses} {
		for _, l := range set {
			for _, r := range asciiLabel(l.Name) {
				if r > 127 {
					t.Errorf("%s: label %q is not ASCII", l.Name, asciiLabel(l.Name))
					break
				}
			}
		}
	}
}

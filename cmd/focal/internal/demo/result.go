package demo

import (
	"encoding/json"
	"math"
)

// A Num is a float64 written to JSON as null when it is NaN (a size class
// without objects, a standard deviation of one seed).
type Num float64

// MarshalJSON writes NaN and ±Inf as null.
func (n Num) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(n))
}

// UnmarshalJSON reads null as NaN.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	return json.Unmarshal(b, (*float64)(n))
}

// Result is what a run measured.
type Result struct {
	Task Task `json:"task"`
	// Objects says where the objects came from: "fashion-mnist" or "shapes".
	Objects  string    `json:"objects"`
	Steps    int       `json:"steps"`
	Size     int       `json:"size"`
	Batch    int       `json:"batch"`
	Seeds    []uint64  `json:"seeds"`
	LR       float64   `json:"lr"`
	LRGrid   []float64 `json:"lr_grid,omitempty"`
	Decay    bool      `json:"step_decay"`
	Stride   int       `json:"stride"`
	Val      int       `json:"val_scenes"`
	ValEvery int       `json:"val_every"`
	Patience int       `json:"patience"`
	FPPI     float64   `json:"fppi"`
	// Classes and Anchors per cell (0 in the cells task); LogitsPerImage
	// is the number of sigmoid logits of one scene.
	Classes        int `json:"classes"`
	Anchors        int `json:"anchors"`
	LogitsPerImage int `json:"logits_per_image"`
	// Eval is the number of test scenes.
	Eval int `json:"eval_scenes"`
	// EvalObjects counts the objects of the first seed's test scenes by
	// size class.
	EvalObjects map[string]int `json:"eval_objects"`
	// PositiveFraction is the fraction of positive logits among the used
	// ones (test scenes).
	PositiveFraction float64 `json:"positive_fraction"`
	// UsedFraction is the fraction of logits not ignored by the
	// assignment (test scenes).
	UsedFraction float64 `json:"used_fraction"`
	// Reachable is the fraction of test objects that some anchor box
	// overlaps with IoU ≥ 0.5 (anchors task): the detector has no box
	// regression, so no loss can find the others.
	Reachable float64 `json:"reachable,omitempty"`
	// TrainPositiveFraction is the fraction of positive logits among the
	// used ones over the training steps of the first run.
	TrainPositiveFraction float64 `json:"train_positive_fraction"`
	// LRSearch are the learning rates tried on the first seed, per loss.
	LRSearch []LRTrial `json:"lr_search,omitempty"`
	// Runs are the training runs, by loss then seed.
	Runs []RunResult `json:"runs"`
	// Summary has one row per loss: the mean and sd over seeds and the
	// paired difference against the best cross-entropy.
	Summary []Summary `json:"summary"`
	// Figure4 is the paper's Figure 4 from the first γ = 2 run, if any.
	Figure4 *Figure4 `json:"figure4,omitempty"`

	// What the panels need: the test scenes drawn and, per loss, its
	// first seed's logits and detections on them.
	scenes []Scene
	views  []runView
}

// A runView is what the panels draw of one run.
type runView struct {
	run    int       // index in Runs
	maps   []float32 // logits of the panel scenes
	boxes  []BoxDetection
	cells  []Detection
	recall Recall
}

// An LRTrial is one learning rate tried for a loss on the first seed.
type LRTrial struct {
	Loss     string  `json:"loss"`
	LR       float64 `json:"lr"`
	BestVal  float64 `json:"best_val"`
	BestStep int     `json:"best_step"`
}

// A CurvePoint is one validation score of a run.
type CurvePoint struct {
	Step int `json:"step"`
	// Val is the validation score: AP@0.5 (anchors) or recall at FPPI
	// (cells).
	Val float64 `json:"val"`
	// TrainLoss is the mean training loss since the previous point.
	TrainLoss float64 `json:"train_loss"`
}

// RunResult is one loss's training and test evaluation on one seed.
type RunResult struct {
	Loss      string  `json:"loss"`
	Index     int     `json:"-"` // in the run's losses
	Alpha     float64 `json:"alpha"`
	Gamma     float64 `json:"gamma"`
	Reduction string  `json:"reduction"`
	Prior     float64 `json:"prior"`
	Seed      uint64  `json:"seed"`
	LR        float64 `json:"lr"`
	// StepsRun is the number of steps trained, BestStep the step of the
	// best validation score BestVal, whose parameters the test scenes
	// score; Stopped says early stopping ended the run.
	StepsRun int     `json:"steps_run"`
	BestStep int     `json:"best_step"`
	BestVal  float64 `json:"best_val"`
	Stopped  bool    `json:"stopped_early"`
	// State is "rising", "plateau" or "stopped" (see convergence), and
	// LastQuarterGain the validation score's change over the last quarter
	// of the steps run.
	State           string  `json:"state"`
	LastQuarterGain float64 `json:"last_quarter_gain"`
	// FinalLoss is the mean training loss over the last 10% of the steps.
	FinalLoss float64 `json:"final_loss"`
	// ConstantLoss is the lowest training loss reachable with the same
	// logit everywhere (see constantLoss): FinalLoss near it means the
	// network has learned little beyond its last bias.
	ConstantLoss float64 `json:"constant_loss"`
	Seconds      float64 `json:"train_seconds"`
	// AP is AP@0.5 of the boxes (anchors task) or the cell AP (cells).
	AP float64 `json:"ap"`
	// Small, Medium and Large are AP@0.5 by object size (anchors) or the
	// object recall at FPPI by size (cells).
	Small  Num `json:"small"`
	Medium Num `json:"medium"`
	Large  Num `json:"large"`
	// Recall is the object recall at FPPI false positives per image
	// (cells task).
	Recall *Recall `json:"recall,omitempty"`
	// MeanBackgroundProb is the mean predicted probability over the
	// held-out negative logits.
	MeanBackgroundProb float64 `json:"mean_background_prob"`
	// Curve is the validation score every ValEvery steps.
	Curve []CurvePoint `json:"curve"`
}

// Headline is the run's main test score: AP@0.5 (anchors) or recall at
// FPPI (cells).
func (r RunResult) Headline() float64 {
	if r.Recall != nil {
		return r.Recall.All
	}
	return r.AP
}

// A Summary is one loss over the seeds.
type Summary struct {
	Loss string  `json:"loss"`
	LR   float64 `json:"lr"`
	// Mean and SD of the headline score over seeds (SD is NaN, written
	// null, for one seed), and the mean by size.
	Mean   Num `json:"mean"`
	SD     Num `json:"sd"`
	Small  Num `json:"small"`
	Medium Num `json:"medium"`
	Large  Num `json:"large"`
	// MeanVal is the mean best validation score.
	MeanVal Num `json:"mean_best_val"`
	// Diff and DiffSD are the mean and sd over seeds of the paired
	// difference of the headline score against Reference.
	Diff      Num      `json:"diff"`
	DiffSD    Num      `json:"diff_sd"`
	Reference string   `json:"reference"`
	States    []string `json:"states"`
}

// summarize fills res.Summary: per loss the mean and sample sd over seeds
// of the headline score, and the paired difference (same seed, so the
// same scenes and initial weights) against the reference: the
// cross-entropy loss (γ = 0) with the best mean validation score.
func (res *Result) summarize(losses []Loss) {
	byLoss := make([][]RunResult, len(losses))
	for _, r := range res.Runs {
		byLoss[r.Index] = append(byLoss[r.Index], r)
	}
	ref := -1
	for i, l := range losses {
		res.Summary = append(res.Summary, Summary{Loss: l.Name})
		s := &res.Summary[i]
		var head, small, med, large, val []float64
		for _, r := range byLoss[i] {
			head, small = append(head, r.Headline()), append(small, float64(r.Small))
			med, large = append(med, float64(r.Medium)), append(large, float64(r.Large))
			val = append(val, r.BestVal)
			s.States = append(s.States, r.State)
			s.LR = r.LR
		}
		m, sd := meanSD(head)
		s.Mean, s.SD = Num(m), Num(sd)
		s.Small, s.Medium, s.Large = Num(mean(small)), Num(mean(med)), Num(mean(large))
		s.MeanVal = Num(mean(val))
		if l.crossEntropy() && (ref < 0 || s.MeanVal > res.Summary[ref].MeanVal) {
			ref = i
		}
	}
	for i := range res.Summary {
		s := &res.Summary[i]
		s.Diff, s.DiffSD = Num(nan), Num(nan)
		if ref < 0 {
			continue
		}
		s.Reference = losses[ref].Name
		var d []float64
		for k, r := range byLoss[i] {
			if k < len(byLoss[ref]) && byLoss[ref][k].Seed == r.Seed {
				d = append(d, r.Headline()-byLoss[ref][k].Headline())
			}
		}
		m, sd := meanSD(d)
		s.Diff, s.DiffSD = Num(m), Num(sd)
	}
}

// meanSD returns the mean and the sample standard deviation of v (NaN
// when undefined).
func meanSD(v []float64) (mean, sd float64) {
	if len(v) == 0 {
		return nan, nan
	}
	for _, x := range v {
		mean += x / float64(len(v))
	}
	if len(v) < 2 {
		return mean, nan
	}
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(v)-1))
}

func mean(v []float64) float64 { m, _ := meanSD(v); return m }

package train

import (
	"math"

	"gonum.org/v1/gonum/stat"

	"github.com/focalgo/focal/cmd/focal/internal/metrics"
)

// MeanSD is the mean and the sample standard deviation (n − 1) of a
// metric over seeds.
type MeanSD struct {
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	N    int     `json:"n"`
}

func meanSD(x []float64) MeanSD {
	m, sd := stat.MeanStdDev(x, nil)
	if len(x) < 2 {
		sd = 0
	}
	return MeanSD{Mean: m, SD: sd, N: len(x)}
}

// Summary is one loss's results over the seeds.
type Summary struct {
	Loss string `json:"loss"`
	Name string `json:"name"`
	// Metrics maps the metric names of metrics.Binary or
	// metrics.Multiclass (JSON names) to their mean and deviation.
	Metrics map[string]MeanSD `json:"metrics"`
	Steps   MeanSD            `json:"steps"`
	// Main is the metric the paired difference is of: average precision
	// (binary) or balanced accuracy (multi-class).
	Main string `json:"main_metric"`
	// Versus is the loss the differences are taken against, the first of
	// the list (cross-entropy with --compare); Diff is the mean and
	// deviation over the seeds of this loss's Main minus Versus's, seed by
	// seed. Both are absent for the first loss itself.
	Versus string  `json:"versus,omitempty"`
	Diff   *MeanSD `json:"paired_difference,omitempty"`
	// Calibration summarises Result.Calibration.
	Calibration *CalibrationSummary `json:"calibration,omitempty"`
}

// CalibrationSummary is the mean and deviation over the seeds of each
// calibration metric (by the JSON names of metrics.Calibration) before
// and after temperature scaling, and of the temperature.
type CalibrationSummary struct {
	Before      map[string]MeanSD `json:"before"`
	After       map[string]MeanSD `json:"after,omitempty"`
	Temperature *MeanSD           `json:"temperature,omitempty"`
}

// calibrationNames are the metrics of metrics.Calibration, by JSON name,
// in the order of the tables.
var calibrationNames = []string{"nll", "brier", "ece", "adaptive_ece", "classwise_ece", "mce"}

func calibrationValues(c *metrics.Calibration) []float64 {
	return []float64{c.NLL, c.Brier, c.ECE, c.AdaptiveECE, c.ClasswiseECE, c.MCE}
}

// summarizeCalibration returns the calibration summary of runs, nil when
// some run has none.
func summarizeCalibration(runs []*Result) *CalibrationSummary {
	of := func(pick func(*Calibration) *metrics.Calibration) map[string]MeanSD {
		v := make([][]float64, len(calibrationNames))
		for _, res := range runs {
			c := pick(res.Calibration)
			if c == nil {
				return nil
			}
			for j, x := range calibrationValues(c) {
				v[j] = append(v[j], x)
			}
		}
		out := map[string]MeanSD{}
		for j, n := range calibrationNames {
			out[n] = meanSD(v[j])
		}
		return out
	}
	for _, res := range runs {
		if res.Calibration == nil {
			return nil
		}
	}
	s := &CalibrationSummary{
		Before: of(func(c *Calibration) *metrics.Calibration { return &c.Before }),
		After:  of(func(c *Calibration) *metrics.Calibration { return c.After }),
	}
	if s.After != nil {
		t := make([]float64, len(runs))
		for i, res := range runs {
			t[i] = res.Calibration.Temperature.T
		}
		ms := meanSD(t)
		s.Temperature = &ms
	}
	return s
}

// metricValues returns the summarised metrics of a result, by JSON name,
// in the order of the table.
func metricValues(res *Result) (names []string, values []float64) {
	if b := res.Binary; b != nil {
		return []string{"average_precision", "roc_auc", "best_f1", "recall_at_precision_0.9", "brier", "ece"},
			[]float64{b.AveragePrecision, b.ROCAUC, b.BestF1, b.RecallAtPrecision90, b.Brier, b.ECE}
	}
	m := res.Multiclass
	return []string{"accuracy", "balanced_accuracy", "macro_f1", "ece"},
		[]float64{m.Accuracy, m.BalancedAccuracy, m.MacroF1, m.ECE}
}

// summarize returns a Summary per loss of r, in the order of the losses;
// only seeds on which every loss finished enter the paired differences.
func summarize(r *Report) []Summary {
	var order []string
	byLoss := map[string][]*Result{}
	for i := range r.Results {
		res := &r.Results[i]
		if _, ok := byLoss[res.Name]; !ok {
			order = append(order, res.Name)
		}
		byLoss[res.Name] = append(byLoss[res.Name], res)
	}
	main := "balanced_accuracy"
	if r.Task == "binary" {
		main = "average_precision"
	}
	mainOf := func(res *Result) float64 {
		names, values := metricValues(res)
		for i, n := range names {
			if n == main {
				return values[i]
			}
		}
		return math.NaN()
	}
	base := map[uint64]float64{}
	for _, res := range byLoss[order[0]] {
		base[res.Seed] = mainOf(res)
	}
	var out []Summary
	for k, name := range order {
		runs := byLoss[name]
		s := Summary{Loss: runs[0].Loss, Name: name, Metrics: map[string]MeanSD{}, Main: main}
		names, _ := metricValues(runs[0])
		for j, n := range names {
			v := make([]float64, len(runs))
			for i, res := range runs {
				_, values := metricValues(res)
				v[i] = values[j]
			}
			s.Metrics[n] = meanSD(v)
		}
		steps := make([]float64, len(runs))
		var diff []float64
		for i, res := range runs {
			steps[i] = float64(res.BestStep)
			if b, ok := base[res.Seed]; ok && k > 0 {
				diff = append(diff, mainOf(res)-b)
			}
		}
		s.Steps = meanSD(steps)
		s.Calibration = summarizeCalibration(runs)
		if k > 0 && len(diff) > 0 {
			d := meanSD(diff)
			s.Versus, s.Diff = order[0], &d
		}
		out = append(out, s)
	}
	return out
}

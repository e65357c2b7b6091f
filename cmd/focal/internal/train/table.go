package train

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/focalgo/focal/cmd/focal/internal/metrics"
)

func writeTable(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	val := ""
	if v := r.Validation; v != nil {
		val = fmt.Sprintf(", validation %d", v.Examples)
		if r.Task == "binary" {
			val += fmt.Sprintf(" (%d positive)", v.PerClass[1])
		}
	}
	if r.Task == "binary" {
		fmt.Fprintf(tw, "binary task: class %q against the rest; %d features\n", r.Positive, r.Features)
		fmt.Fprintf(tw, "train %d examples (%d positive)%s, test %d (%d positive)\n",
			r.Train.Examples, r.Train.PerClass[1], val, r.Test.Examples, r.Test.PerClass[1])
	} else {
		fmt.Fprintf(tw, "multi-class task: %d classes; %d features\n", len(r.Classes), r.Features)
		fmt.Fprintf(tw, "train %d examples%s, test %d\n", r.Train.Examples, val, r.Test.Examples)
	}
	if r.LongTail > 0 {
		fmt.Fprintf(tw, "long tail ρ = %g: training classes %s\n", r.LongTail, widths(r.Train.PerClass))
	}
	seeds := fmt.Sprintf("seed %d", r.Seeds[0])
	if len(r.Seeds) > 1 {
		s := make([]string, len(r.Seeds))
		for i, x := range r.Seeds {
			s[i] = fmt.Sprint(x)
		}
		seeds = "seeds " + strings.Join(s, ",")
	}
	fmt.Fprintf(tw, "%s: %s; %s\n\n", r.Model, r.Training, seeds)
	if len(r.Summary) > 0 {
		if err := writeSummary(tw, r); err != nil {
			return err
		}
		return writeCalibration(w, r)
	}
	if err := writeResults(tw, r); err != nil {
		return err
	}
	return writeCalibration(w, r)
}

// writeResults prints one row per result.
func writeResults(tw *tabwriter.Writer, r *Report) error {

	if r.Task == "binary" {
		fmt.Fprintln(tw, "loss\tAP\tROC-AUC\tbest F1\trecall@F1\trecall@P≥0.9\tBrier\tECE\tstop\ttime")
		for _, res := range r.Results {
			b := res.Binary
			fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%s\t%.1fs\n", res.Loss,
				b.AveragePrecision, b.ROCAUC, b.BestF1, b.RecallAtBestF1, b.RecallAtPrecision90,
				b.Brier, b.ECE, stopCell(res), res.Seconds)
		}
		fmt.Fprintln(tw, "\nAP: average precision; best F1 and recall@F1 at the F1-best threshold, chosen on the test set;")
		fmt.Fprintln(tw, "ECE: positive-class calibration error, 15 equal-width bins.")
		return tw.Flush()
	}
	fmt.Fprintln(tw, "loss\taccuracy\tbalanced acc\tmacro-F1\tECE\tstop\ttime")
	for _, res := range r.Results {
		m := res.Multiclass
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t%s\t%.1fs\n", res.Loss,
			m.Accuracy, m.BalancedAccuracy, m.MacroF1, m.ECE, stopCell(res), res.Seconds)
	}
	losses := make([]string, len(r.Results))
	for k, res := range r.Results {
		losses[k] = res.Loss
	}
	writeRecallPerClass(tw, r, "recall per class", losses, func(k, c int) float64 { return r.Results[k].Multiclass.Recall[c] })
	fmt.Fprintln(tw, "\nECE: top-label calibration error, 15 equal-width bins.")
	return tw.Flush()
}

// writeRecallPerClass prints, after a blank line and the title, a row per
// class of its test count and one recall column per loss: recall(k, c) is
// the recall of class c under losses[k].
func writeRecallPerClass(tw *tabwriter.Writer, r *Report, title string, losses []string, recall func(k, c int) float64) {
	fmt.Fprintf(tw, "\n%s\nclass\ttest n", title)
	for _, l := range losses {
		fmt.Fprintf(tw, "\t%s", l)
	}
	fmt.Fprintln(tw)
	for c, name := range r.Classes {
		fmt.Fprintf(tw, "%s\t%d", name, r.Test.PerClass[c])
		for k := range losses {
			fmt.Fprintf(tw, "\t%.4f", recall(k, c))
		}
		fmt.Fprintln(tw)
	}
}

// stopCell says why and where a run stopped.
func stopCell(res Result) string {
	if res.Evaluations > 0 { // L-BFGS
		return fmt.Sprintf("%s (%d it)", res.Stop, res.Steps)
	}
	if res.BestStep == res.Steps {
		return fmt.Sprintf("%s (step %d)", res.Stop, res.Steps)
	}
	return fmt.Sprintf("%s (best %d of %d)", res.Stop, res.BestStep, res.Steps)
}

// writeSummary prints the mean ± sd over the seeds of each loss, and the
// paired difference of the main metric against the first loss.
func writeSummary(tw *tabwriter.Writer, r *Report) error {
	ms := func(s Summary, name string) string {
		v := s.Metrics[name]
		return fmt.Sprintf("%.4f ± %.4f", v.Mean, v.SD)
	}
	diff := func(s Summary) string {
		if s.Diff == nil {
			return "—"
		}
		return fmt.Sprintf("%+.4f ± %.4f", s.Diff.Mean, s.Diff.SD)
	}
	first := r.Summary[0]
	if r.Task == "binary" {
		fmt.Fprintf(tw, "loss\tAP\tROC-AUC\tbest F1\tBrier\tECE\tΔAP vs %s\tsteps\n", first.Loss)
		for _, s := range r.Summary {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\n", s.Loss,
				ms(s, "average_precision"), ms(s, "roc_auc"), ms(s, "best_f1"), ms(s, "brier"), ms(s, "ece"),
				diff(s), s.Steps.Mean)
		}
	} else {
		fmt.Fprintf(tw, "loss\taccuracy\tbalanced acc\tmacro-F1\tECE\tΔbal. acc vs %s\tsteps\n", first.Loss)
		for _, s := range r.Summary {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.0f\n", s.Loss,
				ms(s, "accuracy"), ms(s, "balanced_accuracy"), ms(s, "macro_f1"), ms(s, "ece"),
				diff(s), s.Steps.Mean)
		}
		losses := make([]string, len(r.Summary))
		for k, s := range r.Summary {
			losses[k] = s.Loss
		}
		writeRecallPerClass(tw, r, "mean recall per class", losses, func(k, c int) float64 {
			sum, n := 0.0, 0
			for _, res := range r.Results {
				if res.Name == r.Summary[k].Name {
					sum += res.Multiclass.Recall[c]
					n++
				}
			}
			return sum / float64(n)
		})
	}
	fmt.Fprintf(tw, "\nmean ± sample sd over %d seeds; Δ: this loss minus %s, seed by seed (the same split and initial\n", len(r.Seeds), first.Loss)
	fmt.Fprintln(tw, "weights), then mean ± sd: a Δ within about two sd/√seeds of 0 is not a measured difference; steps: of the model kept.")
	return tw.Flush()
}

// scaled reports whether the report's results were temperature scaled.
func (r *Report) scaled() bool {
	return len(r.Results) > 0 && r.Results[0].Calibration != nil && r.Results[0].Calibration.After != nil
}

// writeCalibration prints, with temperature scaling, every calibration
// metric of the test set per loss, before (one row) and after scaling (a
// row "  T-scaled"), with the temperature: per result, or mean ± sd over
// the seeds.
func writeCalibration(w io.Writer, r *Report) error {
	if !r.scaled() {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	what := "top label"
	if r.Task == "binary" {
		what = "positive class"
	}
	fmt.Fprintf(tw, "\ncalibration on the test set, before and after temperature scaling (T fitted on the validation split)\n")
	fmt.Fprintln(tw, "loss\tT\tNLL\tBrier\tECE\tadaptive ECE\tclasswise ECE\tMCE\tval NLL")
	if len(r.Summary) > 0 {
		ms := func(v MeanSD) string { return fmt.Sprintf("%.4f ± %.4f", v.Mean, v.SD) }
		for _, s := range r.Summary {
			c := s.Calibration
			if c == nil || c.After == nil {
				continue
			}
			var vb, va []float64
			for _, res := range r.Results {
				if res.Name == s.Name {
					vb = append(vb, res.Calibration.Temperature.NLLBefore)
					va = append(va, res.Calibration.Temperature.NLLAfter)
				}
			}
			for k, m := range []map[string]MeanSD{c.Before, c.After} {
				name, t, vn := s.Loss, "1", ms(meanSD(vb))
				if k == 1 {
					name, t, vn = "  T-scaled", fmt.Sprintf("%.3f ± %.3f", c.Temperature.Mean, c.Temperature.SD), ms(meanSD(va))
				}
				fmt.Fprintf(tw, "%s\t%s", name, t)
				for _, n := range calibrationNames {
					fmt.Fprintf(tw, "\t%s", ms(m[n]))
				}
				fmt.Fprintf(tw, "\t%s\n", vn)
			}
		}
	} else {
		for _, res := range r.Results {
			c := res.Calibration
			for k, m := range []*metrics.Calibration{&c.Before, c.After} {
				name, t, vn := res.Loss, "1", c.Temperature.NLLBefore
				if k == 1 {
					name, t, vn = "  T-scaled", fmt.Sprintf("%.3f", c.Temperature.T), c.Temperature.NLLAfter
				}
				fmt.Fprintf(tw, "%s\t%s", name, t)
				for _, v := range calibrationValues(m) {
					fmt.Fprintf(tw, "\t%.4f", v)
				}
				fmt.Fprintf(tw, "\t%.4f\n", vn)
			}
		}
	}
	brier := "sum form, in [0, 2]"
	if r.Task == "binary" {
		brier = "in [0, 1]"
	}
	fmt.Fprintf(tw, "\nNLL in nats; Brier %s; ECE, adaptive ECE (equal-mass bins) and MCE of the %s, classwise ECE over\n", brier, what)
	fmt.Fprintln(tw, "the classes, all with 15 bins; T = 1 is the model as trained; T is kept only where it lowers the validation NLL.")
	return tw.Flush()
}

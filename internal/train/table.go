package train

import (
	"fmt"
	"io"
	"text/tabwriter"
)

func writeTable(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if r.Task == "binary" {
		fmt.Fprintf(tw, "binary task: class %q against the rest; %d features\n", r.Positive, r.Features)
		fmt.Fprintf(tw, "train %d examples (%d positive), test %d (%d positive)\n",
			r.Train.Examples, r.Train.PerClass[1], r.Test.Examples, r.Test.PerClass[1])
	} else {
		fmt.Fprintf(tw, "multi-class task: %d classes; %d features\n", len(r.Classes), r.Features)
		fmt.Fprintf(tw, "train %d examples, test %d\n", r.Train.Examples, r.Test.Examples)
	}
	fmt.Fprintf(tw, "%s, %d epochs, batch %d, Adam lr %g, seed %d\n\n", r.Model, r.Epochs, r.Batch, r.LR, r.Seed)

	if r.Task == "binary" {
		fmt.Fprintln(tw, "loss\tAP\tROC-AUC\tbest F1\trecall@F1\trecall@P≥0.9\tBrier\tECE\tepochs\ttime")
		for _, res := range r.Results {
			b := res.Binary
			fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%s\t%.1fs\n", res.Loss,
				b.AveragePrecision, b.ROCAUC, b.BestF1, b.RecallAtBestF1, b.RecallAtPrecision90,
				b.Brier, b.ECE, epochs(res, r.Epochs), res.Seconds)
		}
		fmt.Fprintln(tw, "\nAP: average precision; best F1 and recall@F1 at the F1-best threshold, chosen on the test set;")
		fmt.Fprintln(tw, "ECE: positive-class calibration error, 15 equal-width bins.")
		return tw.Flush()
	}
	fmt.Fprintln(tw, "loss\taccuracy\tbalanced acc\tmacro-F1\tECE\tepochs\ttime")
	for _, res := range r.Results {
		m := res.Multiclass
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t%s\t%.1fs\n", res.Loss,
			m.Accuracy, m.BalancedAccuracy, m.MacroF1, m.ECE, epochs(res, r.Epochs), res.Seconds)
	}
	fmt.Fprint(tw, "\nrecall per class\nclass\ttest n")
	for _, res := range r.Results {
		fmt.Fprintf(tw, "\t%s", res.Loss)
	}
	fmt.Fprintln(tw)
	for c, name := range r.Classes {
		fmt.Fprintf(tw, "%s\t%d", name, r.Test.PerClass[c])
		for _, res := range r.Results {
			fmt.Fprintf(tw, "\t%.4f", res.Multiclass.Recall[c])
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintln(tw, "\nECE: top-label calibration error, 15 equal-width bins.")
	return tw.Flush()
}

func epochs(res Result, want int) string {
	if res.Interrupted {
		return fmt.Sprintf("%d of %d", res.Epochs, want)
	}
	return fmt.Sprint(res.Epochs)
}

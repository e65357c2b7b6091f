package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/focalgo/focal/internal/atomicfile"
)

// Output file names in the output directory, besides the panels.
const (
	TableFile = "table.txt"
	JSONFile  = "results.json"
)

// WriteTable prints the comparison: per loss, the cell AP, the object
// recall at the FPPI threshold overall and by size class, the mean
// background probability and the final training loss.
func WriteTable(w io.Writer, res *Result) error {
	fmt.Fprintf(w, "objects: %s; %d steps × %d scenes of %d×%d, stride %d, seed %d, lr %g\n",
		res.Objects, res.Steps, res.Batch, res.Size, res.Size, res.Stride, res.Seed, res.LR)
	fmt.Fprintf(w, "held out: %d scenes, %d small / %d medium / %d large objects, %.2f%% positive cells\n\n",
		res.Eval, res.EvalObjects[Small.String()], res.EvalObjects[Medium.String()], res.EvalObjects[Large.String()],
		100*res.PositiveFraction)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-13s\t", "loss")
	fmt.Fprintf(tw, "cell AP\trecall@%gFP/img\tsmall\tmedium\tlarge\tmean bg p\tfinal loss\tconstant\ttrain s\t\n", res.FPPI)
	for _, r := range res.Runs {
		fmt.Fprintf(tw, "%-13s\t%.3f\t%s\t%s\t%s\t%s\t%.4f\t%.4f\t%.4f\t%.0f\t\n", r.Loss, r.AP,
			pct(r.Recall.All), pct(r.Recall.Small), pct(r.Recall.Medium), pct(r.Recall.Large),
			r.MeanBackgroundProb, r.FinalLoss, r.ConstantLoss, r.Seconds)
	}
	return tw.Flush()
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

// WriteJSON writes res as indented JSON. NaN recalls (a size class
// without objects) are written as null.
func WriteJSON(w io.Writer, res *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// MarshalJSON writes NaN fields as null.
func (r Recall) MarshalJSON() ([]byte, error) {
	f := func(v float64) *float64 {
		if math.IsNaN(v) {
			return nil
		}
		return &v
	}
	return json.Marshal(struct {
		All       *float64 `json:"all"`
		Small     *float64 `json:"small"`
		Medium    *float64 `json:"medium"`
		Large     *float64 `json:"large"`
		Threshold float32  `json:"threshold_logit"`
	}{f(r.All), f(r.Small), f(r.Medium), f(r.Large), r.Threshold})
}

// WriteOutputs writes the table, the JSON and the panels into dir,
// creating it if needed; all files appear or none does.
func WriteOutputs(dir string, res *Result) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	paths := []string{filepath.Join(dir, TableFile), filepath.Join(dir, JSONFile)}
	fills := []func(io.Writer) error{
		func(w io.Writer) error { return WriteTable(w, res) },
		func(w io.Writer) error { return WriteJSON(w, res) },
	}
	for k := range res.scenes {
		paths = append(paths, filepath.Join(dir, panelName(k)))
		fills = append(fills, func(w io.Writer) error { return writePanel(w, res, k) })
	}
	return paths, atomicfile.WriteAll(paths, fills)
}

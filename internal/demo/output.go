package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/focalgo/focal/internal/output"
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

// Outputs are the files a run writes into its output directory.
type Outputs struct {
	dir         *output.Dir
	table, json *output.Output
	panels      []*output.Output
}

// PlanOutputs declares in plan the files a run with cfg writes into the
// directory dir (flag --out): the table, the JSON and cfg.Panels panels,
// so that plan.Check checks them all before the run.
func PlanOutputs(plan *output.Plan, dir string, cfg Config) *Outputs {
	d := plan.Dir("--out", dir)
	o := &Outputs{dir: d, table: d.Output(TableFile), json: d.Output(JSONFile)}
	for k := range cfg.Panels {
		o.panels = append(o.panels, d.Output(panelName(k)))
	}
	return o
}

// WriteOutputs stages the table, the JSON and the panels of res in o, for
// the plan's Commit to write them all or none.
func WriteOutputs(o *Outputs, res *Result) error {
	if len(res.scenes) != len(o.panels) {
		return fmt.Errorf("%d panels planned for %d scenes", len(o.panels), len(res.scenes))
	}
	if err := o.table.Write(func(w io.Writer) error { return WriteTable(w, res) }); err != nil {
		return err
	}
	if err := o.json.Write(func(w io.Writer) error { return WriteJSON(w, res) }); err != nil {
		return err
	}
	for k, p := range o.panels {
		if err := p.Write(func(w io.Writer) error { return writePanel(w, res, k) }); err != nil {
			return err
		}
	}
	return nil
}

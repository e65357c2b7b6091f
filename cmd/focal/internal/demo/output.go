package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/focalgo/focal/cmd/focal/internal/output"
)

// Output file names in the output directory, besides the panels.
const (
	TableFile   = "table.txt"
	JSONFile    = "results.json"
	CurvesFile  = "curves.png"
	Figure4File = "figure4.png"
)

// WriteTable prints the comparison: the setting, one row per training run
// (test scores, learning rate, convergence state, losses) and, with more
// than one seed, one row per loss over the seeds with the paired
// difference against the best cross-entropy.
func WriteTable(w io.Writer, res *Result) error {
	decay := "constant"
	if res.Decay {
		decay = "÷10 at 2/3 and 8/9 of the steps"
	}
	lr := fmt.Sprintf("lr %g", res.LR)
	if len(res.LRGrid) > 0 {
		lr = fmt.Sprintf("lr per loss from %v on seed %d's validation", res.LRGrid, res.Seeds[0])
	}
	if res.Task == TaskAnchors {
		fmt.Fprintf(w, "task anchors (%s): %d×%d scenes, stride %d, %d anchors × %d classes = %d sigmoid logits per scene\n",
			res.Objects, res.Size, res.Size, res.Stride, res.Anchors, res.Classes, res.LogitsPerImage)
	} else {
		fmt.Fprintf(w, "task cells (%s): %d×%d scenes, stride %d, one objectness logit per cell\n",
			res.Objects, res.Size, res.Size, res.Stride)
	}
	fmt.Fprintf(w, "training: ≤ %d Adam steps × %d scenes, %s, %s; seeds %s\n", res.Steps, res.Batch, lr, decay, seedList(res.Seeds))
	stop := "no early stopping"
	if res.Patience > 0 {
		stop = fmt.Sprintf("stop after %d scores without a new best", res.Patience)
	}
	fmt.Fprintf(w, "validation: %d scenes every %d steps (%s); the test scores are of the best validation step\n",
		res.Val, res.ValEvery, stop)
	fmt.Fprintf(w, "test: %d scenes, %d small / %d medium / %d large objects; positive logits: %.2g of the used (%.1f%% used), %.2g in training\n",
		res.Eval, res.EvalObjects[Small.String()], res.EvalObjects[Medium.String()], res.EvalObjects[Large.String()],
		res.PositiveFraction, 100*res.UsedFraction, res.TrainPositiveFraction)
	head := "AP@0.5"
	if res.Task == TaskAnchors {
		fmt.Fprintf(w, "no box regression: %.1f%% of the test objects have an anchor at IoU ≥ 0.5 (the recall any loss can reach)\n", 100*res.Reachable)
	} else {
		head = fmt.Sprintf("recall@%gFP", res.FPPI)
	}
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-16s\tseed\t%s\tsmall\tmedium\tlarge\t", "loss", head)
	if res.Task == TaskCells {
		fmt.Fprint(tw, "cell AP\t")
	}
	fmt.Fprint(tw, "lr\tbest step\tstate\tΔval last ¼\tfinal loss\tconstant\tmean bg p\ttrain s\t\n")
	for _, r := range res.Runs {
		fmt.Fprintf(tw, "%-16s\t%d\t%s\t%s\t%s\t%s\t", r.Loss, r.Seed, pct(r.Headline()), pct(float64(r.Small)),
			pct(float64(r.Medium)), pct(float64(r.Large)))
		if res.Task == TaskCells {
			fmt.Fprintf(tw, "%.3f\t", r.AP)
		}
		fmt.Fprintf(tw, "%g\t%d/%d\t%s\t%+.1f\t%.4g\t%.4g\t%.4f\t%.0f\t\n", r.LR, r.BestStep, r.StepsRun, r.State,
			100*r.LastQuarterGain, r.FinalLoss, r.ConstantLoss, r.MeanBackgroundProb, r.Seconds)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(res.Seeds) > 1 {
		fmt.Fprintf(w, "\nover %d seeds (mean ± sd; Δ: paired difference against %s, the cross-entropy with the best validation score)\n\n",
			len(res.Seeds), refName(res))
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%-16s\t%s\tsmall\tmedium\tlarge\tΔ\tlr\tstates\t\n", "loss", head)
		for _, s := range res.Summary {
			fmt.Fprintf(tw, "%-16s\t%s ± %s\t%s\t%s\t%s\t%s ± %s\t%g\t%s\t\n", s.Loss, pts(float64(s.Mean)), pts(float64(s.SD)),
				pts(float64(s.Small)), pts(float64(s.Medium)), pts(float64(s.Large)), signed(float64(s.Diff)), pts(float64(s.DiffSD)),
				s.LR, strings.Join(s.States, ","))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(res.LRSearch) > 0 {
		fmt.Fprintf(w, "\nlearning rates tried on seed %d (best validation score, at step):\n", res.Seeds[0])
		var b strings.Builder
		last := ""
		for _, t := range res.LRSearch {
			if t.Loss != last {
				if last != "" {
					fmt.Fprintln(w, b.String())
					b.Reset()
				}
				fmt.Fprintf(&b, "  %-16s", t.Loss)
				last = t.Loss
			}
			fmt.Fprintf(&b, "  %g: %s (%d)", t.LR, pct(t.BestVal), t.BestStep)
		}
		fmt.Fprintln(w, b.String())
	}
	if f := res.Figure4; f != nil {
		fmt.Fprintf(w, "\nFigure 4 (%s model, %d test scenes: %d positive and %d negative logits):\n", f.Loss, f.Scenes,
			f.Positives, f.Negatives)
		fmt.Fprint(w, "share of FL_γ's negative loss carried by the hardest 1% of the negatives:")
		for i, g := range f.Gammas {
			fmt.Fprintf(w, "  γ=%g %.0f%%", g, 100*f.HardestNegShare[i])
		}
		fmt.Fprintln(w)
	}
	return nil
}

func refName(res *Result) string {
	if len(res.Summary) > 0 && res.Summary[0].Reference != "" {
		return res.Summary[0].Reference
	}
	return "–"
}

func seedList(s []uint64) string {
	var b []string
	for _, v := range s {
		b = append(b, fmt.Sprint(v))
	}
	return strings.Join(b, ",")
}

// pct formats a fraction as a percentage, NaN as a dash.
func pct(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

// pts formats a fraction in percentage points.
func pts(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.1f", 100*v)
}

func signed(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%+.1f", 100*v)
}

// WriteJSON writes res as indented JSON. NaN scores (a size class without
// objects, the sd of one seed) are written as null.
func WriteJSON(w io.Writer, res *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// MarshalJSON writes NaN fields as null.
func (r Recall) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		All       Num     `json:"all"`
		Small     Num     `json:"small"`
		Medium    Num     `json:"medium"`
		Large     Num     `json:"large"`
		Threshold float32 `json:"threshold_logit"`
	}{Num(r.All), Num(r.Small), Num(r.Medium), Num(r.Large), r.Threshold})
}

// Outputs are the files a run writes into its output directory.
type Outputs struct {
	dir                 *output.Dir
	table, json, curves *output.Output
	figure4             *output.Output // nil when no run gives Figure 4
	panels              []*output.Output
}

// PlanOutputs declares in plan the files a run with cfg writes into the
// directory dir (flag --out): the table, the JSON, the learning curves,
// Figure 4 when a loss has γ = 2 (anchors task), and cfg.Panels panels, so
// that plan.Check checks them all before the run.
func PlanOutputs(plan *output.Plan, dir string, cfg Config) *Outputs {
	d := plan.Dir("--out", dir)
	o := &Outputs{dir: d, table: d.Output(TableFile), json: d.Output(JSONFile), curves: d.Output(CurvesFile)}
	if cfg.Task == TaskAnchors && hasFigure4(cfg) {
		o.figure4 = d.Output(Figure4File)
	}
	for k := range cfg.Panels {
		o.panels = append(o.panels, d.Output(panelName(k)))
	}
	return o
}

// hasFigure4 reports whether a run of cfg computes Figure 4: when one of
// its losses has γ = 2.
func hasFigure4(cfg Config) bool {
	losses := cfg.Losses
	if losses == nil {
		losses, _ = LossSet("default", cfg.Task)
	}
	for _, l := range losses {
		if l.Sigmoid.Gamma == 2 {
			return true
		}
	}
	return false
}

// Dir is the output directory as the user named it.
func (o *Outputs) Dir() string { return o.dir.Path() }

// Files are the names of the files written, for the closing message.
func (o *Outputs) Files() []string {
	f := []string{TableFile, JSONFile, CurvesFile}
	if o.figure4 != nil {
		f = append(f, Figure4File)
	}
	if len(o.panels) > 0 {
		f = append(f, fmt.Sprintf("%d panels", len(o.panels)))
	}
	return f
}

// WriteOutputs stages the table, the JSON, the plots and the panels of
// res in o, for the plan's Commit to write them all or none.
func WriteOutputs(o *Outputs, res *Result) error {
	if len(res.scenes) != len(o.panels) {
		return fmt.Errorf("%d panels planned for %d scenes", len(o.panels), len(res.scenes))
	}
	if (o.figure4 != nil) != (res.Figure4 != nil) {
		return fmt.Errorf("figure 4 planned %v, computed %v", o.figure4 != nil, res.Figure4 != nil)
	}
	if err := o.table.Write(func(w io.Writer) error { return WriteTable(w, res) }); err != nil {
		return err
	}
	if err := o.json.Write(func(w io.Writer) error { return WriteJSON(w, res) }); err != nil {
		return err
	}
	if err := o.curves.Write(func(w io.Writer) error { return writeCurves(w, res) }); err != nil {
		return err
	}
	if o.figure4 != nil {
		if err := o.figure4.Write(func(w io.Writer) error { return writeFigure4(w, res.Figure4) }); err != nil {
			return err
		}
	}
	for k, p := range o.panels {
		if err := p.Write(func(w io.Writer) error { return writePanel(w, res, k) }); err != nil {
			return err
		}
	}
	return nil
}

package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/focalgo/focal/cmd/focal/internal/demo"
	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
	"github.com/focalgo/focal/cmd/focal/internal/output"
)

// NewDemoCommand returns the `focal demo` command: the command line of
// demo.Run.
func NewDemoCommand() *cobra.Command {
	var (
		cfg                         = demo.DefaultConfig
		task, losses, seeds, lrGrid string
		out                         string
		asJSON, quiet, long         bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Dense detection on generated scenes: cross-entropy against focal loss, in the paper's regime",
		Long: `demo generates cluttered grayscale scenes with 1–4 objects (downscaled
Fashion-MNIST items when /usr/share/datasets/fashion-mnist is installed,
synthetic shapes otherwise) and trains one small fully-convolutional network
on exactly the same scenes from exactly the same initial weights once per
loss, then compares the losses on held-out test scenes.

The default task, anchors, is the paper's regime (Lin et al., ICCV 2017):
9 anchors per cell of a stride-4 grid and one sigmoid logit per anchor and
class, anchors assigned by IoU (≥ 0.5 positive, < 0.4 negative, between
ignored), every loss divided by the number of positive anchors; scored by
AP@0.5 after class-wise NMS, by object size too. Losses: CE, CE with the
prior initialisation (π = 0.01), α-balanced CE (α = 0.75) and focal loss
(γ = 2, α = 0.25). --task cells is one objectness logit per cell (about 1%
positive), scored by recall at --fppi false positives per image.

Every --val-every steps the validation scenes (a stream separate from the
test scenes) are scored: the learning curves, the convergence state of each
loss, and the parameters the test scenes are scored with (the best step).
--long is the converged comparison: Table 1's losses (CE, α-CE, focal loss
for γ ∈ {0.5, 1, 2, 5}), the learning rate of each loss chosen on the
validation scenes from --lr-grid, the paper's step decay, early stopping,
1000 test scenes; --seeds gives mean ± sd and paired differences.

Writes into --out: table.txt, results.json, curves.png (learning curves),
figure4.png (the paper's Figure 4 from the γ = 2 model) and one PNG panel
per drawn scene (scene-NN.png).`,
		Example: `  # The default run (a few minutes on two cores):
  focal demo

  # The converged multi-seed comparison (hours on two cores):
  focal demo --long --seeds 1,2,3 --out demo-long

  # The single-class task, where cross-entropy with the prior holds its own:
  focal demo --task cells --out demo-cells`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := demo.ParseTask(task)
			if err != nil {
				return exitcode.Input(fmt.Errorf("demo: --%w", err))
			}
			cfg.Task = t
			if long {
				applyLong(cmd, &cfg)
			}
			if err := parseDemoLists(cmd, &cfg, losses, seeds, lrGrid); err != nil {
				return exitcode.Input(fmt.Errorf("demo: %w", err))
			}
			if err := cfg.Validate(); err != nil {
				return exitcode.Input(fmt.Errorf("demo: --%w", err))
			}
			if out == "" {
				return exitcode.Input(errors.New("demo: --out: want a directory"))
			}
			// Every file is checked before minutes of training.
			plan := output.NewPlan()
			defer plan.Abort()
			files := demo.PlanOutputs(plan, out, cfg)
			if err := plan.Check(); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			return runDemo(cmd, cfg, plan, files, asJSON, quiet)
		},
	}
	f := cmd.Flags()
	f.StringVar(&task, "task", string(cfg.Task), "anchors (the paper's regime) or cells (one objectness logit per cell)")
	f.StringVar(&losses, "losses", "default", "the compared losses: default, table1 (anchors: CE, α-CE and focal loss for γ ∈ {0.5, 1, 2, 5}) or keys: ce, ce-prior, ace-prior, fl-g0.5, fl-g1, fl-g2, fl-g5")
	f.BoolVar(&long, "long", false, "the converged comparison: Table 1's losses, lr chosen per loss on validation, step decay, early stopping (explicit flags override)")
	f.IntVar(&cfg.Steps, "steps", cfg.Steps, "training steps per run (at most, with --patience)")
	f.IntVar(&cfg.Size, "size", cfg.Size, "scene side in pixels (multiple of 4, 32–512)")
	f.IntVar(&cfg.Batch, "batch", cfg.Batch, "scenes per training step")
	f.StringVar(&seeds, "seeds", "1", "comma-separated seeds of the scenes and the initial weights; each loss is trained once per seed")
	f.Float64Var(&cfg.LR, "lr", cfg.LR, "Adam learning rate (when --lr-grid is empty)")
	f.StringVar(&lrGrid, "lr-grid", "", "comma-separated learning rates tried per loss on the first seed, chosen on the validation scenes")
	f.BoolVar(&cfg.Decay, "decay", cfg.Decay, "divide the learning rate by 10 after 2/3 and after 8/9 of the steps (the paper's schedule)")
	f.IntVar(&cfg.Eval, "eval", cfg.Eval, "test scenes")
	f.IntVar(&cfg.Val, "val", cfg.Val, "validation scenes (a separate stream)")
	f.IntVar(&cfg.ValEvery, "val-every", cfg.ValEvery, "steps between validation scores")
	f.IntVar(&cfg.Patience, "patience", cfg.Patience, "stop a run after this many validation scores without a new best (0: never)")
	f.Float64Var(&cfg.FPPI, "fppi", cfg.FPPI, "false positives per image at which recall is read (cells task)")
	f.IntVar(&cfg.Panels, "panels", cfg.Panels, "test scenes drawn as PNG panels")
	f.StringVar(&cfg.FashionDir, "fashion", cfg.FashionDir, `Fashion-MNIST IDX directory ("" or absent: synthetic shapes)`)
	f.StringVar(&out, "out", "demo-out", "output directory (table.txt, results.json, curves.png, figure4.png, scene-NN.png)")
	f.BoolVar(&asJSON, "json", false, "print the results as JSON instead of the table")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress output")
	return cmd
}

// applyLong sets the fields of demo.LongConfig whose flags were not given.
func applyLong(cmd *cobra.Command, cfg *demo.Config) {
	l := demo.LongConfig
	set := func(name string, apply func()) {
		if !cmd.Flags().Changed(name) {
			apply()
		}
	}
	set("steps", func() { cfg.Steps = l.Steps })
	set("size", func() { cfg.Size = l.Size })
	set("batch", func() { cfg.Batch = l.Batch })
	set("lr", func() { cfg.LR = l.LR })
	set("decay", func() { cfg.Decay = l.Decay })
	set("eval", func() { cfg.Eval = l.Eval })
	set("val", func() { cfg.Val = l.Val })
	set("val-every", func() { cfg.ValEvery = l.ValEvery })
	set("patience", func() { cfg.Patience = l.Patience })
	set("seeds", func() { cfg.Seeds = l.Seeds })
	set("lr-grid", func() { cfg.LRGrid = l.LRGrid })
	if cfg.Task == demo.TaskAnchors {
		set("losses", func() { cfg.Losses = l.Losses })
	}
}

// parseDemoLists fills the fields of cfg given as lists on the command
// line: those given, and the losses when no preset chose them.
func parseDemoLists(cmd *cobra.Command, cfg *demo.Config, losses, seeds, lrGrid string) error {
	changed := cmd.Flags().Changed
	var err error
	if changed("losses") || cfg.Losses == nil {
		if cfg.Losses, err = demo.LossSet(losses, cfg.Task); err != nil {
			return fmt.Errorf("--%w", err)
		}
	}
	if changed("seeds") {
		cfg.Seeds = nil
		for _, s := range splitList(seeds) {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return fmt.Errorf("--seeds %q: %q is not a non-negative integer", seeds, s)
			}
			cfg.Seeds = append(cfg.Seeds, v)
		}
	}
	if changed("lr-grid") {
		cfg.LRGrid = nil
		for _, s := range splitList(lrGrid) {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("--lr-grid %q: %q is not a number", lrGrid, s)
			}
			cfg.LRGrid = append(cfg.LRGrid, v)
		}
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func runDemo(cmd *cobra.Command, cfg demo.Config, plan *output.Plan, files *demo.Outputs, asJSON, quiet bool) error {
	ctx, stop := interruptible(cmd)
	defer stop()

	var progress demo.Progress
	if !quiet {
		progress = demoProgress(cmd.ErrOrStderr(), cfg)
	}
	res, err := demo.Run(ctx, cfg, progress)
	if errors.Is(err, demo.ErrFashion) {
		return exitcode.Input(fmt.Errorf("demo: --fashion %s: %w", cfg.FashionDir, err))
	}
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := demo.WriteOutputs(files, res); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := plan.Commit(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if asJSON {
		return demo.WriteJSON(cmd.OutOrStdout(), res)
	}
	if err := demo.WriteTable(cmd.OutOrStdout(), res); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "\nwrote %s/{%s}\n", files.Dir(), strings.Join(files.Files(), ","))
	return nil
}

// demoProgress reports on w: a progress bar per training run when w is a
// terminal; otherwise — a log file, CI, where a bar's redraws are noise and
// minutes of silence look like a hang — a line with the plan now and one
// line per finished run.
func demoProgress(w io.Writer, cfg demo.Config) demo.Progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		runs := len(cfg.Losses) * (len(cfg.Seeds) + max(0, len(cfg.LRGrid)-1))
		fmt.Fprintf(w, "demo: %d training runs (%d losses × seeds %s), at most %d steps each on batches of %d scenes of %d×%d px, then %d test scenes\n",
			runs, len(cfg.Losses), joinSeeds(cfg.Seeds), cfg.Steps, cfg.Batch, cfg.Size, cfg.Size, cfg.Eval)
		return func(e demo.Event) {
			if e.Done {
				fmt.Fprintf(w, "demo: run %d/%d %s, seed %d, lr %g: %d steps in %.0f s, best validation score %.1f%%\n",
					e.Run, e.Runs, e.Loss, e.Seed, e.LR, e.Step, e.Seconds, 100*e.Best)
			}
		}
	}
	var bar *progressbar.ProgressBar
	return func(e demo.Event) {
		switch {
		case e.Done:
			bar.Finish()
		case e.Step == 1:
			bar = progressbar.NewOptions(e.Steps, progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(fmt.Sprintf("%d/%d %-16s seed %d lr %-6g", e.Run, e.Runs, e.Loss, e.Seed, e.LR)),
				progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))
			fallthrough
		default:
			bar.Set(e.Step)
		}
	}
}

func joinSeeds(seeds []uint64) string {
	var s []string
	for _, v := range seeds {
		s = append(s, strconv.FormatUint(v, 10))
	}
	return strings.Join(s, ",")
}

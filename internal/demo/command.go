package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/focalgo/focal/internal/exitcode"
	"github.com/focalgo/focal/internal/output"
)

// NewCommand returns the `focal demo` command.
func NewCommand() *cobra.Command {
	cfg := DefaultConfig
	var out string
	var asJSON, quiet bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Dense small-object detection: where cross-entropy misses and focal loss finds",
		Long: `demo generates cluttered grayscale scenes with 1–4 objects of 3–24 px
(downscaled Fashion-MNIST items when /usr/share/datasets/fashion-mnist is
installed, synthetic shapes otherwise), trains the same small fully-convolutional
network on the same scenes with BCE, BCE with the prior initialisation of the
last bias (π = 0.01), α-balanced BCE (α = 0.75) + prior and focal loss
(γ = 2, α = 0.25, / #positives) + prior, and compares them on held-out scenes:
cell average precision and object recall at a fixed number of false positives
per image, by object size (small < 8 px ≤ medium < 16 px ≤ large).

It prints the table (or JSON with --json) and writes table.txt, results.json
and one PNG panel per drawn scene (scene-NN.png: scene, target, each loss's
heatmap with its detections) into --out.`,
		Example: `  # The README's run (about 2–3 minutes on two cores):
  focal demo --out demo-out

  # Longer training, bigger scenes:
  focal demo --steps 600 --size 96 --batch 16 --out demo-long --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cfg.Validate(); err != nil {
				return exitcode.Input(fmt.Errorf("demo: --%w", err))
			}
			if out == "" {
				return exitcode.Input(errors.New("demo: --out: want a directory"))
			}
			// Every file is checked before minutes of training.
			plan := output.NewPlan()
			defer plan.Abort()
			files := PlanOutputs(plan, out, cfg)
			if err := plan.Check(); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			return runDemo(cmd, cfg, plan, files, asJSON, quiet)
		},
	}
	f := cmd.Flags()
	f.IntVar(&cfg.Steps, "steps", cfg.Steps, "training steps per loss")
	f.IntVar(&cfg.Size, "size", cfg.Size, "scene side in pixels (multiple of 4, 32–512)")
	f.IntVar(&cfg.Batch, "batch", cfg.Batch, "scenes per training step")
	f.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the scenes and the initial weights")
	f.Float64Var(&cfg.LR, "lr", cfg.LR, "Adam learning rate")
	f.IntVar(&cfg.Eval, "eval", cfg.Eval, "held-out scenes to evaluate")
	f.Float64Var(&cfg.FPPI, "fppi", cfg.FPPI, "false positives per image at which recall is read")
	f.IntVar(&cfg.Panels, "panels", cfg.Panels, "held-out scenes drawn as PNG panels")
	f.StringVar(&cfg.FashionDir, "fashion", cfg.FashionDir, `Fashion-MNIST IDX directory ("" or absent: synthetic shapes)`)
	f.StringVar(&out, "out", "demo-out", "output directory (table.txt, results.json, scene-NN.png)")
	f.BoolVar(&asJSON, "json", false, "print the results as JSON instead of the table")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bars")
	return cmd
}

func runDemo(cmd *cobra.Command, cfg Config, plan *output.Plan, files *Outputs, asJSON, quiet bool) error {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills the process
	}()

	if !quiet {
		cfg.Progress = progress(cmd.ErrOrStderr(), cfg)
	}
	res, err := Run(ctx, cfg)
	if errors.Is(err, ErrFashion) {
		return exitcode.Input(fmt.Errorf("demo: --fashion %s: %w", cfg.FashionDir, err))
	}
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := WriteOutputs(files, res); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := plan.Commit(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if asJSON {
		return WriteJSON(cmd.OutOrStdout(), res)
	}
	if err := WriteTable(cmd.OutOrStdout(), res); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "\nwrote %s/{%s,%s} and %d panels\n", files.dir.Path(), TableFile, JSONFile, len(res.scenes))
	return nil
}

// progress returns the Progress function of a run reporting to w: a
// progress bar per loss on a terminal; else, for a log file or CI, where a
// bar's redraws are noise and silence for minutes looks like a hang, a
// line with the plan now and one line per finished loss.
func progress(w io.Writer, cfg Config) func(run int, name string, step, steps int, loss float64) {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		var bar *progressbar.ProgressBar
		return func(run int, name string, step, steps int, loss float64) {
			if step == 1 {
				bar = progressbar.NewOptions(steps, progressbar.OptionSetWriter(w),
					progressbar.OptionSetDescription(fmt.Sprintf("%-12s", name)), progressbar.OptionShowCount(),
					progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))
			}
			bar.Set(step)
		}
	}
	losses := cfg.Losses
	if losses == nil {
		losses = Losses
	}
	fmt.Fprintf(w, "demo: training %d losses, %d steps each on batches of %d scenes of %d×%d px, then evaluating on %d held-out scenes\n",
		len(losses), cfg.Steps, cfg.Batch, cfg.Size, cfg.Size, cfg.Eval)
	var start time.Time
	return func(run int, name string, step, steps int, loss float64) {
		if step == 1 {
			start = time.Now()
		}
		if step == steps {
			fmt.Fprintf(w, "demo: %d/%d %s: %d steps in %.1fs, last batch loss %.4g\n",
				run+1, len(losses), name, steps, time.Since(start).Seconds(), loss)
		}
	}
}

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/focalgo/focal/internal/dataset"
	"github.com/focalgo/focal/internal/exitcode"
	"github.com/focalgo/focal/internal/output"
	"github.com/focalgo/focal/internal/train"
)

// NewTrainCommand returns the focal train command.
func NewTrainCommand() *cobra.Command {
	var (
		o                       train.Options
		hidden, lossList, alpha string
		gamma                   float64
		params                  []string
		compare, asJSON, quiet  bool
	)
	cmd := &cobra.Command{
		Use:   "train --data FILE [flags]",
		Short: "Train a classifier with cross-entropy, α-balanced or focal loss and score it on held-out data",
		Long: `Train a logistic regression or an MLP (GoMLX, pure-Go backend) on a CSV file, an
.npy pair or IDX files, and report metrics that matter under class imbalance on a
held-out split: average precision, ROC-AUC, best F1 and its recall, recall at
precision ≥ 0.9, Brier score and calibration error (binary); accuracy, balanced
accuracy, macro-F1, per-class recall and calibration error (multi-class).

Data (--data, --test):
  FILE.csv             header row; --label names the label column, all others
                       are numeric features
  X.npy,y.npy          features [N, F] and labels [N]
  IMAGES[,LABELS]      IDX files (MNIST, Fashion-MNIST; .gz is fine); LABELS is
                       found by the MNIST file naming when omitted

--positive CLASS makes a one-vs-rest binary task. Without it, two classes are
a binary task (the second in sorted order positive) and more are multi-class
(softmax). Features are standardised with training-split statistics only.

Losses (--loss, a comma list; --compare trains bce,balanced,focal):
  bce       cross-entropy
  balanced  α-balanced cross-entropy (α default 0.75); multi-class: classes
            weighted by inverse training frequency
  focal     focal loss, −αₜ (1 − pₜ)^γ log pₜ (α default 0.25, γ default 2);
            multi-class: softmax focal loss, α off unless --alpha is given
  poly1, asl, qfl, varifocal, flstar, flsd, reduced
            the rest of the focal family (binary tasks), with the reference
            defaults; --alpha, --gamma and --param NAME=VALUE override them
  all       every loss above
Every loss is trained on the same split, from the same initial weights, with
batches in the same order (--seed). Ctrl-C stops after the current step and
reports the model as of the last finished epoch.`,
		Example: `  # Fashion-MNIST, class 0 (T-shirt/top) against the rest, three losses:
  focal train --data /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz \
      --test /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz \
      --positive 0 --hidden 64,64 --epochs 5 --compare

  # A CSV file, 25% held out, focal loss, model saved for focal predict:
  focal train --data fraud.csv --label is_fraud --test-fraction 0.25 \
      --loss focal --alpha 0.25 --gamma 2 --save fraud.model --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Config.Hidden, err = parseHidden(hidden); err != nil {
				return exitcode.Input(err)
			}
			a := math.NaN()
			if alpha != "" {
				if a, err = strconv.ParseFloat(alpha, 64); err != nil {
					return exitcode.Input(fmt.Errorf("--alpha %q: not a number", alpha))
				}
			}
			if compare && !cmd.Flags().Changed("loss") {
				lossList = strings.Join(train.LossNames, ",")
			}
			g := math.NaN()
			if cmd.Flags().Changed("gamma") {
				g = gamma
			}
			pm, err := parseTrainParams(params)
			if err != nil {
				return exitcode.Input(err)
			}
			if o.Losses, err = train.ParseLosses(lossList, a, g, pm); err != nil {
				return exitcode.Input(err)
			}
			if o.Data == "" {
				return exitcode.Input(errors.New("--data: required"))
			}
			if o.Test != "" && cmd.Flags().Changed("test-fraction") {
				return exitcode.Input(errors.New("--test and --test-fraction: give one or the other"))
			}
			// The destinations are checked before an hour of training.
			dst := trainDest{plan: output.NewPlan()}
			defer dst.plan.Abort()
			for _, f := range dataset.Files(o.Data) {
				dst.plan.Input("--data", f)
			}
			for _, f := range dataset.Files(o.Test) {
				dst.plan.Input("--test", f)
			}
			dst.save = dst.plan.Output("--save", o.Save)
			dst.plots = dst.plan.Dir("--plots", o.Plots)
			if err := dst.plan.Check(); err != nil {
				return err
			}
			return runTrain(cmd, o, dst, asJSON, quiet)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitcode.Input(err) })
	f := cmd.Flags()
	f.StringVar(&o.Data, "data", "", "training data: FILE.csv, X.npy,y.npy or IDX IMAGES[,LABELS]")
	f.StringVar(&o.Test, "test", "", "test data, same forms as --data (instead of --test-fraction)")
	f.Float64Var(&o.TestFraction, "test-fraction", 0.2, "fraction of each class held out for testing")
	f.StringVar(&o.Label, "label", "label", "label column of CSV files")
	f.StringVar(&o.Positive, "positive", "", "one-vs-rest: this class is positive, all others negative")
	f.StringVar(&hidden, "hidden", "", "MLP hidden layer widths, e.g. 64,64 (none: logistic regression)")
	f.IntVar(&o.Config.Epochs, "epochs", 10, "passes over the training data")
	f.Float64Var(&o.Config.LR, "lr", 1e-3, "Adam learning rate")
	f.IntVar(&o.Config.Batch, "batch", 256, "mini-batch size")
	f.Uint64Var(&o.Config.Seed, "seed", 1, "seed of the split, the initial weights and the batch order")
	f.StringVar(&lossList, "loss", "focal", "loss or comma list: "+strings.Join(train.AllLossNames(), ", ")+", or all")
	f.BoolVar(&compare, "compare", false, "train bce, balanced and focal (or the --loss list) and print one table")
	f.StringVar(&alpha, "alpha", "", "α of balanced and focal (default 0.75 balanced, 0.25 focal)")
	f.Float64Var(&gamma, "gamma", 2, "focusing parameter γ of focal (and of family members that have one)")
	f.StringArrayVar(&params, "param", nil, "NAME=VALUE parameter of focal family members, e.g. epsilon=2 for poly1 (repeatable)")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	f.BoolVar(&quiet, "quiet", false, "no progress bar")
	f.StringVar(&o.Plots, "plots", "", "write PR curves and reliability diagrams (PNG) into this directory")
	f.StringVar(&o.Save, "save", "", "save the trained model (one loss) to this file, for focal predict")
	return cmd
}

func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return exitcode.Input(fmt.Errorf("unexpected argument %q (data is given with --data)", args[0]))
	}
	return nil
}

func parseTrainParams(list []string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, p := range list {
		name, value, ok := strings.Cut(p, "=")
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if !ok || err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("--param %q: want NAME=NUMBER", p)
		}
		out[strings.ToLower(strings.TrimSpace(name))] = v
	}
	return out, nil
}

func parseHidden(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		h, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || h < 1 || h > 1<<16 {
			return nil, fmt.Errorf("--hidden %q: want comma-separated layer widths in [1, 65536]", s)
		}
		out = append(out, h)
	}
	return out, nil
}

// trainDest are the outputs of focal train: nil for a flag not given.
type trainDest struct {
	plan  *output.Plan
	save  *output.Output
	plots *output.Dir
}

func runTrain(cmd *cobra.Command, o train.Options, dst trainDest, asJSON, quiet bool) error {
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

	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	var progress train.Progress
	if !quiet {
		progress = newProgress(stdout, stderr)
	}
	r, runErr := train.Run(ctx, o, progress)
	if r == nil {
		return runErr
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else if len(r.Results) > 0 {
		if err := r.WriteTable(stdout); err != nil {
			return err
		}
	}
	if runErr != nil {
		if o.Save != "" {
			runErr = fmt.Errorf("%w; --save %s not written", runErr, o.Save)
		}
		return runErr
	}
	if dst.plots != nil {
		if err := train.WritePlots(dst.plots, r); err != nil {
			return err
		}
	}
	if dst.save != nil {
		if err := dst.save.Write(func(w io.Writer) error { return train.Save(w, r.Results[0].Model()) }); err != nil {
			return err
		}
	}
	return dst.plan.Commit()
}

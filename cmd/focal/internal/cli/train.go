package cli

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
	"github.com/focalgo/focal/cmd/focal/internal/output"
	"github.com/focalgo/focal/cmd/focal/internal/quote"
	"github.com/focalgo/focal/cmd/focal/internal/train"
)

// trainFlags are the flags of focal train that do not map one to one to
// a field of train.Config.
type trainFlags struct {
	hidden, lossList, alpha, solver, schedule, seeds string
	gamma, beta, labelSmoothing                      float64
	seed                                             uint64
	repeat                                           int
	params                                           []string
	compare, asJSON, quiet, temperatureScale         bool
	save, plots                                      string
}

// adamFlags and lbfgsFlags are the settings of one solver each.
var (
	adamFlags  = []string{"steps", "epochs", "batch", "lr", "warmup", "schedule", "weight-decay", "eval-every", "patience"}
	lbfgsFlags = []string{"C", "max-iter"}
)

// NewTrainCommand returns the focal train command.
func NewTrainCommand() *cobra.Command {
	var (
		c train.Config
		f trainFlags
	)
	cmd := &cobra.Command{
		Use:   "train --data FILE [flags]",
		Short: "Train a classifier with cross-entropy, α-balanced, class-balanced or focal loss and score it on held-out data",
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
Any of them may be gzip-compressed, or a pipe: --data <(zcat x.csv.gz).

--positive CLASS makes a one-vs-rest binary task. Without it, two classes are
a binary task (the second in sorted order positive) and more are multi-class
(softmax). Features are standardised with training-split statistics only.
--long-tail ρ keeps n_max·ρ^(−c/(C−1)) training examples of class c (Cao et
al. 2019); the test data stay as they are.

Training converges at the defaults, whatever the size of the data:
  logistic regression (no --hidden): full-batch L-BFGS on the mean loss plus
      ‖W‖²/(2·C·N), scikit-learn's convention (--C, default 1): deterministic,
      no learning rate; it stops when the gradient or the objective stalls.
  MLP (--hidden): Adam (AdamW with --weight-decay) for --steps steps (or
      --epochs passes), a linear warm-up then a cosine decay of --lr; every
      --eval-every steps the model is scored on a validation split (a
      stratified --val-fraction of the training data): the best checkpoint is
      kept, and training stops after --patience checkpoints without progress.
      The score is average precision (binary) or balanced accuracy, ties
      broken by the loss on the split.
Giving an Adam setting (--steps, --epochs, --lr, --batch, …) to a logistic
regression trains it with Adam; --solver says it outright.

Losses (--loss, a comma list; --compare trains bce,balanced,focal):
  bce       cross-entropy
  balanced  α-balanced cross-entropy (α default 0.75); multi-class: classes
            weighted by inverse training frequency
  focal     focal loss, −αₜ (1 − pₜ)^γ log pₜ (α default 0.25, γ default 2);
            multi-class: softmax focal loss, α off unless --alpha is given
  poly1, asl, qfl, varifocal, flstar, flsd, reduced
            the rest of the focal family, with the reference defaults;
            --alpha, --gamma and --param NAME=VALUE override them
  cb-NAME   NAME with the class-balanced weights of Cui et al. (CVPR 2019),
            w_c ∝ (1 − β)/(1 − β^{n_c}), β = --class-balanced (default 0.9999)
  NAME-sigmoid
            multi-class: C sigmoid outputs, each class against the rest,
            instead of a softmax (cb-focal-sigmoid is Cui et al.'s form); the
            family members train multi-class tasks only this way
  all       every base loss above
--alpha a0,a1,… gives one weight per class (binary: the negatives', then the
positives') to balanced, focal and the family. "ce" is bce. On a multi-class
task flsd is the softmax FLSD-53 loss (γ = 5 for p_y < 0.2, else 3; Mukhoti et
al. 2020), and --label-smoothing ε smooths the softmax losses' targets to
(1 − ε)·onehot + ε/C. Options after a name set that loss's parameters, so that
one list compares several settings:
  --loss ce,ce:ls=0.05,ce:ls=0.1,focal:gamma=1,focal:gamma=3,flsd

Calibration: the JSON reports the test NLL, Brier score, ECE (15 equal-width
bins), adaptive ECE (15 equal-mass bins), classwise ECE and MCE of every model.
--temperature-scale fits one temperature T per model, minimising the NLL of
the validation split (gonum's BFGS on log T; T = 1 unless it lowers that NLL),
and prints all of them before and after; an L-BFGS fit then holds out the
default --val-fraction.

Every loss is trained on the same splits, from the same initial weights, with
batches in the same order (--seed). --seeds 1,2,3 (or --repeat 3) trains every
loss on each seed and prints the mean ± sd of each metric and the paired
difference to the first loss. Ctrl-C stops after the current step and reports
the model of the best checkpoint so far.`,
		Example: `  # Logistic regression at its defaults, three losses:
  focal train --data wine.csv --positive 0 --compare

  # Fashion-MNIST, class 0 (T-shirt/top) against the rest, an MLP:
  focal train --data /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz \
      --test /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz \
      --positive 0 --hidden 64,64 --compare

  # Long-tailed Fashion-MNIST (ρ = 100), four losses on three seeds:
  focal train --data /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz \
      --test /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz \
      --long-tail 100 --hidden 256 --loss bce,balanced,focal,cb-focal-sigmoid --seeds 1,2,3

  # Calibration of an over-parameterised MLP, seven losses, before and after
  # temperature scaling (docs/calibration.md):
  focal train --data /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz \
      --test-fraction 0.9 --hidden 256,256 --steps 400 --eval-every 400 \
      --temperature-scale --seeds 1,2,3 \
      --loss ce,ce:ls=0.05,ce:ls=0.1,focal:gamma=1,focal:gamma=2,focal:gamma=3,flsd

  # A CSV file, 25% held out, focal loss, model saved for focal predict:
  focal train --data fraud.csv --label is_fraud --test-fraction 0.25 \
      --loss focal --alpha 0.25 --gamma 2 --save fraud.model --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.resolve(cmd.Flags(), &c); err != nil {
				return exitcode.Input(err)
			}
			// The destinations are checked before an hour of training.
			dst := trainDest{plan: output.NewPlan()}
			defer dst.plan.Abort()
			for _, file := range dataset.Files(c.Data) {
				dst.plan.Input("--data", file)
			}
			for _, file := range dataset.Files(c.Test) {
				dst.plan.Input("--test", file)
			}
			dst.save = dst.plan.Output("--save", f.save)
			dst.plots = dst.plan.Dir("--plots", f.plots)
			if err := dst.plan.Check(); err != nil {
				return err
			}
			return runTrain(cmd, c, f, dst)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitcode.Input(err) })
	fl := cmd.Flags()
	fl.StringVar(&c.Data, "data", "", "training data: FILE.csv, X.npy,y.npy or IDX IMAGES[,LABELS]")
	fl.StringVar(&c.Test, "test", "", "test data, same forms as --data (instead of --test-fraction)")
	fl.Float64Var(&c.TestFraction, "test-fraction", 0.2, "fraction of each class held out for testing")
	fl.StringVar(&c.Label, "label", "label", "label column of CSV files")
	fl.StringVar(&c.Positive, "positive", "", "one-vs-rest: this class is positive, all others negative")
	fl.Float64Var(&c.LongTail, "long-tail", 0, "subsample the training data to a long tail of imbalance ratio ρ ≥ 1 (0: off)")
	fl.Float64Var(&c.ValFraction, "val-fraction", 0.2, "fraction of each training class held out for validation and early stopping\n(0: none; L-BFGS holds out none unless given)")
	fl.StringVar(&f.hidden, "hidden", "", "MLP hidden layer widths, e.g. 64,64 (none: logistic regression)")
	fl.StringVar(&f.solver, "solver", "", "lbfgs (logistic regression) or adam (default: lbfgs without --hidden\nand Adam settings, else adam)")
	fl.Float64Var(&c.Fit.C, "C", train.DefaultC, "L-BFGS: inverse L2 strength, scikit-learn's C: mean loss + ‖W‖²/(2·C·N); inf: none")
	fl.IntVar(&c.Fit.MaxIter, "max-iter", train.DefaultMaxIter, "L-BFGS: iteration limit")
	fl.IntVar(&c.Fit.Steps, "steps", train.DefaultSteps, "Adam: step budget, whatever the size of the data")
	fl.IntVar(&c.Fit.Epochs, "epochs", 0, "Adam: budget in passes over the training data, instead of --steps")
	fl.IntVar(&c.Fit.Batch, "batch", train.DefaultBatch, "Adam: mini-batch size")
	fl.Float64Var(&c.Fit.LR, "lr", train.DefaultLR, "Adam: peak learning rate")
	fl.Float64Var(&c.Fit.Warmup, "warmup", 0.05, "Adam: linear warm-up, as a fraction of the budget")
	fl.StringVar(&f.schedule, "schedule", string(train.ScheduleCosine), "Adam: learning rate after the warm-up: cosine (decay to 0) or constant")
	fl.Float64Var(&c.Fit.WeightDecay, "weight-decay", 0, "Adam: decoupled weight decay (AdamW)")
	fl.IntVar(&c.Fit.EvalEvery, "eval-every", 0, "Adam: steps between checkpoints (default one epoch, or budget/20 if fewer)")
	fl.IntVar(&c.Fit.Patience, "patience", 10, "Adam: stop after this many checkpoints without a better validation score (0: never)")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the splits, the initial weights and the batch order")
	fl.StringVar(&f.seeds, "seeds", "", "train every loss on each of these seeds, e.g. 1,2,3, and report mean ± sd")
	fl.IntVar(&f.repeat, "repeat", 0, "train every loss on N seeds: --seed, --seed+1, …")
	fl.StringVar(&f.lossList, "loss", "focal", "loss or comma list: "+strings.Join(train.AllLossNames(), ", ")+",\ncb-NAME, NAME-sigmoid, or all; NAME:KEY=VALUE… sets that loss's alpha, gamma, beta,\nls (label smoothing) or family parameter, e.g. ce,ce:ls=0.1,focal:gamma=3,flsd")
	fl.BoolVar(&f.compare, "compare", false, "train bce, balanced and focal (or the --loss list) and print one table")
	fl.StringVar(&f.alpha, "alpha", "", "α of balanced and focal (default 0.75 balanced, 0.25 focal), or one weight per class a0,a1,…")
	fl.Float64Var(&f.gamma, "gamma", 2, "focusing parameter γ of focal (and of family members that have one)")
	fl.Float64Var(&f.beta, "class-balanced", train.DefaultBeta, "β of the cb- losses, in [0, 1]; alone, trains cb-focal")
	fl.Float64Var(&f.labelSmoothing, "label-smoothing", 0, "label smoothing ε ∈ [0, 1) of the softmax losses (multi-class): target (1 − ε)·onehot + ε/C")
	fl.BoolVar(&f.temperatureScale, "temperature-scale", false, "fit a temperature on the validation split (minimum NLL) and report the test calibration\nbefore and after it; the saved model keeps it")
	fl.StringArrayVar(&f.params, "param", nil, "NAME=VALUE parameter of focal family members, e.g. epsilon=2 for poly1 (repeatable)")
	fl.BoolVar(&f.asJSON, "json", false, "print the report as JSON")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress output")
	fl.StringVar(&f.plots, "plots", "", "write PR curves, reliability diagrams and confidence histograms (PNG) into this\ndirectory (first seed)")
	fl.StringVar(&f.save, "save", "", "save the trained model (one loss, one seed) to this file, for focal predict")
	return cmd
}

// resolve checks the flags and fills the rest of c from them.
func (f *trainFlags) resolve(fs *pflag.FlagSet, c *train.Config) error {
	changed := fs.Changed
	var err error
	if c.Fit.Hidden, err = parseHidden(f.hidden); err != nil {
		return err
	}
	if c.Data == "" {
		return errors.New("--data: required")
	}
	if strings.TrimSpace(c.Label) == "" {
		return errors.New("--label: want the name of the label column of CSV files")
	}
	if c.Test != "" && changed("test-fraction") {
		return errors.New("--test and --test-fraction: give one or the other")
	}

	// The solver, and the settings that belong to the other one.
	given := func(names []string) string {
		for _, n := range names {
			if changed(n) {
				return n
			}
		}
		return ""
	}
	adam, lbfgs := given(adamFlags), given(lbfgsFlags)
	c.Fit.Solver = train.Solver(f.solver)
	if c.Fit.Solver != train.SolverAuto && c.Fit.Solver != train.SolverLBFGS && c.Fit.Solver != train.SolverAdam {
		return fmt.Errorf("--solver %s: want lbfgs or adam", quote.Clip(f.solver))
	}
	if c.Fit.Solver == train.SolverAuto && len(c.Fit.Hidden) == 0 {
		if adam != "" && lbfgs != "" {
			return fmt.Errorf("--%s and --%s: settings of Adam and of L-BFGS; give --solver", adam, lbfgs)
		}
		if adam != "" {
			c.Fit.Solver = train.SolverAdam
		}
	}
	switch s := c.Fit.Solver.Resolve(c.Fit.Hidden); {
	case s == train.SolverLBFGS && adam != "":
		return fmt.Errorf("--%s: an Adam setting, and the solver is L-BFGS (its settings are --C and --max-iter)", adam)
	case s == train.SolverAdam && lbfgs != "":
		return fmt.Errorf("--%s: an L-BFGS setting, and the solver is Adam", lbfgs)
	case s == train.SolverLBFGS && !changed("val-fraction") && !f.temperatureScale:
		// The penalised objective has one minimum: nothing to stop early,
		// and every example goes to the fit, as in scikit-learn. Temperature
		// scaling needs the split: it keeps the default fraction then.
		c.ValFraction = 0
	}
	c.TemperatureScale = f.temperatureScale
	if f.temperatureScale && changed("val-fraction") && c.ValFraction == 0 {
		return errors.New("--temperature-scale: fits the temperature on a validation split, and --val-fraction 0 holds out none")
	}
	if changed("epochs") && !changed("steps") {
		c.Fit.Steps = 0
	}
	if !(c.Fit.C > 0) { // +Inf is no penalty
		return fmt.Errorf("--C %v: want a number > 0 (inf: no L2 penalty)", c.Fit.C)
	}
	if c.Fit.MaxIter < 1 {
		return fmt.Errorf("--max-iter %d: want at least 1", c.Fit.MaxIter)
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"steps", c.Fit.Steps}, {"epochs", c.Fit.Epochs}, {"batch", c.Fit.Batch}, {"eval-every", c.Fit.EvalEvery}} {
		if changed(n.name) && n.v < 1 {
			return fmt.Errorf("--%s %d: want at least 1", n.name, n.v)
		}
	}
	if !(c.Fit.LR > 0) || math.IsInf(c.Fit.LR, 0) {
		return fmt.Errorf("--lr %v: want a finite number > 0", c.Fit.LR)
	}
	c.Fit.Schedule = train.Schedule(f.schedule)

	// Seeds.
	switch {
	case f.seeds != "" && (changed("seed") || changed("repeat")):
		return errors.New("--seeds: give a list of seeds, or --seed and --repeat, not both")
	case f.seeds != "":
		for _, part := range strings.Split(f.seeds, ",") {
			s, err := strconv.ParseUint(strings.TrimSpace(part), 10, 64)
			if err != nil {
				return fmt.Errorf("--seeds %s: want comma-separated non-negative integers", quote.Clip(f.seeds))
			}
			if slices.Contains(c.Seeds, s) {
				return fmt.Errorf("--seeds %s: seed %d given twice", quote.Clip(f.seeds), s)
			}
			c.Seeds = append(c.Seeds, s)
		}
	case changed("repeat") && f.repeat < 1:
		return fmt.Errorf("--repeat %d: want at least 1 seed", f.repeat)
	default:
		c.Seeds = []uint64{f.seed}
		for i := 1; i < f.repeat; i++ {
			c.Seeds = append(c.Seeds, f.seed+uint64(i))
		}
	}

	// Losses.
	// NaN stands for "not given" in train.LossParams: a NaN the user
	// typed is refused here, not taken for the default.
	p := train.DefaultLossParams()
	if f.alpha != "" {
		parts := strings.Split(f.alpha, ",")
		for _, part := range parts {
			a, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
			if err != nil || math.IsNaN(a) {
				return fmt.Errorf("--alpha %s: want a number in [0, 1], or one weight per class a0,a1,…", quote.Clip(f.alpha))
			}
			p.Alphas = append(p.Alphas, a)
		}
		if len(parts) == 1 {
			p.Alpha, p.Alphas = p.Alphas[0], nil
		}
	}
	if changed("gamma") {
		if math.IsNaN(f.gamma) {
			return errors.New("--gamma NaN: want a finite number ≥ 0")
		}
		p.Gamma = f.gamma
	}
	if changed("label-smoothing") {
		if math.IsNaN(f.labelSmoothing) {
			return errors.New("--label-smoothing NaN: want a label smoothing ε in [0, 1)")
		}
		p.LabelSmoothing = f.labelSmoothing
	}
	if changed("class-balanced") {
		if math.IsNaN(f.beta) {
			return errors.New("--class-balanced NaN: want β in [0, 1]")
		}
		p.Beta = f.beta
	}
	if p.Params, err = parseTrainParams(f.params); err != nil {
		return err
	}
	list := f.lossList
	switch {
	case changed("loss"):
	case f.compare && changed("class-balanced"):
		list = strings.Join(append(slices.Clone(train.LossNames), "cb-focal"), ",")
	case f.compare:
		list = strings.Join(train.LossNames, ",")
	case changed("class-balanced"):
		list = "cb-focal"
	}
	if c.Losses, err = train.ParseLosses(list, p); err != nil {
		return err
	}
	if changed("class-balanced") && !slices.ContainsFunc(c.Losses, func(l train.Loss) bool { return l.ClassBalanced }) {
		return fmt.Errorf("--class-balanced %v: none of the losses %s is class-balanced (cb-focal, cb-bce, …)", f.beta, list)
	}
	if f.save != "" && len(c.Losses)*len(c.Seeds) > 1 {
		return fmt.Errorf("--save %s: saves one model; give one --loss and one seed, not %d losses on %d seeds", f.save, len(c.Losses), len(c.Seeds))
	}
	return nil
}

func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return exitcode.Input(fmt.Errorf("unexpected argument %s (data is given with --data)", quote.Clip(args[0])))
	}
	return nil
}

func parseTrainParams(list []string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, p := range list {
		name, value, ok := strings.Cut(p, "=")
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if !ok || err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("--param %s: want NAME=NUMBER", quote.Clip(p))
		}
		out[strings.ToLower(strings.TrimSpace(name))] = v
	}
	return out, nil
}

// maxHidden bounds the number of hidden layers: the MLPs of focal train
// have a few, and building the graph of thousands takes minutes.
const maxHidden = 32

func parseHidden(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > maxHidden {
		return nil, fmt.Errorf("--hidden %s: %d layers, want at most %d", quote.Clip(s), len(parts), maxHidden)
	}
	var out []int
	for _, part := range parts {
		h, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || h < 1 || h > 1<<16 {
			return nil, fmt.Errorf("--hidden %s: want comma-separated layer widths in [1, 65536]", quote.Clip(s))
		}
		out = append(out, h)
	}
	return out, nil
}

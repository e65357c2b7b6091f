package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
	"github.com/focalgo/focal/cmd/focal/internal/metrics"
)

// Config are the settings of one focal train run.
type Config struct {
	// Data and Test are data specs for dataset.Load; without Test, a
	// stratified fraction TestFraction of Data is held out.
	Data, Test   string
	TestFraction float64
	// Label is the label column of CSV files.
	Label string
	// Positive, when set, makes the task one-vs-rest binary with that class
	// positive. Without it a two-class label is binary (the second class in
	// sorted order positive) and more classes are multi-class.
	Positive string
	// LongTail, when set (≥ 1), subsamples the training data to a long
	// tail of imbalance ratio ρ = LongTail (see LongTail); the test data
	// are left as they are.
	LongTail float64
	// ValFraction of each class of the training data is held out for
	// validation: the checkpoint with the best validation score is kept.
	// Zero holds out nothing.
	ValFraction float64
	// Seeds: every loss is trained once per seed, which fixes the splits,
	// the long-tail subsample, the initial weights and the batch order.
	// Empty is one run with seed 1.
	Seeds  []uint64
	Fit    FitConfig
	Losses []Loss
	// TemperatureScale fits, per trained model, the temperature that
	// minimises the NLL of the validation split (FitTemperature) and
	// reports the test calibration before and after it; the model keeps
	// it. It needs a validation split (ValFraction > 0).
	TemperatureScale bool
}

// Report is what a run prints, as a table or as JSON.
type Report struct {
	Task     string   `json:"task"` // "binary" or "multiclass"
	Positive string   `json:"positive,omitempty"`
	Classes  []string `json:"classes"`
	Features int      `json:"features"`
	// Train, Validation and Test are the splits of the first seed; later
	// seeds draw other examples in the same numbers.
	Train      Split  `json:"train"`
	Validation *Split `json:"validation,omitempty"`
	Test       Split  `json:"test"`
	// LongTail is the imbalance ratio ρ of a long-tailed subsample of
	// the training data (0: none).
	LongTail float64 `json:"long_tail,omitempty"`
	// Model describes the network: logistic regression or the MLP's
	// hidden widths.
	Model string `json:"model"`
	// Solver is the optimiser that ran, the default resolved.
	Solver Solver `json:"solver"`
	// Training describes the solver's settings in words.
	Training string   `json:"training"`
	Settings Settings `json:"settings"`
	Seeds    []uint64 `json:"seeds"`
	// Results has one entry per seed and loss, seed by seed.
	Results []Result `json:"results"`
	// Summary has one entry per loss over the seeds, when there are
	// several.
	Summary []Summary `json:"summary,omitempty"`

	testY []int // test labels of the first seed, for the plots
}

// Settings are the fitting settings in effect, defaults resolved.
type Settings struct {
	C           float64  `json:"C,omitempty"`
	Lambda      float64  `json:"l2_lambda,omitempty"`
	MaxIter     int      `json:"max_iter,omitempty"`
	Steps       int      `json:"steps,omitempty"`
	Epochs      int      `json:"epochs,omitempty"`
	Batch       int      `json:"batch,omitempty"`
	LR          float64  `json:"lr,omitempty"`
	Warmup      float64  `json:"warmup,omitempty"`
	Schedule    Schedule `json:"schedule,omitempty"`
	WeightDecay float64  `json:"weight_decay,omitempty"`
	EvalEvery   int      `json:"eval_every,omitempty"`
	Patience    int      `json:"patience,omitempty"`
}

// Split describes one part of the data.
type Split struct {
	Examples int   `json:"examples"`
	PerClass []int `json:"per_class"`
}

// Result is the outcome of training with one loss on one seed.
type Result struct {
	Loss string `json:"loss"`
	Name string `json:"name"`
	Seed uint64 `json:"seed"`
	// Steps are the Adam steps or L-BFGS iterations taken; BestStep the
	// step of the model scored (the best validation score); Budget the
	// step budget or iteration limit.
	Steps    int `json:"steps"`
	BestStep int `json:"best_step"`
	Budget   int `json:"budget"`
	// Epochs is BestStep in passes over the training data (Adam).
	Epochs float64 `json:"epochs,omitempty"`
	// Evaluations counts the objective evaluations of L-BFGS.
	Evaluations int  `json:"evaluations,omitempty"`
	Stop        Stop `json:"stop"`
	// Detail is the solver's word on the stop.
	Detail      string              `json:"stop_detail,omitempty"`
	Interrupted bool                `json:"interrupted,omitempty"`
	Val         *Score              `json:"validation,omitempty"`
	History     []Checkpoint        `json:"history"`
	Seconds     float64             `json:"seconds"`
	Binary      *metrics.Binary     `json:"binary,omitempty"`
	Multiclass  *metrics.Multiclass `json:"multiclass,omitempty"`
	// Calibration has every calibration metric of the test set, and with
	// temperature scaling the same after it. Binary and Multiclass score
	// the model as trained.
	Calibration *Calibration `json:"calibration"`

	model   *Model
	probs   []float64 // test probabilities, for the plots
	probsTS []float64 // the same after temperature scaling, or nil
}

// Model returns the model trained with the result's loss.
func (r *Result) Model() *Model { return r.model }

// data are the loaded examples of a run, before the splits.
type data struct {
	all, test *dataset.Set // test is nil without Config.Test
	binary    bool
}

// load reads the data of c and forms the task. Every error is the user's
// input.
func load(c Config) (*data, error) {
	// The errors of dataset start with the path at fault.
	all, err := dataset.Load(c.Data, c.Label)
	if err != nil {
		return nil, fmt.Errorf("--data %w", err)
	}
	d := &data{all: all}
	if c.Test != "" {
		if d.test, err = dataset.Load(c.Test, c.Label); err != nil {
			return nil, fmt.Errorf("--test %w", err)
		}
		if d.test.F != all.F {
			return nil, fmt.Errorf("%w: --test %s has %d features, --data %s has %d", dataset.ErrFormat, c.Test, d.test.F, c.Data, all.F)
		}
		dataset.Unify(d.all, d.test)
	}
	if c.Positive != "" {
		if d.all, err = dataset.OneVsRest(d.all, c.Positive); err != nil {
			return nil, err
		}
		if d.test != nil {
			if d.test, err = dataset.OneVsRest(d.test, c.Positive); err != nil {
				return nil, err
			}
		}
	}
	if err := dataset.CheckClasses(d.all, "--data "+c.Data); err != nil {
		return nil, err
	}
	d.binary = len(d.all.Classes) == 2
	return d, nil
}

// split returns the training, validation (nil for none) and test sets of
// one seed.
func (d *data) split(c Config, seed uint64) (tr, val, te *dataset.Set, err error) {
	tr, te = d.all, d.test
	if te == nil {
		if tr, te, err = dataset.Split(d.all, c.TestFraction, seed); err != nil {
			return nil, nil, nil, err
		}
	}
	if c.LongTail > 0 {
		if tr, err = LongTail(tr, c.LongTail, seed); err != nil {
			return nil, nil, nil, err
		}
	}
	if c.ValFraction > 0 {
		if tr, val, err = dataset.Split(tr, c.ValFraction, seed); err != nil {
			return nil, nil, nil, fmt.Errorf("--val-fraction %v: %w", c.ValFraction, err)
		}
	}
	if err := dataset.CheckClasses(tr, "training split"); err != nil {
		return nil, nil, nil, err
	}
	if d.binary {
		if c := te.Counts(); c[0] == 0 || c[1] == 0 {
			return nil, nil, nil, fmt.Errorf("test set: %w: %d positives, %d negatives; binary metrics need both (a larger --test-fraction?)",
				dataset.ErrOneClass, c[1], c[0])
		}
		if val != nil {
			if c := val.Counts(); c[0] == 0 || c[1] == 0 {
				return nil, nil, nil, fmt.Errorf("validation split: %w: %d positives, %d negatives; average precision needs both (a larger --val-fraction, or 0 for none?)",
					dataset.ErrOneClass, c[1], c[0])
			}
		}
	}
	return tr, val, te, nil
}

func (c Config) validate() error {
	if len(c.Losses) == 0 {
		return errors.New("--loss: no loss given")
	}
	if err := c.Fit.Validate(); err != nil {
		return err
	}
	switch {
	case !(c.TestFraction > 0 && c.TestFraction < 1) && c.Test == "":
		return fmt.Errorf("--test-fraction %v: want a fraction in (0, 1)", c.TestFraction)
	case !(c.ValFraction >= 0 && c.ValFraction < 1):
		return fmt.Errorf("--val-fraction %v: want a fraction in [0, 1) (0: no validation split)", c.ValFraction)
	case !(c.LongTail == 0 || (c.LongTail >= 1 && !math.IsInf(c.LongTail, 0))):
		return fmt.Errorf("--long-tail %v: want an imbalance ratio ρ ≥ 1", c.LongTail)
	case c.TemperatureScale && c.ValFraction == 0:
		return errors.New("--temperature-scale: fits the temperature on a validation split, and --val-fraction 0 holds out none")
	}
	return nil
}

// Run trains one model per loss and seed of c on the same splits,
// evaluates each on the test set and returns the report. Every error
// about the input is marked exitcode.Input. On cancellation of ctx it
// reports the runs finished so far and the current one as of its best (or
// last) checkpoint, and returns the report with ErrInterrupted wrapped.
func Run(ctx context.Context, c Config, progress Progress) (*Report, error) {
	if err := c.validate(); err != nil {
		return nil, exitcode.Input(err)
	}
	seeds := c.Seeds
	if len(seeds) == 0 {
		seeds = []uint64{1}
	}
	d, err := load(c)
	if err != nil {
		return nil, exitcode.Input(err)
	}
	fc := c.Fit.withDefaults()
	// Check every loss against the task before training any: a bad
	// parameter should not surface after an hour of the first loss.
	for _, l := range c.Losses {
		s, err := l.spec(d.binary, d.all.Counts())
		if err == nil {
			err = fc.checkSize(d.all.F, s.outputs())
		}
		if err != nil {
			return nil, exitcode.Input(err)
		}
	}
	r := &Report{
		Task: "multiclass", Classes: d.all.Classes, Features: d.all.F, LongTail: c.LongTail,
		Model: describeModel(fc.Hidden), Solver: fc.Solver, Seeds: seeds,
	}
	if d.binary {
		r.Task = "binary"
		r.Positive = d.all.Classes[1]
	}
	var stop error
	runs := len(seeds) * len(c.Losses)
seeds:
	for si, seed := range seeds {
		tr, val, te, err := d.split(c, seed)
		if err != nil {
			return nil, exitcode.Input(err)
		}
		if si == 0 {
			r.Train, r.Test, r.testY = Split{tr.N, tr.Counts()}, Split{te.N, te.Counts()}, te.Y
			if val != nil {
				r.Validation = &Split{val.N, val.Counts()}
			}
			r.Settings, r.Training = describeTraining(fc, tr.N)
		}
		for li, l := range c.Losses {
			cfg := c.Fit
			cfg.Seed, cfg.Loss = seed, l
			label := l.Label(d.binary)
			if progress != nil {
				total := cfg.withDefaults().MaxIter
				if fc.Solver == SolverAdam {
					total, _ = fc.budget(tr.N)
				}
				progress.Started(RunInfo{Loss: label, Seed: seed, Index: si*len(c.Losses) + li, Runs: runs, Total: total})
				cfg.Progress = progress.Stepped
			}
			fit, err := Fit(ctx, cfg, tr, val, d.binary)
			if errors.Is(err, ErrInterrupted) {
				stop = fmt.Errorf("%w (loss %s, seed %d)", err, label, seed)
				break seeds
			}
			if err != nil {
				return nil, fmt.Errorf("loss %s: %w", label, err)
			}
			scaleOn := val // the split to fit a temperature on, or nil
			if !c.TemperatureScale {
				scaleOn = nil
			}
			res, err := evaluate(fit, scaleOn, te, d.binary)
			if err != nil {
				return nil, fmt.Errorf("loss %s: %w", label, err)
			}
			res.Loss, res.Name, res.Seed = label, l.Name, seed
			r.Results = append(r.Results, res)
			if progress != nil {
				progress.Finished(&r.Results[len(r.Results)-1])
			}
			if fit.Interrupted {
				stop = fmt.Errorf("interrupted: loss %s, seed %d, stopped at step %d of %d", label, seed, fit.Steps, fit.Budget)
				break seeds
			}
		}
	}
	if len(seeds) > 1 {
		r.Summary = summarize(r)
	}
	return r, stop
}

// evaluate scores the fitted model on the test set te; with val, it
// fits a temperature on val first (see calibrate).
func evaluate(fit *Fitted, val, te *dataset.Set, binary bool) (Result, error) {
	res := Result{
		Steps: fit.Steps, BestStep: fit.BestStep, Budget: fit.Budget, Epochs: fit.Epochs,
		Evaluations: fit.Evaluations, Stop: fit.Stop, Detail: fit.Detail, Interrupted: fit.Interrupted,
		Val: fit.Val, History: fit.History, Seconds: fit.Duration.Seconds(), model: fit.Model,
	}
	logits, err := fit.Model.Logits(te.X, te.N)
	if err != nil {
		return res, err
	}
	p := fit.Model.probabilities(logits, 1)
	res.probs = p
	if res.Calibration, res.probsTS, err = calibrate(fit.Model, logits, p, te.Y, val); err != nil {
		return res, err
	}
	if binary {
		y := make([]bool, te.N)
		for i, v := range te.Y {
			y[i] = v == 1
		}
		b, err := metrics.EvaluateBinary(p, y)
		if err != nil {
			return res, err
		}
		res.Binary = &b
		return res, nil
	}
	m, err := metrics.EvaluateMulticlass(p, te.Y, len(te.Classes))
	if err != nil {
		return res, err
	}
	res.Multiclass = &m
	return res, nil
}

func describeModel(hidden []int) string {
	if len(hidden) == 0 {
		return "logistic regression"
	}
	return "MLP " + widths(hidden)
}

// describeTraining returns the settings in effect for n training
// examples, as data and in words.
func describeTraining(c FitConfig, n int) (Settings, string) {
	if c.Solver == SolverLBFGS {
		s := Settings{C: c.C, MaxIter: c.MaxIter}
		pen := "no L2 penalty"
		if !math.IsInf(c.C, 1) {
			s.Lambda = 1 / (c.C * float64(n))
			pen = fmt.Sprintf("L2 C=%g, λ = 1/(C·N) = %.3g, bias unpenalised", c.C, s.Lambda)
		}
		if math.IsInf(c.C, 1) {
			s.C = 0
		}
		return s, fmt.Sprintf("L-BFGS, full batch, %s, ≤ %d iterations", pen, c.MaxIter)
	}
	steps, every := c.budget(n)
	s := Settings{Steps: steps, Epochs: c.Epochs, Batch: c.Batch, LR: c.LR, Warmup: c.Warmup, Schedule: c.Schedule,
		WeightDecay: c.WeightDecay, EvalEvery: every, Patience: c.Patience}
	var b strings.Builder
	opt := "Adam"
	if c.WeightDecay > 0 {
		opt = fmt.Sprintf("AdamW (weight decay %g)", c.WeightDecay)
	}
	fmt.Fprintf(&b, "%s lr %g", opt, c.LR)
	if w := int(math.Round(c.Warmup * float64(steps))); w > 0 {
		fmt.Fprintf(&b, ", warm-up %d steps", w)
	}
	if c.Schedule == ScheduleCosine {
		b.WriteString(", cosine decay")
	}
	fmt.Fprintf(&b, ", batch %d, %d steps", c.Batch, steps)
	if c.Epochs > 0 {
		fmt.Fprintf(&b, " (%d epochs)", c.Epochs)
	}
	fmt.Fprintf(&b, ", checkpoint every %d", every)
	if c.Patience > 0 {
		fmt.Fprintf(&b, ", patience %d", c.Patience)
	}
	return s, b.String()
}

// WriteTable prints the report as aligned text tables.
func (r *Report) WriteTable(w io.Writer) error {
	return writeTable(w, r)
}

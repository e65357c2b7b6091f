package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/focalgo/focal/internal/dataset"
	"github.com/focalgo/focal/internal/exitcode"
	"github.com/focalgo/focal/metrics"
)

// Options are the settings of one focal train run.
type Options struct {
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
	Config   Config
	Losses   []Loss
	// Plots, when set, is a directory for PNG plots; Save a model path.
	Plots, Save string
}

// Report is what a run prints, as a table or as JSON.
type Report struct {
	Task     string   `json:"task"` // "binary" or "multiclass"
	Positive string   `json:"positive,omitempty"`
	Classes  []string `json:"classes"`
	Features int      `json:"features"`
	Train    Split    `json:"train"`
	Test     Split    `json:"test"`
	Model    string   `json:"model"`
	Epochs   int      `json:"epochs"`
	Batch    int      `json:"batch"`
	LR       float64  `json:"lr"`
	Seed     uint64   `json:"seed"`
	Results  []Result `json:"results"`

	testY []int // test labels, for the plots
}

// Split describes one side of the train/test split.
type Split struct {
	Examples int   `json:"examples"`
	PerClass []int `json:"per_class"`
}

// Result is the outcome of training with one loss.
type Result struct {
	Loss        string              `json:"loss"`
	Name        string              `json:"name"`
	Epochs      int                 `json:"epochs_finished"`
	Interrupted bool                `json:"interrupted,omitempty"`
	EpochLoss   []float64           `json:"epoch_loss"`
	Steps       int                 `json:"steps"`
	Seconds     float64             `json:"seconds"`
	Binary      *metrics.Binary     `json:"binary,omitempty"`
	Multiclass  *metrics.Multiclass `json:"multiclass,omitempty"`

	model *Model
	probs []float64 // test probabilities, for the plots
}

// Prepare loads and splits the data of o and forms the task: it returns
// the training and test sets and whether the task is binary. Every error
// is the user's input (exitcode.Input).
func Prepare(o Options) (tr, te *dataset.Set, binary bool, err error) {
	tr, te, binary, err = prepare(o)
	return tr, te, binary, exitcode.Input(err)
}

func prepare(o Options) (tr, te *dataset.Set, binary bool, err error) {
	all, err := dataset.Load(o.Data, o.Label)
	if err != nil {
		return nil, nil, false, err
	}
	if o.Test != "" {
		te, err = dataset.Load(o.Test, o.Label)
		if err != nil {
			return nil, nil, false, err
		}
		if te.F != all.F {
			return nil, nil, false, fmt.Errorf("%w: --test %s has %d features, --data %s has %d", dataset.ErrFormat, o.Test, te.F, o.Data, all.F)
		}
		dataset.Unify(all, te)
		tr = all
	}
	if o.Positive != "" {
		if all, err = dataset.OneVsRest(all, o.Positive); err != nil {
			return nil, nil, false, err
		}
		if te != nil {
			if te, err = dataset.OneVsRest(te, o.Positive); err != nil {
				return nil, nil, false, err
			}
		}
	}
	if err := dataset.CheckClasses(all, o.Data); err != nil {
		return nil, nil, false, err
	}
	binary = len(all.Classes) == 2
	if te == nil {
		if tr, te, err = dataset.Split(all, o.TestFraction, o.Config.Seed); err != nil {
			return nil, nil, false, err
		}
	} else {
		tr = all
	}
	if err := dataset.CheckClasses(tr, "training split"); err != nil {
		return nil, nil, false, err
	}
	if binary {
		if c := te.Counts(); c[0] == 0 || c[1] == 0 {
			return nil, nil, false, fmt.Errorf("test set: %w: %d positives, %d negatives; binary metrics need both (a larger --test-fraction?)",
				dataset.ErrOneClass, c[1], c[0])
		}
	}
	return tr, te, binary, nil
}

// Run trains one model per loss of o on the same split with the same seed,
// evaluates each on the test set and returns the report. On cancellation
// of ctx it reports the losses trained so far, the current one as of its
// last finished epoch, and returns the report with ErrInterrupted wrapped.
func Run(ctx context.Context, o Options, progress Progress) (*Report, error) {
	if len(o.Losses) == 0 {
		return nil, exitcode.Input(errors.New("--loss: no loss given"))
	}
	if o.Save != "" && len(o.Losses) > 1 {
		return nil, exitcode.Input(fmt.Errorf("--save %s: saves one model; give one --loss, not %d", o.Save, len(o.Losses)))
	}
	if err := o.Config.validate(); err != nil {
		return nil, exitcode.Input(err)
	}
	tr, te, binary, err := Prepare(o)
	if err != nil {
		return nil, err
	}
	// Check every loss against the task before training any: a bad
	// parameter should not surface after an hour of the first loss.
	for _, l := range o.Losses {
		if _, err := l.lossFn(binary, tr.Counts()); err != nil {
			return nil, exitcode.Input(err)
		}
	}
	r := &Report{
		Task: "multiclass", Classes: tr.Classes, Features: tr.F,
		Train: Split{tr.N, tr.Counts()}, Test: Split{te.N, te.Counts()},
		Model: describeModel(o.Config.Hidden), Epochs: o.Config.Epochs, Batch: o.Config.Batch,
		LR: o.Config.LR, Seed: o.Config.Seed, testY: te.Y,
	}
	if binary {
		r.Task = "binary"
		r.Positive = tr.Classes[1]
	}
	var stop error
	for i, l := range o.Losses {
		cfg := o.Config
		cfg.Loss = l
		if progress != nil {
			progress.Started(RunInfo{Loss: l.Label(binary), Seed: cfg.Seed, Index: i, Runs: len(o.Losses),
				Total: cfg.Epochs * ((tr.N + cfg.Batch - 1) / cfg.Batch)})
			cfg.Progress = func(done, total int) { progress.Stepped(Step{Done: done, Total: total}) }
		}
		fit, err := Fit(ctx, cfg, tr, binary)
		if errors.Is(err, ErrInterrupted) {
			stop = fmt.Errorf("%w (loss %s)", err, l.Label(binary))
			break
		}
		if err != nil {
			return nil, fmt.Errorf("loss %s: %w", l.Label(binary), err)
		}
		res, err := evaluate(fit, te, binary)
		if err != nil {
			return nil, fmt.Errorf("loss %s: %w", l.Label(binary), err)
		}
		res.Loss = l.Label(binary)
		res.Name = l.Name
		r.Results = append(r.Results, res)
		if progress != nil {
			progress.Finished(&r.Results[len(r.Results)-1])
		}
		if fit.Interrupted {
			stop = fmt.Errorf("interrupted: loss %s stopped after epoch %d of %d", res.Loss, fit.Epochs, cfg.Epochs)
			break
		}
	}
	return r, stop
}

func evaluate(fit *Fitted, te *dataset.Set, binary bool) (Result, error) {
	res := Result{
		Epochs: fit.Epochs, Interrupted: fit.Interrupted, EpochLoss: fit.EpochLoss,
		Steps: fit.Steps, Seconds: fit.Duration.Seconds(), model: fit.Model,
	}
	p, err := fit.Model.Predict(te.X, te.N)
	if err != nil {
		return res, err
	}
	res.probs = p
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
	s := make([]string, len(hidden))
	for i, h := range hidden {
		s[i] = fmt.Sprint(h)
	}
	return "MLP " + strings.Join(s, ",")
}

// WriteTable prints the report as aligned text tables.
func (r *Report) WriteTable(w io.Writer) error {
	return writeTable(w, r)
}

// Model returns the model trained with the result's loss.
func (r *Result) Model() *Model { return r.model }

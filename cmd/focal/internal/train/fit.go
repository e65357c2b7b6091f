package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
	"github.com/focalgo/focal/cmd/focal/internal/quote"
)

// Solver names how a model is fitted.
type Solver string

const (
	// SolverAuto is L-BFGS for a logistic regression, Adam for an MLP.
	SolverAuto Solver = ""
	// SolverLBFGS minimises the full-batch objective (the mean loss plus
	// an L2 penalty) with gonum's L-BFGS: deterministic, no learning rate.
	// Logistic regression only.
	SolverLBFGS Solver = "lbfgs"
	// SolverAdam takes mini-batch steps of GoMLX's Adam (AdamW with a
	// weight decay) under a learning-rate schedule.
	SolverAdam Solver = "adam"
)

// Resolve returns the solver in effect for a model with the given hidden
// layers.
func (s Solver) Resolve(hidden []int) Solver {
	if s == SolverAuto {
		if len(hidden) == 0 {
			return SolverLBFGS
		}
		return SolverAdam
	}
	return s
}

// Schedule names a learning-rate schedule of the Adam solver.
type Schedule string

const (
	// ScheduleConstant keeps the learning rate (after the warm-up).
	ScheduleConstant Schedule = "constant"
	// ScheduleCosine decays it from LR to 0 along a half cosine over the
	// steps after the warm-up.
	ScheduleCosine Schedule = "cosine"
)

// Defaults of the fitting settings, used where FitConfig has a zero.
const (
	DefaultC        = 1.0
	DefaultMaxIter  = 1000
	DefaultSteps    = 2000
	DefaultBatch    = 256
	DefaultLR       = 1e-3
	defaultEvalRuns = 20 // validations per budget, at least
)

// FitConfig holds the settings of one fit. Zero values pick the defaults
// named by the fields (a zero Schedule is ScheduleConstant, a zero
// Warmup none, a zero Patience no early stopping).
type FitConfig struct {
	// Hidden are the widths of the MLP's hidden ReLU layers; none is a
	// logistic (softmax) regression.
	Hidden []int
	Solver Solver

	// C is the inverse L2 strength of L-BFGS, scikit-learn's convention:
	// the objective is the mean loss + ‖W‖²/(2·C·N) over N training
	// examples, biases unpenalised; +Inf is no penalty. Default DefaultC.
	C float64
	// MaxIter bounds the L-BFGS iterations. Default DefaultMaxIter.
	MaxIter int

	// Steps is the budget of Adam steps; Epochs, when set instead, makes
	// it Epochs passes over the training data. Default DefaultSteps.
	Steps, Epochs int
	// Batch is the mini-batch size; an epoch's last batch may be smaller.
	Batch int
	// LR is Adam's peak learning rate, reached after Warmup (a fraction
	// of the budget, linear from LR/warm-up steps) and then kept or
	// decayed as Schedule says.
	LR       float64
	Warmup   float64
	Schedule Schedule
	// WeightDecay is AdamW's decoupled weight decay (of every variable).
	WeightDecay float64
	// EvalEvery is the number of steps between validations (and
	// checkpoints); zero is one epoch, or budget/20 steps if fewer.
	EvalEvery int
	// Patience stops training after that many validations without
	// improvement; zero trains the whole budget. With a validation set the
	// best checkpoint is restored either way.
	Patience int

	// Seed fixes the initial weights and the batch order: the same seed,
	// data and configuration give the same model, bit for bit.
	Seed uint64
	Loss Loss
	// Progress, when not nil, is called after every step.
	Progress func(Step)
}

// withDefaults returns c with the zero values replaced by the defaults.
func (c FitConfig) withDefaults() FitConfig {
	c.Solver = c.Solver.Resolve(c.Hidden)
	if c.C == 0 {
		c.C = DefaultC
	}
	if c.MaxIter == 0 {
		c.MaxIter = DefaultMaxIter
	}
	if c.Steps == 0 && c.Epochs == 0 {
		c.Steps = DefaultSteps
	}
	if c.Batch == 0 {
		c.Batch = DefaultBatch
	}
	if c.LR == 0 {
		c.LR = DefaultLR
	}
	if c.Schedule == "" {
		c.Schedule = ScheduleConstant
	}
	return c
}

// Validate returns an error naming the flag of the first bad setting.
func (c FitConfig) Validate() error {
	for _, h := range c.Hidden {
		if h < 1 {
			return fmt.Errorf("--hidden %v: layer widths must be ≥ 1", c.Hidden)
		}
	}
	switch {
	case c.Solver != SolverAuto && c.Solver != SolverLBFGS && c.Solver != SolverAdam:
		return fmt.Errorf("--solver %s: want lbfgs or adam", quote.Clip(string(c.Solver)))
	case c.Solver == SolverLBFGS && len(c.Hidden) > 0:
		return fmt.Errorf("--solver lbfgs: fits a logistic regression; an MLP (--hidden %s) trains with adam", widths(c.Hidden))
	case !(c.C >= 0):
		return fmt.Errorf("--C %v: want a number > 0 (inf: no L2 penalty)", c.C)
	case c.MaxIter < 0:
		return fmt.Errorf("--max-iter %d: want at least 1", c.MaxIter)
	case c.Steps < 0:
		return fmt.Errorf("--steps %d: want at least 1", c.Steps)
	case c.Epochs < 0:
		return fmt.Errorf("--epochs %d: want at least 1", c.Epochs)
	case c.Steps > 0 && c.Epochs > 0:
		return fmt.Errorf("--steps %d and --epochs %d: give one budget or the other", c.Steps, c.Epochs)
	case c.Batch < 0:
		return fmt.Errorf("--batch %d: want at least 1", c.Batch)
	case !(c.LR >= 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("--lr %v: want a finite number > 0", c.LR)
	case !(c.Warmup >= 0 && c.Warmup < 1):
		return fmt.Errorf("--warmup %v: want a fraction of the budget in [0, 1)", c.Warmup)
	case c.Schedule != "" && c.Schedule != ScheduleConstant && c.Schedule != ScheduleCosine:
		return fmt.Errorf("--schedule %s: want cosine or constant", quote.Clip(string(c.Schedule)))
	case !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 0):
		return fmt.Errorf("--weight-decay %v: want a finite number ≥ 0", c.WeightDecay)
	case c.EvalEvery < 0:
		return fmt.Errorf("--eval-every %d: want at least 1 step", c.EvalEvery)
	case c.Patience < 0:
		return fmt.Errorf("--patience %d: want a number of validations ≥ 0 (0: no early stopping)", c.Patience)
	}
	return nil
}

// widths writes layer widths as --hidden takes them: 64,64.
func widths(h []int) string {
	s := make([]string, len(h))
	for i, w := range h {
		s[i] = strconv.Itoa(w)
	}
	return strings.Join(s, ",")
}

// maxWeights bounds the weights of a model: Adam keeps three copies of
// them, and 2²⁶ float32 weights take 768 MiB so.
const maxWeights = 1 << 26

// checkSize returns an error naming --hidden when an MLP of c.Hidden on f
// features with the given outputs has more than maxWeights weights.
func (c FitConfig) checkSize(f, outputs int) error {
	n, in := 0, f
	for _, h := range append(slices.Clone(c.Hidden), outputs) {
		n += in*h + h
		in = h
		if n > maxWeights {
			return fmt.Errorf("--hidden %s: more than %d weights on %d features (memory)", widths(c.Hidden), maxWeights, f)
		}
	}
	return nil
}

// ErrInterrupted is returned by Fit when ctx was cancelled before the
// first checkpoint.
var ErrInterrupted = errors.New("interrupted before the first checkpoint")

// ErrDiverged is returned by Fit when the training loss becomes NaN or
// infinite.
var ErrDiverged = errors.New("training diverged")

// Stop says why training ended.
type Stop string

const (
	// StopConverged: L-BFGS met its gradient or objective threshold.
	StopConverged Stop = "converged"
	// StopIterations: L-BFGS reached MaxIter.
	StopIterations Stop = "iteration limit"
	// StopBudget: Adam took every step of its budget.
	StopBudget Stop = "budget"
	// StopEarly: the validation score stopped improving for Patience
	// validations.
	StopEarly Stop = "early stopping"
	// StopInterrupted: ctx was cancelled.
	StopInterrupted Stop = "interrupted"
)

// Checkpoint is the state of a run at one validation (Adam) or iteration
// (L-BFGS).
type Checkpoint struct {
	Step int `json:"step"`
	// TrainLoss is the mean batch loss since the previous checkpoint
	// (Adam), or the objective with its L2 term (L-BFGS).
	TrainLoss float64 `json:"train_loss"`
	// Val scores the model on the validation split; nil without one.
	Val *Score `json:"val,omitempty"`
}

// Score is a model's score on the validation split: Metric, the higher
// the better (average precision for a binary task, balanced accuracy
// otherwise), and Loss, the training loss on the split, which breaks ties
// of Metric.
type Score struct {
	Metric float64 `json:"metric"`
	Loss   float64 `json:"loss"`
}

// better reports whether s beats t: a higher metric, or the same metric
// and a lower loss. Comparing the loss too keeps a saturated metric (an
// average precision of 1 on a small split) from stopping training while
// the model still improves.
func (s Score) better(t Score) bool {
	return s.Metric > t.Metric || (s.Metric == t.Metric && s.Loss < t.Loss)
}

// Fitted is a trained model and the story of its training.
type Fitted struct {
	Model  *Model
	Solver Solver
	// Steps is the number of Adam steps or L-BFGS iterations taken;
	// BestStep the step of the returned model (the best validation score,
	// else the last checkpoint).
	Steps, BestStep int
	// Budget is the step budget (Adam) or iteration limit (L-BFGS).
	Budget int
	// Evaluations counts the objective evaluations of L-BFGS.
	Evaluations int
	// Epochs is BestStep in passes over the training data.
	Epochs float64
	Stop   Stop
	// Detail is the solver's own word on the stop (gonum's status).
	Detail string
	// Val is the validation score of the returned model; nil without a
	// validation set.
	Val *Score
	// History holds every checkpoint (Adam) or iteration (L-BFGS).
	History []Checkpoint
	// Interrupted is set when ctx was cancelled before training ended.
	Interrupted bool
	Duration    time.Duration
}

// Fit trains a model on tr and, when val is not nil, scores it on val at
// every checkpoint, keeping the best. A binary task (binary set, two
// classes) trains one sigmoid output for Classes[1]; a multi-class task a
// softmax over the classes, or C sigmoid outputs for the -sigmoid losses.
// Features are standardised with statistics of tr only.
//
// When ctx is cancelled, Fit stops after the current step and returns the
// model of the best (or last) checkpoint so far, with Interrupted set
// (ErrInterrupted if there was none).
func Fit(ctx context.Context, cfg FitConfig, tr, val *dataset.Set, binary bool) (*Fitted, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if binary && len(tr.Classes) != 2 {
		return nil, fmt.Errorf("train: binary task with %d classes", len(tr.Classes))
	}
	if err := dataset.CheckClasses(tr, "training split"); err != nil {
		return nil, err
	}
	if val != nil && (val.F != tr.F || len(val.Classes) != len(tr.Classes)) {
		return nil, fmt.Errorf("train: validation set of %d features and %d classes for %d and %d", val.F, len(val.Classes), tr.F, len(tr.Classes))
	}
	counts := tr.Counts()
	spec, err := cfg.Loss.spec(binary, counts)
	if err != nil {
		return nil, err
	}
	prior := make([]float64, len(counts))
	for i, c := range counts {
		prior[i] = float64(c) / float64(tr.N)
	}
	m := &Model{
		Format:       FormatVersion,
		Binary:       binary,
		Classes:      tr.Classes,
		Features:     tr.Features,
		Hidden:       slices.Clone(cfg.Hidden),
		Loss:         cfg.Loss.Label(binary),
		Standardizer: dataset.Fit(tr.X, tr.N, tr.F),
	}
	if spec.out == outSigmoid {
		m.Output = OutputSigmoid
	}
	m.Layers = newLayers(tr.F, cfg.Hidden, prior, spec.out, weightRand(cfg.Seed), cfg.Solver == SolverLBFGS)
	var vs *validator
	if val != nil {
		vs = newValidator(m, spec, val)
	}
	start := time.Now()
	var fit *Fitted
	if cfg.Solver == SolverLBFGS {
		fit, err = fitLBFGS(ctx, cfg, m, spec, tr, vs)
	} else {
		fit, err = fitAdam(ctx, cfg, m, spec, tr, vs)
	}
	if err != nil {
		return nil, err
	}
	fit.Solver = cfg.Solver
	fit.Duration = time.Since(start)
	return fit, nil
}

// weightRand returns the random source of the initial weights of seed.
func weightRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

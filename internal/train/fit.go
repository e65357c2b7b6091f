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

	"github.com/gomlx/gomlx/core/tensors"
	gtrain "github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/focalgo/focal/internal/dataset"
)

// Config holds the training hyper-parameters.
type Config struct {
	// Hidden are the widths of the MLP's hidden ReLU layers; none is a
	// logistic (softmax) regression.
	Hidden []int
	Epochs int
	// LR is Adam's learning rate.
	LR float64
	// Batch is the mini-batch size; the last batch of an epoch may be
	// smaller.
	Batch int
	// Seed fixes the initial weights and the batch order: the same seed,
	// data and configuration give the same model, bit for bit.
	Seed uint64
	Loss Loss
	// Progress, when not nil, is called after every step with the number of
	// steps done and the total.
	Progress func(done, total int)
}

func (c Config) validate() error {
	switch {
	case c.Epochs < 1:
		return fmt.Errorf("--epochs %d: want at least 1", c.Epochs)
	case c.Batch < 1:
		return fmt.Errorf("--batch %d: want at least 1", c.Batch)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("--lr %v: want a finite number > 0", c.LR)
	}
	for _, h := range c.Hidden {
		if h < 1 {
			return fmt.Errorf("--hidden %v: layer widths must be ≥ 1", c.Hidden)
		}
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
func (c Config) checkSize(f, outputs int) error {
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
// first epoch finished.
var ErrInterrupted = errors.New("interrupted before the first epoch finished")

// ErrDiverged is returned by Fit when the training loss becomes NaN or
// infinite.
var ErrDiverged = errors.New("training diverged")

// Fitted is a trained model and the story of its training.
type Fitted struct {
	Model *Model
	// Epochs is the number of finished epochs; Model is the model at the
	// end of the last of them.
	Epochs int
	// Interrupted is set when ctx was cancelled before all epochs ran.
	Interrupted bool
	// EpochLoss is the mean training loss of each finished epoch.
	EpochLoss []float64
	Steps     int
	Duration  time.Duration
}

// Fit trains a model on tr with GoMLX's Adam. A binary task (tr has two
// classes and binary is set) trains one sigmoid output for Classes[1];
// else a softmax over the classes. Features are standardised with
// statistics of tr only.
//
// When ctx is cancelled, Fit stops after the current step and returns the
// model as it was at the end of the last finished epoch, with Interrupted
// set (ErrInterrupted if no epoch finished).
func Fit(ctx context.Context, cfg Config, tr *dataset.Set, binary bool) (*Fitted, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if binary && len(tr.Classes) != 2 {
		return nil, fmt.Errorf("train: binary task with %d classes", len(tr.Classes))
	}
	if err := dataset.CheckClasses(tr, "training split"); err != nil {
		return nil, err
	}
	counts := tr.Counts()
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
	m.Layers = newLayers(tr.F, cfg.Hidden, prior, binary, rand.New(rand.NewPCG(cfg.Seed, 1)))
	lossFn, err := cfg.Loss.lossFn(binary, counts)
	if err != nil {
		return nil, err
	}
	be, err := backend()
	if err != nil {
		return nil, err
	}
	st, err := m.store()
	if err != nil {
		return nil, err
	}
	defer st.Finalize()
	trainer := gtrain.NewTrainer(be, st, forward(len(m.Layers)), lossFn,
		optimizer.Adam().LearningRate(cfg.LR).Done(), nil, nil)
	defer trainer.ResetComputationGraphs() // frees the compiled graphs

	xs := m.Standardizer.Apply(tr.X)
	shuffle := rand.New(rand.NewPCG(cfg.Seed, 2))
	perm := make([]int, tr.N)
	for i := range perm {
		perm[i] = i
	}
	stepsPerEpoch := (tr.N + cfg.Batch - 1) / cfg.Batch
	total := stepsPerEpoch * cfg.Epochs
	fit := &Fitted{}
	start := time.Now()
	snapshot := cloneModel(m)
	// A batch larger than the training set is the whole set: size the
	// buffer by what a batch can hold, not by the flag.
	bx := make([]float32, 0, min(cfg.Batch, tr.N)*tr.F)

	for epoch := 0; epoch < cfg.Epochs; epoch++ {
		shuffle.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		sum := 0.0
		for lo := 0; lo < tr.N; lo += cfg.Batch {
			if ctx.Err() != nil {
				return interrupted(fit, snapshot, start)
			}
			idx := perm[lo:min(lo+cfg.Batch, tr.N)]
			bx = bx[:0]
			for _, i := range idx {
				bx = append(bx, xs[i*tr.F:(i+1)*tr.F]...)
			}
			batch := gtrain.Batch{
				Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(slices.Clone(bx), len(idx), tr.F)},
				Labels: []*tensors.Tensor{labelTensor(tr.Y, idx, binary)},
			}
			l, err := trainStep(trainer, batch)
			if err != nil {
				return nil, err
			}
			sum += l * float64(len(idx))
			fit.Steps++
			if cfg.Progress != nil {
				cfg.Progress(fit.Steps, total)
			}
		}
		mean := sum / float64(tr.N)
		if math.IsNaN(mean) || math.IsInf(mean, 0) {
			return nil, fmt.Errorf("%w: the mean loss of epoch %d is %v; try a smaller --lr", ErrDiverged, epoch+1, mean)
		}
		if err := m.readStore(st); err != nil {
			return nil, err
		}
		snapshot = cloneModel(m)
		fit.Epochs++
		fit.EpochLoss = append(fit.EpochLoss, mean)
	}
	fit.Model = snapshot
	fit.Duration = time.Since(start)
	return fit, nil
}

func interrupted(fit *Fitted, snapshot *Model, start time.Time) (*Fitted, error) {
	if fit.Epochs == 0 {
		return nil, ErrInterrupted
	}
	fit.Model = snapshot
	fit.Interrupted = true
	fit.Duration = time.Since(start)
	return fit, nil
}

// labelTensor returns the labels of rows idx: float32 targets [b, 1] for
// a binary task, int32 class indices [b, 1] otherwise.
func labelTensor(y, idx []int, binary bool) *tensors.Tensor {
	if binary {
		v := make([]float32, len(idx))
		for k, i := range idx {
			v[k] = float32(y[i])
		}
		return tensors.FromFlatDataAndDimensions(v, len(idx), 1)
	}
	v := make([]int32, len(idx))
	for k, i := range idx {
		v[k] = int32(y[i])
	}
	return tensors.FromFlatDataAndDimensions(v, len(idx), 1)
}

// trainStep runs one Adam step and returns the batch loss, turning a GoMLX
// panic into an error.
func trainStep(t *gtrain.Trainer, b gtrain.Batch) (l float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("train: GoMLX: %v", r)
		}
	}()
	ms, err := t.TrainStep(b)
	if err != nil {
		return 0, err
	}
	defer func() {
		for _, m := range ms {
			m.FinalizeAll()
		}
	}()
	switch v := ms[0].Value().(type) {
	case float32:
		return float64(v), nil
	case float64:
		return v, nil
	}
	return 0, fmt.Errorf("train: loss of type %T", ms[0].Value())
}

func cloneModel(m *Model) *Model {
	c := *m
	c.Layers = make([]Layer, len(m.Layers))
	for i, l := range m.Layers {
		c.Layers[i] = Layer{In: l.In, Out: l.Out, W: slices.Clone(l.W), B: slices.Clone(l.B)}
	}
	return &c
}

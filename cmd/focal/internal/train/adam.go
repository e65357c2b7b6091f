package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	gtrain "github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
)

// learningRate returns the learning rate of step t (from 0) of a budget:
// a linear warm-up over the first Warmup·budget steps from LR/warm-up
// steps to LR, then LR (ScheduleConstant) or a half cosine from LR down to
// 0 at the end of the budget (ScheduleCosine).
func learningRate(cfg FitConfig, t, budget int) float64 {
	w := int(math.Round(cfg.Warmup * float64(budget)))
	if t < w {
		return cfg.LR * float64(t+1) / float64(w)
	}
	if cfg.Schedule == ScheduleCosine {
		frac := float64(t-w) / float64(budget-w)
		return cfg.LR * (1 + math.Cos(math.Pi*frac)) / 2
	}
	return cfg.LR
}

// budget returns the number of steps of an Adam fit of n examples, and
// the number of steps between checkpoints.
func (c FitConfig) budget(n int) (steps, evalEvery int) {
	perEpoch := (n + c.Batch - 1) / c.Batch
	steps = c.Steps
	if c.Epochs > 0 {
		steps = c.Epochs * perEpoch
	}
	evalEvery = c.EvalEvery
	if evalEvery == 0 {
		evalEvery = max(1, min(perEpoch, (steps+defaultEvalRuns-1)/defaultEvalRuns))
	}
	return steps, evalEvery
}

// fitAdam trains m on tr with GoMLX's Adam (AdamW when WeightDecay > 0)
// for the step budget, checkpointing every EvalEvery steps: with vs, the
// best-scoring checkpoint is returned (and training stops after Patience
// checkpoints without improvement); without, the last.
func fitAdam(ctx context.Context, cfg FitConfig, m *Model, spec lossSpec, tr *dataset.Set, vs *validator) (*Fitted, error) {
	lossFn, err := spec.lossFn()
	if err != nil {
		return nil, err
	}
	be, st, err := m.loaded()
	if err != nil {
		return nil, err
	}
	defer st.Finalize()
	opt := optimizer.Adam().LearningRate(cfg.LR).WeightDecay(cfg.WeightDecay).Done()
	trainer := gtrain.NewTrainer(be, st, forward(len(m.Layers)), lossFn, opt, nil, nil)
	defer trainer.ResetComputationGraphs() // frees the compiled graphs
	// The trainer's optimizer reads its learning rate from this variable,
	// which NewTrainer deletes and the first step creates unless it
	// exists: setting it before a step sets that step's rate.
	lrVar, err := st.CreateVariable(model.JoinPath(optimizer.Scope, optimizer.ParamLearningRate), tensors.FromScalar(float32(cfg.LR)))
	if err != nil {
		return nil, err
	}
	lrVar.SetTrainable(false)
	var exec *model.Exec
	if vs != nil {
		if exec, err = model.NewExec(be, st, forward(len(m.Layers))); err != nil {
			return nil, err
		}
		defer exec.Finalize()
	}

	xs := m.Standardizer.Apply(tr.X)
	budget, evalEvery := cfg.budget(tr.N)
	perEpoch := (tr.N + cfg.Batch - 1) / cfg.Batch
	fit := &Fitted{Budget: budget, Stop: StopBudget}
	var (
		best      *Model
		bestScore Score
		since     int // checkpoints since the best
		sum       float64
		count     int
	)
	checkpoint := func(step int) error {
		if err := m.readStore(st); err != nil {
			return err
		}
		cp := Checkpoint{Step: step, TrainLoss: sum / float64(count)}
		sum, count = 0, 0
		if vs == nil {
			best, fit.BestStep = cloneModel(m), step
		} else {
			logits, err := runExec(exec, vs.xs, vs.set.N, tr.F, spec.outputs())
			if err != nil {
				return err
			}
			l64 := make([]float64, len(logits))
			for i, v := range logits {
				l64[i] = float64(v)
			}
			s, err := vs.score(l64)
			if err != nil {
				return err
			}
			cp.Val = &s
			if best == nil || s.better(bestScore) {
				best, fit.BestStep, bestScore, since = cloneModel(m), step, s, 0
			} else {
				since++
			}
		}
		fit.History = append(fit.History, cp)
		return nil
	}

	shuffle := rand.New(rand.NewPCG(cfg.Seed, 2))
	perm := make([]int, tr.N)
	for i := range perm {
		perm[i] = i
	}
	pos := tr.N // shuffle before the first step
	// A batch larger than the training set is the whole set: size the
	// buffer by what a batch can hold, not by the flag.
	bx := make([]float32, 0, min(cfg.Batch, tr.N)*tr.F)
	lr := math.NaN()
	for t := 0; t < budget; t++ {
		if ctx.Err() != nil {
			if best == nil {
				return nil, ErrInterrupted
			}
			fit.Stop, fit.Interrupted = StopInterrupted, true
			break
		}
		if pos >= tr.N {
			shuffle.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			pos = 0
		}
		idx := perm[pos:min(pos+cfg.Batch, tr.N)]
		pos += len(idx)
		bx = bx[:0]
		for _, i := range idx {
			bx = append(bx, xs[i*tr.F:(i+1)*tr.F]...)
		}
		if r := learningRate(cfg, t, budget); r != lr {
			if err := lrVar.SetValue(tensors.FromScalar(float32(r))); err != nil {
				return nil, err
			}
			lr = r
		}
		batch := gtrain.Batch{
			Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(slices.Clone(bx), len(idx), tr.F)},
			Labels: batchLabels(spec, tr.Y, idx),
		}
		l, err := trainStep(trainer, batch)
		if err != nil {
			return nil, err
		}
		if !finite(l) {
			return nil, fmt.Errorf("%w: the loss of step %d is %v; try a smaller --lr", ErrDiverged, t+1, l)
		}
		sum += l
		count++
		fit.Steps = t + 1
		step := Step{Done: t + 1, Total: budget, Loss: l}
		if (t+1)%evalEvery == 0 || t+1 == budget {
			if err := checkpoint(t + 1); err != nil {
				return nil, err
			}
			if vs != nil {
				step.Validated, step.ValMetric = true, fit.History[len(fit.History)-1].Val.Metric
			}
		}
		if cfg.Progress != nil {
			cfg.Progress(step)
		}
		if vs != nil && cfg.Patience > 0 && since >= cfg.Patience {
			fit.Stop = StopEarly
			break
		}
	}
	fit.Model = best
	fit.Epochs = float64(fit.BestStep) / float64(perEpoch)
	if vs != nil {
		s := bestScore
		fit.Val = &s
	}
	return fit, nil
}

// batchLabels returns the label tensors of rows idx for spec's GoMLX
// loss: float32 targets [b, 1] (binary) or one-hot [b, C] (C sigmoids),
// or int32 classes [b, 1] (softmax); then, with class weights, the weight
// of each row ([b, 1] or [b], broadcast over the C outputs).
func batchLabels(spec lossSpec, y, idx []int) []*tensors.Tensor {
	var out []*tensors.Tensor
	switch spec.out {
	case outSoftmax:
		v := make([]int32, len(idx))
		for k, i := range idx {
			v[k] = int32(y[i])
		}
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(v, len(idx), 1)}
	case outBinary:
		v := make([]float32, len(idx))
		for k, i := range idx {
			v[k] = float32(y[i])
		}
		out = append(out, tensors.FromFlatDataAndDimensions(v, len(idx), 1))
	case outSigmoid:
		c := spec.classes
		v := make([]float32, len(idx)*c)
		for k, i := range idx {
			v[k*c+y[i]] = 1
		}
		out = append(out, tensors.FromFlatDataAndDimensions(v, len(idx), c))
	}
	if spec.classW != nil {
		w := make([]float32, len(idx))
		for k, i := range idx {
			w[k] = float32(spec.classW[y[i]])
		}
		dims := []int{len(idx)}
		if spec.out == outBinary {
			dims = append(dims, 1)
		}
		out = append(out, tensors.FromFlatDataAndDimensions(w, dims...))
	}
	return out
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

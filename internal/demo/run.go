package demo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // the pure-Go backend
)

// Config is one demo run. The zero value is not usable: start from
// DefaultConfig.
type Config struct {
	// Steps is the number of Adam steps of each training run.
	Steps int
	// Size is the side of the scenes in pixels, a multiple of 4 in [32, 512].
	Size int
	// Batch is the number of scenes per step.
	Batch int
	// Seed fixes the scenes, the initial weights and so the whole run.
	Seed uint64
	// LR is Adam's learning rate.
	LR float64
	// Eval is the number of held-out scenes evaluated.
	Eval int
	// FPPI is the number of false positives per image at which object
	// recall is read.
	FPPI float64
	// Panels is the number of held-out scenes drawn as PNG panels.
	Panels int
	// FashionDir holds the Fashion-MNIST IDX files; when they are absent
	// (or FashionDir is empty) objects are synthetic shapes.
	FashionDir string
	// Losses are the compared runs; nil means Losses.
	Losses []Loss
	// Progress, if not nil, is called after each training step.
	Progress func(run int, name string, step, steps int, loss float64)
}

// DefaultConfig is the demo of the README: about two minutes on two cores.
var DefaultConfig = Config{
	Steps:      150,
	Size:       64,
	Batch:      16,
	Seed:       1,
	LR:         5e-3,
	Eval:       200,
	FPPI:       1,
	Panels:     4,
	FashionDir: FashionDir,
}

// Validate reports the first invalid field, naming it.
func (c Config) Validate() error {
	switch {
	case c.Steps < 1 || c.Steps > 1_000_000:
		return fmt.Errorf("steps = %d: want 1 … 1000000", c.Steps)
	case c.Size < 32 || c.Size > 512 || c.Size%Stride != 0:
		return fmt.Errorf("size = %d: want a multiple of %d in [32, 512]", c.Size, Stride)
	case c.Batch < 1 || c.Batch > 1024:
		return fmt.Errorf("batch = %d: want 1 … 1024", c.Batch)
	case !(c.LR > 0 && c.LR < 1):
		return fmt.Errorf("lr = %v: want 0 < lr < 1", c.LR)
	case c.Eval < 1 || c.Eval > 100_000:
		return fmt.Errorf("eval = %d: want 1 … 100000", c.Eval)
	case !(c.FPPI >= 0) || math.IsInf(c.FPPI, 0):
		return fmt.Errorf("fppi = %v: want a finite number ≥ 0", c.FPPI)
	case c.Panels < 0 || c.Panels > c.Eval:
		return fmt.Errorf("panels = %d: want 0 … eval (%d)", c.Panels, c.Eval)
	case c.Batch*c.Size*c.Size > maxBatchPixels:
		return fmt.Errorf("batch = %d: %d scenes of %d×%d exceed %d pixels per step (the graph's memory)",
			c.Batch, c.Batch, c.Size, c.Size, maxBatchPixels)
	case c.Eval*c.Size*c.Size > maxEvalPixels:
		return fmt.Errorf("eval = %d: %d scenes of %d×%d exceed %d held-out pixels (memory)",
			c.Eval, c.Eval, c.Size, c.Size, maxEvalPixels)
	}
	return nil
}

// ErrFashion wraps the error of Fashion-MNIST files that exist but cannot
// be read (absent files are not an error: the objects are shapes then).
var ErrFashion = errors.New("unreadable Fashion-MNIST files")

// Memory bounds: a training step's activations take about 40 floats per
// pixel of the batch, and the held-out scenes are kept in memory.
const (
	maxBatchPixels = 1 << 21 // e.g. 128 scenes of 128×128, 8 of 512×512
	maxEvalPixels  = 1 << 26 // 256 MiB of float32
)

// Result is what a run measured.
type Result struct {
	// Objects says where the objects came from: "fashion-mnist" or "shapes".
	Objects string  `json:"objects"`
	Steps   int     `json:"steps"`
	Size    int     `json:"size"`
	Batch   int     `json:"batch"`
	Seed    uint64  `json:"seed"`
	LR      float64 `json:"lr"`
	Stride  int     `json:"stride"`
	// Eval is the number of held-out scenes, EvalObjects their objects by
	// size class and PositiveFraction the fraction of positive target cells.
	Eval             int            `json:"eval_scenes"`
	EvalObjects      map[string]int `json:"eval_objects"`
	PositiveFraction float64        `json:"positive_fraction"`
	FPPI             float64        `json:"fppi"`
	// TrainPositiveFraction is the fraction of positive cells over all
	// training steps.
	TrainPositiveFraction float64     `json:"train_positive_fraction"`
	Runs                  []RunResult `json:"runs"`

	// scenes and maps feed the panels.
	scenes []Scene
	maps   [][]float32 // per run, the logits of the panel scenes
	recall []Recall    // per run
	dets   [][]Detection
}

// RunResult is one loss's training and evaluation.
type RunResult struct {
	Loss      string  `json:"loss"`
	Alpha     float64 `json:"alpha"`
	Gamma     float64 `json:"gamma"`
	Reduction string  `json:"reduction"`
	Prior     float64 `json:"prior"`
	// FinalLoss is the mean training loss over the last 10% of the steps.
	FinalLoss float64 `json:"final_loss"`
	// ConstantLoss is the lowest training loss reachable with the same
	// logit for every cell (see constantLoss): FinalLoss near it means the
	// network has learned little beyond its last bias.
	ConstantLoss float64 `json:"constant_loss"`
	Seconds      float64 `json:"train_seconds"`
	// AP is the cell-level average precision on the held-out scenes.
	AP float64 `json:"cell_ap"`
	// Recall is the object recall at FPPI false positives per image.
	Recall Recall `json:"recall"`
	// MeanBackgroundProb is the mean predicted probability over the
	// held-out background cells.
	MeanBackgroundProb float64 `json:"mean_background_prob"`
}

// Run trains the network once per loss on the same scenes from the same
// initial weights and evaluates each on the same held-out scenes.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	losses := cfg.Losses
	if losses == nil {
		losses = Losses
	}
	gen := Generator{Size: cfg.Size}
	res := &Result{Objects: "shapes", Steps: cfg.Steps, Size: cfg.Size, Batch: cfg.Batch, Seed: cfg.Seed,
		LR: cfg.LR, Stride: Stride, Eval: cfg.Eval, FPPI: cfg.FPPI}
	if cfg.FashionDir != "" {
		items, err := LoadFashion(cfg.FashionDir)
		switch {
		case err == nil:
			gen.Items, res.Objects = items, "fashion-mnist"
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("%w: %w", ErrFashion, err)
		}
	}
	backend, err := compute.New()
	if err != nil {
		return nil, err
	}
	defer backend.Finalize()

	// Held-out scenes come from their own stream, disjoint from training.
	evalRNG := rand.New(rand.NewPCG(cfg.Seed, evalStream))
	scenes := make([]Scene, cfg.Eval)
	g := cfg.Size / Stride
	evalImages := make([]float32, 0, cfg.Eval*cfg.Size*cfg.Size)
	evalTargets := make([]float32, 0, cfg.Eval*g*g)
	res.EvalObjects = map[string]int{}
	for i := range scenes {
		scenes[i] = gen.Scene(evalRNG)
		evalImages = append(evalImages, scenes[i].Pixels...)
		evalTargets = append(evalTargets, scenes[i].Target(Stride)...)
		for _, o := range scenes[i].Objects {
			res.EvalObjects[o.SizeClass().String()]++
		}
	}
	var pos int
	for _, t := range evalTargets {
		if t > 0 {
			pos++
		}
	}
	res.PositiveFraction = float64(pos) / float64(len(evalTargets))
	res.scenes = scenes[:cfg.Panels]

	var trainPos int
	for ri, l := range losses {
		params := initParams(rand.New(rand.NewPCG(cfg.Seed, initStream)), l.Prior)
		md, err := newModel(backend, params, l, cfg.LR)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		var tail []float64
		images := make([]float32, cfg.Batch*cfg.Size*cfg.Size)
		targets := make([]float32, cfg.Batch*g*g)
		for step := range cfg.Steps {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			trainBatch(gen, cfg.Seed, step, images, targets)
			if ri == 0 {
				for _, v := range targets {
					if v > 0 {
						trainPos++
					}
				}
			}
			loss, err := md.trainStep(images, targets, cfg.Batch, cfg.Size)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", l.Name, err)
			}
			if step >= cfg.Steps-max(1, cfg.Steps/10) {
				tail = append(tail, loss)
			}
			if cfg.Progress != nil {
				cfg.Progress(ri, l.Name, step+1, cfg.Steps, loss)
			}
		}
		rr := RunResult{Loss: l.Name, Alpha: l.Sigmoid.Alpha, Gamma: l.Sigmoid.Gamma,
			Reduction: l.Options.Reduction.String(), Prior: l.Prior, Seconds: time.Since(start).Seconds()}
		res.TrainPositiveFraction = float64(trainPos) / float64(cfg.Steps*len(targets))
		rr.ConstantLoss, _ = constantLoss(l.Sigmoid, l.Options.Reduction, res.TrainPositiveFraction)
		for _, v := range tail {
			rr.FinalLoss += v / float64(len(tail))
		}
		logits, err := predictAll(md, evalImages, cfg.Eval, cfg.Size)
		if err != nil {
			return nil, err
		}
		rr.AP = averagePrecision(logits, evalTargets)
		var dets []Detection
		for i, s := range scenes {
			dets = append(dets, matchDetections(i, s, logits[i*g*g:(i+1)*g*g], g, Stride)...)
		}
		rr.Recall = recallAtFPPI(scenes, dets, cfg.FPPI)
		var bg float64
		var nbg int
		for i, t := range evalTargets {
			if t == 0 {
				bg += sigmoid(float64(logits[i]))
				nbg++
			}
		}
		rr.MeanBackgroundProb = bg / float64(max(1, nbg))
		res.Runs = append(res.Runs, rr)
		res.maps = append(res.maps, logits[:cfg.Panels*g*g])
		res.recall = append(res.recall, rr.Recall)
		res.dets = append(res.dets, dets)
		md.step.Finalize()
		md.infer.Finalize()
	}
	return res, nil
}

// Streams of the PCG generator, one per use of the seed.
const (
	initStream = 1 << 62
	evalStream = 1<<62 + 1
)

// trainBatch fills images and targets with the scenes of a training step.
// Step t's scenes depend only on the seed and t, so every run sees the same.
func trainBatch(gen Generator, seed uint64, step int, images, targets []float32) {
	rng := rand.New(rand.NewPCG(seed, uint64(step)))
	n := gen.Size * gen.Size
	g := gen.Size / Stride
	for i := range len(images) / n {
		s := gen.Scene(rng)
		copy(images[i*n:], s.Pixels)
		copy(targets[i*g*g:], s.Target(Stride))
	}
}

// predictAll returns the logits of n images, in batches of at most 50.
func predictAll(md *model, images []float32, n, size int) ([]float32, error) {
	const chunk = 50
	var out []float32
	for i := 0; i < n; i += chunk {
		k := min(chunk, n-i)
		l, err := md.predict(images[i*size*size:(i+k)*size*size], k, size)
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	return out, nil
}

// softplus is log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)).
func softplus(x float64) float64 {
	return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

// sigmoid is σ(x) = 1/(1 + e^(−x)), without overflow for large |x|.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

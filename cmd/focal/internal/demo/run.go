package demo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // the pure-Go backend

	"github.com/focalgo/focal/cmd/focal/internal/logistic"
)

// Config is one demo run. The zero value is not usable: start from
// DefaultConfig or LongConfig.
type Config struct {
	// Task is what the network learns: TaskAnchors (the paper's regime) or
	// TaskCells.
	Task Task
	// Steps is the number of Adam steps of each training run (at most:
	// Patience may stop it earlier).
	Steps int
	// Size is the side of the scenes in pixels, a multiple of 4 in [32, 512].
	Size int
	// Batch is the number of scenes per step.
	Batch int
	// Seeds fix the scenes, the initial weights and so each run; every loss
	// is trained once per seed.
	Seeds []uint64
	// LR is Adam's learning rate when LRGrid is empty.
	LR float64
	// LRGrid, when not empty, are the learning rates tried for each loss on
	// the first seed; the one with the best validation score is used for
	// that loss on every seed.
	LRGrid []float64
	// Decay divides the learning rate by 10 after 2/3 and again after 8/9
	// of the steps, as the paper's schedule.
	Decay bool
	// Eval is the number of held-out test scenes, Val the number of
	// validation scenes (a separate stream) scored every ValEvery steps for
	// the learning curves, the choice of the learning rate and early
	// stopping.
	Eval, Val, ValEvery int
	// Patience, when positive, stops a run after that many validation
	// scores without a new best; the test scenes are always scored with the
	// parameters of the best validation score.
	Patience int
	// FPPI is the number of false positives per image at which object
	// recall is read (cells task).
	FPPI float64
	// Panels is the number of test scenes drawn as PNG panels.
	Panels int
	// FashionDir holds the Fashion-MNIST IDX files; when they are absent
	// (or FashionDir is empty) objects are synthetic shapes.
	FashionDir string
	// Losses are the compared runs; nil means the task's default set.
	Losses []Loss
}

// DefaultConfig is the demo of the README: the anchors task, a few minutes
// on two cores.
var DefaultConfig = Config{
	Task:       TaskAnchors,
	Steps:      300,
	Size:       64,
	Batch:      16,
	Seeds:      []uint64{1},
	LR:         1e-3,
	Eval:       1000,
	Val:        200,
	ValEvery:   30,
	FPPI:       1,
	Panels:     4,
	FashionDir: FashionDir,
}

// LongConfig is the converged comparison: Table 1's losses, the learning
// rate chosen per loss on the validation stream, the paper's step decay
// and early stopping.
var LongConfig = Config{
	Task:       TaskAnchors,
	Steps:      3000,
	Size:       64,
	Batch:      16,
	Seeds:      []uint64{1, 2, 3},
	LR:         1e-3,
	LRGrid:     []float64{3e-4, 1e-3, 3e-3},
	Decay:      true,
	Eval:       1000,
	Val:        300,
	ValEvery:   150,
	Patience:   5,
	FPPI:       1,
	Panels:     4,
	FashionDir: FashionDir,
	Losses:     Table1Losses,
}

// Validate reports the first invalid field, naming it as the command's flag.
func (c Config) Validate() error {
	switch {
	case c.Task != TaskAnchors && c.Task != TaskCells:
		return fmt.Errorf("task = %q: want %q or %q", c.Task, TaskAnchors, TaskCells)
	case c.Steps < 1 || c.Steps > 1_000_000:
		return fmt.Errorf("steps = %d: want 1 … 1000000", c.Steps)
	case c.Size < 32 || c.Size > 512 || c.Size%Stride != 0:
		return fmt.Errorf("size = %d: want a multiple of %d in [32, 512]", c.Size, Stride)
	case c.Batch < 1 || c.Batch > 1024:
		return fmt.Errorf("batch = %d: want 1 … 1024", c.Batch)
	case len(c.Seeds) == 0 || len(c.Seeds) > 100:
		return fmt.Errorf("seeds: %d given, want 1 … 100", len(c.Seeds))
	case !(c.LR > 0 && c.LR < 1):
		return fmt.Errorf("lr = %v: want 0 < lr < 1", c.LR)
	case c.Eval < 1 || c.Eval > 100_000:
		return fmt.Errorf("eval = %d: want 1 … 100000", c.Eval)
	case c.Val < 1 || c.Val > 100_000:
		return fmt.Errorf("val = %d: want 1 … 100000", c.Val)
	case c.ValEvery < 1:
		return fmt.Errorf("val-every = %d: want ≥ 1", c.ValEvery)
	case c.Patience < 0:
		return fmt.Errorf("patience = %d: want ≥ 0", c.Patience)
	case !(c.FPPI >= 0) || math.IsInf(c.FPPI, 0):
		return fmt.Errorf("fppi = %v: want a finite number ≥ 0", c.FPPI)
	case c.Panels < 0 || c.Panels > c.Eval:
		return fmt.Errorf("panels = %d: want 0 … eval (%d)", c.Panels, c.Eval)
	case c.Batch*c.Size*c.Size > maxBatchPixels:
		return fmt.Errorf("batch = %d: %d scenes of %d×%d exceed %d pixels per step (the graph's memory)",
			c.Batch, c.Batch, c.Size, c.Size, maxBatchPixels)
	case (c.Eval+c.Val)*c.Size*c.Size > maxEvalPixels:
		return fmt.Errorf("eval = %d: %d test and validation scenes of %d×%d exceed %d held-out pixels (memory)",
			c.Eval, c.Eval+c.Val, c.Size, c.Size, maxEvalPixels)
	}
	seen := map[uint64]bool{}
	for _, s := range c.Seeds {
		if seen[s] {
			return fmt.Errorf("seeds: %d given twice", s)
		}
		seen[s] = true
	}
	for _, lr := range c.LRGrid {
		if !(lr > 0 && lr < 1) {
			return fmt.Errorf("lr-grid: %v: want 0 < lr < 1", lr)
		}
	}
	for _, l := range c.Losses {
		if l.Sigmoid.Gamma < 0 || l.Sigmoid.Alpha < 0 || l.Sigmoid.Alpha >= 1 || l.Prior < 0 || l.Prior >= 1 {
			return fmt.Errorf("losses: %s: want γ ≥ 0, 0 ≤ α < 1, 0 ≤ prior < 1", l.Name)
		}
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

// Event reports the progress of Run: a training run's step, or its end.
type Event struct {
	// Loss names the loss; Seed and LR are the run's.
	Loss string
	Seed uint64
	LR   float64
	// Run counts the training runs started so far (1-based) of Runs.
	Run, Runs int
	// Step of Steps is the step just done.
	Step, Steps int
	// TrainLoss is the step's loss.
	TrainLoss float64
	// Done is set on a run's last event; Best is then its best validation
	// score, and Seconds its training time.
	Done    bool
	Best    float64
	Seconds float64
}

// Progress receives Run's events; nil is allowed.
type Progress func(Event)

// Run trains the network once per loss and seed (and, with an LR grid,
// once per learning rate on the first seed) on the same scenes from the
// same initial weights, and evaluates each on the same held-out scenes.
func Run(ctx context.Context, cfg Config, progress Progress) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(Event) {}
	}
	losses := cfg.Losses
	if losses == nil {
		losses, _ = LossSet("default", cfg.Task)
	}
	gen := Generator{Size: cfg.Size}
	if cfg.Task == TaskAnchors {
		gen.MinExtent, gen.MaxExtent, gen.MaxObjects = anchorMinExtent, anchorMaxExtent, anchorMaxObjects
	}
	res := &Result{Task: cfg.Task, Objects: "shapes", Steps: cfg.Steps, Size: cfg.Size, Batch: cfg.Batch,
		Seeds: cfg.Seeds, LR: cfg.LR, LRGrid: cfg.LRGrid, Decay: cfg.Decay, Stride: Stride,
		Eval: cfg.Eval, Val: cfg.Val, ValEvery: cfg.ValEvery, Patience: cfg.Patience, FPPI: cfg.FPPI}
	if cfg.FashionDir != "" {
		items, err := LoadFashion(cfg.FashionDir)
		switch {
		case err == nil:
			gen.Items, res.Objects = items, "fashion-mnist"
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("%w: %w", ErrFashion, err)
		}
	}
	ts := taskShape{classes: 1}
	if cfg.Task == TaskAnchors {
		ts = taskShape{classes: gen.Classes(), anchors: len(anchorShapes)}
	}
	res.Classes, res.Anchors, res.LogitsPerImage = ts.classes, ts.anchors, (cfg.Size/Stride)*(cfg.Size/Stride)*ts.heads()
	backend, err := compute.New()
	if err != nil {
		return nil, err
	}
	defer backend.Finalize()

	runs := len(losses) * (len(cfg.Seeds) + max(0, len(cfg.LRGrid)-1))
	r := &runner{cfg: cfg, gen: gen, ts: ts, backend: backend, progress: progress, runs: runs}
	r.sets = map[uint64][2]*heldOut{}
	for si, seed := range cfg.Seeds {
		val := newHeldOut(gen, ts, seed, valStream, cfg.Val)
		test := newHeldOut(gen, ts, seed, evalStream, cfg.Eval)
		r.sets[seed] = [2]*heldOut{val, test}
		if si == 0 {
			res.PositiveFraction, res.UsedFraction = test.positiveFraction()
			res.EvalObjects = test.objectsBySize()
			if cfg.Task == TaskAnchors {
				res.Reachable = reachable(test.scenes, Stride)
			}
			res.scenes = test.scenes[:cfg.Panels]
		}
	}

	for li, l := range losses {
		lr := cfg.LR
		for si, seed := range cfg.Seeds {
			grid := []float64{lr}
			if si == 0 && len(cfg.LRGrid) > 0 {
				grid = cfg.LRGrid
			}
			var best *trained
			for _, try := range grid {
				tr, err := r.train(ctx, l, seed, try)
				if err != nil {
					return nil, fmt.Errorf("%s, seed %d, lr %g: %w", l.Name, seed, try, err)
				}
				if si == 0 && len(grid) > 1 {
					res.LRSearch = append(res.LRSearch, LRTrial{Loss: l.Name, LR: try, BestVal: tr.bestVal, BestStep: tr.bestStep})
				}
				if best == nil || tr.bestVal > best.bestVal {
					best = tr
				}
			}
			lr = best.lr
			rr, err := r.evaluate(l, best, si == 0, res)
			if err != nil {
				return nil, fmt.Errorf("%s, seed %d: %w", l.Name, seed, err)
			}
			rr.Index = li
			res.Runs = append(res.Runs, rr)
		}
	}
	res.TrainPositiveFraction = r.trainPositiveFraction()
	for i := range res.Runs {
		rr := &res.Runs[i]
		rr.ConstantLoss, _ = constantLoss(losses[rr.Index].Sigmoid, losses[rr.Index].Options.Reduction, res.TrainPositiveFraction)
	}
	res.summarize(losses)
	return res, nil
}

// Streams of the PCG generator, one per use of a run's random seed (training step t
// uses stream t).
const (
	initStream = 1 << 62
	evalStream = 1<<62 + 1
	valStream  = 1<<62 + 2
)

// A runner holds what the training runs of one Run share.
type runner struct {
	cfg      Config
	gen      Generator
	ts       taskShape
	backend  compute.Backend
	progress Progress
	runs     int
	started  int
	sets     map[uint64][2]*heldOut // validation and test scenes per seed
	// trainPos and trainAll count the positive and used training targets
	// of the first run (every run sees the same scenes).
	trainPos, trainAll int
	counted            bool
}

// A trained run: its best parameters (by validation score) and curve.
type trained struct {
	seed      uint64
	lr        float64
	best      Params
	bestVal   float64
	bestStep  int
	stepsRun  int
	stopped   bool
	curve     []CurvePoint
	finalLoss float64
	seconds   float64
}

// train runs one loss from its random seed's initial weights at learning rate lr
// (with the configured decay), scoring the validation scenes every
// ValEvery steps and at the end.
func (r *runner) train(ctx context.Context, l Loss, seed uint64, lr float64) (*trained, error) {
	cfg := r.cfg
	r.started++
	params := initParams(rand.New(rand.NewPCG(seed, initStream)), r.ts.heads(), l.Prior)
	md, err := newModel(r.backend, r.ts, params, l)
	if err != nil {
		return nil, err
	}
	defer md.finalize()
	val := r.sets[seed][0]
	tr := &trained{seed: seed, lr: lr, bestVal: math.Inf(-1)}
	start := time.Now()
	b := &batch{n: cfg.Batch, size: cfg.Size}
	var losses []float64
	var window []float64
	score := func(step int) error {
		logits, err := md.predict(val.images, len(val.scenes), cfg.Size)
		if err != nil {
			return err
		}
		v := val.score(logits, r.ts, cfg.FPPI)
		var mean float64
		for _, x := range window {
			mean += x / float64(len(window))
		}
		window = window[:0]
		tr.curve = append(tr.curve, CurvePoint{Step: step, Val: v, TrainLoss: mean})
		if v > tr.bestVal || tr.best == nil {
			tr.bestVal, tr.bestStep, tr.best = v, step, md.snapshot()
		}
		return nil
	}
	for step := range cfg.Steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r.trainBatch(seed, step, b)
		loss, err := md.trainStep(b, stepLR(lr, step, cfg.Steps, cfg.Decay))
		if err != nil {
			return nil, err
		}
		window = append(window, loss)
		losses = append(losses, loss)
		tr.stepsRun = step + 1
		r.progress(Event{Loss: l.Name, Seed: seed, LR: lr, Run: r.started, Runs: r.runs, Step: step + 1,
			Steps: cfg.Steps, TrainLoss: loss})
		if (step+1)%cfg.ValEvery == 0 || step+1 == cfg.Steps {
			if err := score(step + 1); err != nil {
				return nil, err
			}
			if cfg.Patience > 0 && len(tr.curve)-1-bestIndex(tr.curve) >= cfg.Patience {
				tr.stopped = true
				break
			}
		}
	}
	// The mean training loss over the last tenth of the steps run.
	tail := losses[len(losses)-max(1, len(losses)/10):]
	for _, v := range tail {
		tr.finalLoss += v / float64(len(tail))
	}
	r.counted = true
	tr.seconds = time.Since(start).Seconds()
	r.progress(Event{Loss: l.Name, Seed: seed, LR: lr, Run: r.started, Runs: r.runs, Step: tr.stepsRun,
		Steps: cfg.Steps, Done: true, Best: tr.bestVal, Seconds: tr.seconds})
	return tr, nil
}

// bestIndex is the index of the first best validation score of a curve.
func bestIndex(c []CurvePoint) int {
	b := 0
	for i, p := range c {
		if p.Val > c[b].Val {
			b = i
		}
	}
	return b
}

// trainBatch fills b with the scenes of training step t of seed. Step t's
// scenes depend only on seed and t, so every run sees the same.
func (r *runner) trainBatch(seed uint64, t int, b *batch) {
	rng := rand.New(rand.NewPCG(seed, uint64(t)))
	b.images, b.targets, b.use = b.images[:0], b.targets[:0], b.use[:0]
	for range b.n {
		s := r.gen.Scene(rng)
		tg, use := r.ts.sceneTargets(s)
		b.images = append(b.images, s.Pixels...)
		b.targets = append(b.targets, tg...)
		b.use = append(b.use, use...)
		if !r.counted {
			pos, all := countTargets(tg, use, r.ts)
			r.trainPos += pos
			r.trainAll += all
		}
	}
	if r.ts.anchors == 0 {
		b.use = nil
	}
}

// trainPositiveFraction is the fraction of positive logits among the used
// ones over the first run's training steps.
func (r *runner) trainPositiveFraction() float64 {
	return float64(r.trainPos) / float64(max(1, r.trainAll))
}

// countTargets returns the positive and the used targets of one scene.
func countTargets(tg []float32, use []bool, ts taskShape) (pos, all int) {
	for i, v := range tg {
		if use != nil && !use[i/ts.classes] {
			continue
		}
		all++
		if v > 0 {
			pos++
		}
	}
	return pos, all
}

// heldOut are the validation or test scenes of one seed, with their
// images and targets laid out for prediction.
type heldOut struct {
	scenes  []Scene
	images  []float32
	targets []float32
	use     []bool
	ts      taskShape
}

func newHeldOut(gen Generator, ts taskShape, seed, stream uint64, n int) *heldOut {
	rng := rand.New(rand.NewPCG(seed, stream))
	h := &heldOut{ts: ts}
	for range n {
		s := gen.Scene(rng)
		h.scenes = append(h.scenes, s)
		h.images = append(h.images, s.Pixels...)
		tg, use := ts.sceneTargets(s)
		h.targets = append(h.targets, tg...)
		h.use = append(h.use, use...)
	}
	return h
}

// positiveFraction returns the fraction of positive logits among the used
// ones, and the fraction of logits used.
func (h *heldOut) positiveFraction() (pos, used float64) {
	var p, u int
	for i, v := range h.targets {
		if h.ts.anchors > 0 && !h.use[i/h.ts.classes] {
			continue
		}
		u++
		if v > 0 {
			p++
		}
	}
	return float64(p) / float64(max(1, u)), float64(u) / float64(max(1, len(h.targets)))
}

func (h *heldOut) objectsBySize() map[string]int {
	m := map[string]int{}
	for _, s := range h.scenes {
		for _, o := range s.Objects {
			m[o.SizeClass().String()]++
		}
	}
	return m
}

// score is the validation score of logits on h: AP@0.5 (anchors task) or
// object recall at fppi false positives per image (cells task).
func (h *heldOut) score(logits []float32, ts taskShape, fppi float64) float64 {
	if ts.anchors > 0 {
		return boxAP(h.scenes, h.boxDetections(logits), ts.classes).All
	}
	return recallAtFPPI(h.scenes, h.cellDetections(logits), fppi).All
}

func (h *heldOut) boxDetections(logits []float32) []BoxDetection {
	g := h.scenes[0].Size / Stride
	per := g * g * h.ts.heads()
	var dets []BoxDetection
	for i := range h.scenes {
		dets = append(dets, boxDetections(i, logits[i*per:(i+1)*per], g, h.ts.classes, Stride)...)
	}
	return dets
}

func (h *heldOut) cellDetections(logits []float32) []Detection {
	g := h.scenes[0].Size / Stride
	var dets []Detection
	for i, s := range h.scenes {
		dets = append(dets, matchDetections(i, s, logits[i*g*g:(i+1)*g*g], g, Stride)...)
	}
	return dets
}

// evaluate scores a trained run's best parameters on its random seed's test
// scenes. With keep, it also keeps what the panels and Figure 4 need.
func (r *runner) evaluate(l Loss, tr *trained, keep bool, res *Result) (RunResult, error) {
	cfg := r.cfg
	test := r.sets[tr.seed][1]
	md, err := newModel(r.backend, r.ts, tr.best, l)
	if err != nil {
		return RunResult{}, err
	}
	defer md.finalize()
	logits, err := md.predict(test.images, len(test.scenes), cfg.Size)
	if err != nil {
		return RunResult{}, err
	}
	rr := RunResult{Loss: l.Name, Alpha: l.Sigmoid.Alpha, Gamma: l.Sigmoid.Gamma, Reduction: l.Options.Reduction.String(),
		Prior: l.Prior, Seed: tr.seed, LR: tr.lr, StepsRun: tr.stepsRun, BestStep: tr.bestStep, Stopped: tr.stopped,
		BestVal: tr.bestVal, FinalLoss: tr.finalLoss, Seconds: tr.seconds, Curve: tr.curve}
	rr.State, rr.LastQuarterGain = convergence(tr)
	g := cfg.Size / Stride
	per := g * g * r.ts.heads()
	var bg float64
	var nbg int
	for i, t := range test.targets {
		if t == 0 && (r.ts.anchors == 0 || test.use[i/r.ts.classes]) {
			bg += logistic.Sigmoid(float64(logits[i]))
			nbg++
		}
	}
	rr.MeanBackgroundProb = bg / float64(max(1, nbg))
	var view runView
	if r.ts.anchors > 0 {
		dets := test.boxDetections(logits)
		ap := boxAP(test.scenes, dets, r.ts.classes)
		rr.AP, rr.Small, rr.Medium, rr.Large = ap.All, Num(ap.Small), Num(ap.Medium), Num(ap.Large)
		view.boxes = dets
		if keep && l.Sigmoid.Gamma == 2 && res.Figure4 == nil {
			res.Figure4 = figure4(l.Name, logits, test, min(len(test.scenes), figure4Scenes))
		}
	} else {
		dets := test.cellDetections(logits)
		rec := recallAtFPPI(test.scenes, dets, cfg.FPPI)
		rr.AP = averagePrecision(logits, test.targets)
		rr.Recall = &rec
		rr.Small, rr.Medium, rr.Large = Num(rec.Small), Num(rec.Medium), Num(rec.Large)
		view.cells, view.recall = dets, rec
	}
	if keep {
		view.run = len(res.Runs)
		view.maps = slices.Clone(logits[:cfg.Panels*per])
		res.views = append(res.views, view)
	}
	return rr, nil
}

// convergence says how far a run is from its plateau: "stopped" when
// early stopping ended it; otherwise "rising" when its validation score
// gained at least half a point (0.005) and at least 5% of its last value
// over the last quarter of its steps, "plateau" when not; gain is that
// change.
func convergence(tr *trained) (state string, gain float64) {
	c := tr.curve
	last := c[len(c)-1]
	ref := c[0]
	for _, p := range c {
		if 4*p.Step <= 3*last.Step {
			ref = p
		}
	}
	gain = last.Val - ref.Val
	switch {
	case tr.stopped:
		return "stopped", gain
	case gain >= 0.005 && gain >= 0.05*last.Val:
		return "rising", gain
	}
	return "plateau", gain
}

package demo

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
)

// BenchmarkTrainStep times one training step (forward, gradient, Adam) of
// the default demo: the anchors task with focal loss on 16 scenes of
// 64×64 pixels. internal/demo/bench_step.sh runs it beside the same step
// in PyTorch (step_torch.py). cpu-ms/op is the process's CPU time per
// step (both threads), which a loaded machine stretches less than the wall
// time.
func BenchmarkTrainStep(b *testing.B) {
	backend, err := compute.New()
	if err != nil {
		b.Fatal(err)
	}
	defer backend.Finalize()
	cfg := DefaultConfig
	gen := Generator{Size: cfg.Size, MinExtent: anchorMinExtent, MaxExtent: anchorMaxExtent, MaxObjects: anchorMaxObjects}
	ts := taskShape{classes: gen.Classes(), anchors: len(anchorShapes)}
	l := AnchorLosses[3]
	md, err := newModel(backend, ts, initParams(rand.New(rand.NewPCG(1, initStream)), ts.heads(), l.Prior), l)
	if err != nil {
		b.Fatal(err)
	}
	defer md.finalize()
	r := &runner{gen: gen, ts: ts, counted: true}
	bt := &batch{n: cfg.Batch, size: cfg.Size}
	r.trainBatch(1, 0, bt)
	for range 3 { // warm-up
		if _, err := md.trainStep(bt, cfg.LR); err != nil {
			b.Fatal(err)
		}
	}
	cpu := processCPU()
	for b.Loop() {
		if _, err := md.trainStep(bt, cfg.LR); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu)/1e6/float64(b.N), "cpu-ms/op")
}

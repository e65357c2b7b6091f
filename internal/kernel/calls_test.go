package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// A form is one call of a kernel entry point in one of its forms, named
// for subtests and benchmarks.
type form struct {
	family string // "sigmoid" or "softmax": the benchmark that times it
	name   string
	run    func()
}

// forms returns a call of every form of the entry points on table tb (nil:
// the generic kernels) over n float32 logits and targets of rng (see
// inputs): the sigmoid kernel plain (float32 gradient, alone and in the
// trusted form where the targets are hard, loss + gradient, with the
// Hessian, and float64 loss + gradient), weighted and masked, the
// sparse-label form, and the softmax with the class axis last, second,
// with label smoothing and with a γ schedule (10 classes, γ = gamma).
// TestVectorNoAllocs checks that they allocate nothing, the benchmarks
// time them.
func forms(tb *table, rng *rand.Rand, n int, targets string, gamma float64) []form {
	x, y := inputs[float32](rng, n, targets)
	if targets == "hard" {
		for i := range x { // no specials: the benchmarks time the common case
			x[i] = float32(3 * rng.NormFloat64())
		}
	}
	x64, y64 := make([]float64, n), make([]float64, n)
	for i := range x {
		x64[i], y64[i] = float64(x[i]), float64(y[i])
	}
	l, g, h, w := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	l64, g64 := make([]float64, n), make([]float64, n)
	ignore := make([]bool, n)
	for i := range w {
		w[i], ignore[i] = float32(i%3), i%5 == 0
	}
	const classes = 10
	labels := make([]int32, n/classes/20*20) // whole images of Inner = 20
	for i := range labels {
		labels[i] = int32(i % classes)
	}
	nc := len(labels) * classes
	p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: gamma, Scale: 1}
	sp := &SoftmaxParams{Classes: classes, Inner: 1, Gamma: gamma, Scale: 1}
	nchw, smooth, sched := *sp, *sp, *sp
	nchw.Inner = 20 // a block of positions and a partial one
	smooth.Smooth = 0.1
	sched.Schedule = &ScheduleParams{Below: []float64{0.2}, Gammas: []float64{5}, Else: gamma}
	// With hard targets, the trusted form as well (targets known to be 0
	// or 1: see SigmoidParams.HardTargets).
	trusted := *p
	trusted.HardTargets = targets == "hard"
	return []form{
		{"sigmoid", "f32/grad", func() { sigmoidOn(tb, p, nil, g, nil, x, y, nil, nil) }},
		{"sigmoid", "f32/grad/trusted", func() { sigmoidOn(tb, &trusted, nil, g, nil, x, y, nil, nil) }},
		{"sigmoid", "f32/loss+grad", func() { sigmoidOn(tb, p, l, g, nil, x, y, nil, nil) }},
		{"sigmoid", "f32/loss+grad+hess", func() { sigmoidOn(tb, p, l, g, h, x, y, nil, nil) }},
		{"sigmoid", "f64/loss+grad", func() { sigmoidOn(tb, p, l64, g64, nil, x64, y64, nil, nil) }},
		{"sigmoid", "f32/weighted", func() { sigmoidOn(tb, p, nil, g, nil, x, y, w, nil) }},
		{"sigmoid", "f32/masked", func() { sigmoidOn(tb, p, l, g, nil, x, y, nil, ignore) }},
		{"sigmoid", "f32/sparse", func() { sparseOn(tb, p, l, g, nil, x[:nc], classes, labels) }},
		{"softmax", "f32/class-last", func() { softmaxOn(tb, sp, nil, g[:nc], h[:nc], x[:nc], labels, nil, 0) }},
		{"softmax", "f32/class-second", func() { softmaxOn(tb, &nchw, nil, g[:nc], nil, x[:nc], labels, nil, 0) }},
		{"softmax", "f32/smooth", func() { softmaxOn(tb, &smooth, l[:len(labels)], g[:nc], nil, x[:nc], labels, nil, 0) }},
		{"softmax", "f32/scheduled", func() { softmaxOn(tb, &sched, nil, g[:nc], nil, x[:nc], labels, nil, 0) }},
	}
}

// TestVectorNoAllocs: a call allocates nothing on any implementation, tail
// included, in every form (see forms). (The scratch memory the vector
// paths need comes from a pool, which the race detector empties at random:
// the test needs a build without it.)
func TestVectorNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items at random")
	}
	for _, m := range Impls() {
		for _, c := range forms(tableOf(m), rand.New(rand.NewPCG(3, 4)), 1003, "mixed", 2) {
			c.run()
			if a := testing.AllocsPerRun(10, c.run); a != 0 {
				t.Errorf("%v %s: %v allocations per call", m, c.name, a)
			}
		}
	}
}

// BenchmarkSigmoidKernel times one goroutine's call of each sigmoid form
// (see forms) on a cache-resident block (γ = 2 or 2.5, hard targets): the
// compute cost per element of each implementation, side by side, in wall
// time (ns/elem) and in the thread's CPU time (cpu-ns/elem, steadier on a
// shared machine).
//
//	go test -run '^$' -bench SigmoidKernel -count 6 ./internal/kernel
func BenchmarkSigmoidKernel(b *testing.B) { benchForms(b, "sigmoid") }

// BenchmarkSoftmaxKernel is BenchmarkSigmoidKernel for the softmax forms,
// per logit.
func BenchmarkSoftmaxKernel(b *testing.B) { benchForms(b, "softmax") }

// benchForms times the forms of family.
func benchForms(b *testing.B, family string) {
	const n = 4096
	for _, gamma := range []float64{2, 2.5} {
		for _, m := range Impls() {
			for _, c := range forms(tableOf(m), rand.New(rand.NewPCG(1, 1)), n, "hard", gamma) {
				if c.family != family {
					continue
				}
				b.Run(fmt.Sprintf("impl=%v/gamma=%v/%s", m, gamma, c.name), func(b *testing.B) { timedPerElem(b, n, c.run) })
			}
		}
	}
}

// BenchmarkTargets times the target check on a cache-resident block, per
// implementation.
func BenchmarkTargets(b *testing.B) {
	const n = 4096
	_, y := inputs[float32](rand.New(rand.NewPCG(1, 1)), n, "hard")
	for _, m := range Impls() {
		b.Run(fmt.Sprintf("impl=%v", m), func(b *testing.B) {
			tb := tableOf(m)
			b.SetBytes(4 * n)
			for b.Loop() {
				targetsOn(tb, y)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
		})
	}
}

package kernel

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// BenchmarkMemberKernel times the loss and gradient (the reduced loss and
// the gradient, what focal bench times) of each member with a vector
// kernel, at its package focal default, on 4096 cache-resident float32
// logits ~ N(0, 3²) with 1% positive hard targets, per implementation:
// lanes=32 is the call as package focal makes it (the float32-lane kernel
// where the member has one), lanes=64 the float64-lane kernel alone.
// sigmoid is the float32-lane sigmoid kernel (α = 0.25, γ = 2) on the
// same data, the reference of the members' goal (at most 2× it), and
// quality-soft Quality on uniform soft targets, which the float32 lanes
// hand to the float64 ones; /hess with the Hessian, for the kernels that
// compute it in float32 lanes. ns per element in wall time (ns/elem) and in
// the thread's CPU time (cpu-ns/elem, steadier on a shared machine).
//
//	go test -run '^$' -bench MemberKernel -count 6 ./internal/kernel
func BenchmarkMemberKernel(b *testing.B) {
	const n = 4096
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(3 * rng.NormFloat64())
		if rng.IntN(100) == 0 {
			y[i] = 1
		}
	}
	soft := make([]float32, n)
	for i := range soft {
		soft[i] = float32(rng.Float64())
	}
	grad, hess := make([]float32, n), make([]float32, n)
	specs := []struct {
		name string
		spec MemberSpec
	}{
		{"poly1", Poly1(0.25, 2, 1)},
		{"flstar", FLStar(0.25, 2, 1)},
		{"reduced", Reduced(0, 2, 0.5)},
		{"varifocal", Varifocal(0.75, 2, true)},
		{"asymmetric", Asymmetric(0, 4, 0.05, false)},
		{"asl", Asymmetric(1, 4, 0.05, true)}, // focal.KindASL's default
		{"quality", Quality(2)},
		{"gaussian", Gaussian(2, 4)},
		{"scheduled", Scheduled(0, []float64{0.2}, []float64{5}, 3)},
		{"quality-soft", Quality(2)}, // soft targets: the float64 lanes after a try of the float32 ones
	}
	timed := func(b *testing.B, run func()) { timedPerElem(b, n, run) }
	for _, m := range Impls()[1:] {
		t := tableOf(m)
		b.Run(fmt.Sprintf("impl=%v/sigmoid", m), func(b *testing.B) {
			p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: 2, Scale: 1.0 / n}
			timed(b, func() { sigmoidOn(t, p, nil, grad, nil, x, y, nil, nil) })
		})
		b.Run(fmt.Sprintf("impl=%v/sigmoid/hess", m), func(b *testing.B) {
			p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: 2, Scale: 1.0 / n}
			timed(b, func() { sigmoidOn(t, p, nil, grad, hess, x, y, nil, nil) })
		})
		for _, s := range specs {
			y := y
			if strings.HasSuffix(s.name, "-soft") {
				y = soft
			}
			// float32 lanes (the member's own kernel) against float64
			// lanes (the same member without its hard kernel), then the
			// same with the Hessian where the kernel has one.
			for _, out := range []struct {
				suffix string
				hess   []float32
			}{{"", nil}, {"/hess", hess}} {
				if out.hess != nil && !s.spec.hard.hess {
					continue
				}
				for _, lanes := range []int{32, 64} {
					spec := s.spec
					if lanes == 64 {
						spec.hard = hardSpec{}
					}
					b.Run(fmt.Sprintf("impl=%v/%s/lanes=%d%s", m, s.name, lanes, out.suffix), func(b *testing.B) {
						timed(b, func() { memberOn(t, &spec, 1.0/n, 0, nil, grad, out.hess, x, y, nil, nil) })
					})
				}
			}
		}
	}
}

// BenchmarkMemberMasked times the loss and gradient of Quality (β = 2)
// and Scheduled (FLSD-53) as BenchmarkMemberKernel does, with a mask that
// ignores every fifth element (as the anchors between a detector's IoU
// thresholds are) and with weights in [0.5, 1.5), against the same call
// without either: ns per element in wall and thread CPU time.
//
//	go test -run '^$' -bench MemberMasked -count 6 ./internal/kernel
func BenchmarkMemberMasked(b *testing.B) {
	const n = 4096
	rng := rand.New(rand.NewPCG(1, 1))
	x, y, w := make([]float32, n), make([]float32, n), make([]float32, n)
	ignore := make([]bool, n)
	for i := range x {
		x[i] = float32(3 * rng.NormFloat64())
		if rng.IntN(100) == 0 {
			y[i] = 1
		}
		w[i] = float32(0.5 + rng.Float64())
		ignore[i] = i%5 == 4
	}
	grad := make([]float32, n)
	for _, m := range Impls()[1:] {
		t := tableOf(m)
		for _, s := range []struct {
			name string
			spec MemberSpec
		}{{"quality", Quality(2)}, {"scheduled", Scheduled(0, []float64{0.2}, []float64{5}, 3)}} {
			for _, c := range []struct {
				name   string
				w      []float32
				ignore []bool
			}{{"plain", nil, nil}, {"masked", nil, ignore}, {"weighted", w, nil}} {
				b.Run(fmt.Sprintf("impl=%v/%s/%s", m, s.name, c.name), func(b *testing.B) {
					timedPerElem(b, n, func() { memberOn(t, &s.spec, 1.0/n, 0, nil, grad, nil, x, y, c.w, c.ignore) })
				})
			}
		}
	}
}

// timedPerElem runs run in b's loop on a locked OS thread and reports
// its time per element of n in wall time (ns/elem) and in the thread's
// CPU time (cpu-ns/elem, steadier on a shared machine).
func timedPerElem(b *testing.B, n int, run func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu := threadCPU()
	for b.Loop() {
		run()
	}
	cpu = threadCPU() - cpu
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/elem")
}

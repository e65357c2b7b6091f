package kernel

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// BenchmarkSigmoidKernel times one goroutine's kernel call on a
// cache-resident block (γ = 2 or 2.5, hard targets; float32 loss +
// gradient, with the Hessian, and float64 loss + gradient): the compute
// cost per element of each implementation, side by side, in wall time
// (ns/elem) and in the thread's CPU time (cpu-ns/elem, steadier on a
// shared machine).
//
//	go test -run '^$' -bench SigmoidKernel -count 6 ./internal/kernel
func BenchmarkSigmoidKernel(b *testing.B) {
	const n = 4096
	x, y := inputs[float32](rand.New(rand.NewPCG(1, 1)), n, "hard")
	for i := range x {
		x[i] = float32(3 * rand.NormFloat64())
	}
	x64, y64 := make([]float64, n), make([]float64, n)
	for i := range x {
		x64[i], y64[i] = float64(x[i]), float64(y[i])
	}
	l, g, h := make([]float32, n), make([]float32, n), make([]float32, n)
	l64, g64 := make([]float64, n), make([]float64, n)
	for _, gamma := range []float64{2, 2.5} {
		p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: gamma, Scale: 1}
		for _, m := range Impls() {
			tb := tableOf(m)
			for _, c := range []struct {
				name string
				run  func()
			}{
				{"f32/loss+grad", func() { sigmoidOn(tb, p, l, g, nil, x, y, nil, nil) }},
				{"f32/loss+grad+hess", func() { sigmoidOn(tb, p, l, g, h, x, y, nil, nil) }},
				{"f64/loss+grad", func() { sigmoidOn(tb, p, l64, g64, nil, x64, y64, nil, nil) }},
			} {
				b.Run(fmt.Sprintf("impl=%v/gamma=%v/%s", m, gamma, c.name), func(b *testing.B) {
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					cpu := threadCPU()
					for b.Loop() {
						c.run()
					}
					cpu = threadCPU() - cpu
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
					b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/n, "cpu-ns/elem")
				})
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

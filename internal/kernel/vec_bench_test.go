package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkSigmoidKernel times one goroutine's kernel call on a
// cache-resident block (float32, loss + gradient, γ = 2, hard targets):
// the compute cost per element of each implementation, side by side.
//
//	go test -run '^$' -bench SigmoidKernel ./internal/kernel
func BenchmarkSigmoidKernel(b *testing.B) {
	const n = 4096
	x, y := inputs[float32](rand.New(rand.NewPCG(1, 1)), n, "hard")
	for i := range x {
		x[i] = float32(3 * rand.NormFloat64())
	}
	l, g := make([]float32, n), make([]float32, n)
	for _, gamma := range []float64{2, 2.5} {
		p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: gamma, Scale: 1}
		for _, m := range Impls() {
			b.Run(fmt.Sprintf("impl=%v/gamma=%v", m, gamma), func(b *testing.B) {
				tb := tableOf(m)
				b.SetBytes(16 * n)
				for b.Loop() {
					sigmoidOn(tb, p, l, g, nil, x, y, nil, nil)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
			})
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

package focal_test

import (
	"fmt"
	"testing"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/internal/bench"
	"github.com/focalgo/focal/internal/kernel"
)

// kernelSizes are the seed's 1×3×256×256 tensor and a large batch.
var kernelSizes = []int{196_608, 8_000_000}

// BenchmarkKernel times SigmoidFocal (float32, loss + gradient, α = 0.25,
// γ = 2, 1% positives, on GOMAXPROCS goroutines) on each kernel
// implementation of this machine, the generic one included, side by side.
// Compare it with BenchmarkTriad in the same run:
//
//	go test -run '^$' -bench 'Kernel|Triad' -count 5 .
func BenchmarkKernel(b *testing.B) {
	for _, n := range kernelSizes {
		w := bench.NewWorkload(n)
		for _, m := range kernel.Impls() {
			b.Run(fmt.Sprintf("impl=%v/n=%d", m, n), func(b *testing.B) {
				prev := kernel.SetImpl(m)
				defer kernel.SetImpl(prev)
				b.SetBytes(int64(16 * n)) // x, y in; loss, grad out
				b.ReportAllocs()
				for b.Loop() {
					if err := w.Focal(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
			})
		}
	}
}

// BenchmarkTriad is the memory-bandwidth yardstick of BenchmarkKernel: the
// float32 streaming triad a = b + s·c over the same sizes, on GOMAXPROCS
// goroutines.
func BenchmarkTriad(b *testing.B) {
	for _, n := range kernelSizes {
		w := bench.NewWorkload(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(12 * n))
			for b.Loop() {
				w.Triad()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
		})
	}
}

// TestKernelNoAllocs: SigmoidFocal allocates nothing per call on any
// kernel implementation once its pools are warm.
func TestKernelNoAllocs(t *testing.T) {
	w := bench.NewWorkload(100_003)
	for _, m := range kernel.Impls() {
		prev := kernel.SetImpl(m)
		if err := w.Focal(); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(20, func() { _ = w.Focal() }); a != 0 {
			t.Errorf("%v: %v allocations per SigmoidFocal call", m, a)
		}
		kernel.SetImpl(prev)
	}
	_ = focal.DefaultSigmoid
}

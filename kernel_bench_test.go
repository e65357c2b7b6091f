package focal_test

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/focalgo/focal/internal/kernel"
	"github.com/focalgo/focal/internal/workload"
)

// kernelSizes are the tutorial's 1×3×256×256 tensor and a large batch.
var kernelSizes = []int{196_608, 8_000_000}

// BenchmarkKernel times focal.Loss of Sigmoid (float32, α = 0.25, γ = 2, 1%
// positives, on GOMAXPROCS goroutines) on the kernel implementation in use:
// out=grad computes the reduced loss and the gradient (a training step's
// need, and the triad's 12 bytes per element), out=loss+grad also writes
// the loss per element (16 bytes). Compare it with BenchmarkTriad in the
// same run, and the implementations of this machine in runs under the
// GODEBUG settings that step the kernels down (the implementation is
// chosen once per process; the benchmark names it):
//
//	go test -run '^$' -bench 'Kernel|Triad' -count 6 . > avx512.txt
//	GODEBUG=cpu.avx512f=off go test -run '^$' -bench 'Kernel|Triad' -count 6 . > avx2.txt
//	GODEBUG=cpu.avx2=off go test -run '^$' -bench 'Kernel|Triad' -count 6 . > generic.txt
func BenchmarkKernel(b *testing.B) {
	for _, n := range kernelSizes {
		w := workload.NewWorkload(n)
		m := kernel.Current()
		for _, o := range []struct {
			name  string
			bytes int
			run   func() error
		}{{"grad", 12, w.Focal}, {"loss+grad", 16, w.FocalElementwise}} {
			b.Run(fmt.Sprintf("impl=%v/out=%s/n=%d", m, o.name, n), func(b *testing.B) {
				b.SetBytes(int64(o.bytes * n))
				b.ReportAllocs()
				for b.Loop() {
					if err := o.run(); err != nil {
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
		w := workload.NewWorkload(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(12 * n))
			for b.Loop() {
				w.Triad()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
		})
	}
}

// BenchmarkPasses splits BenchmarkKernel's 8 000 000-element call (the
// paper's sigmoid focal loss and its gradient, normalised by the
// positives) into the engine's two passes, each on GOMAXPROCS goroutines
// (see split): the target check and count (pass=check, 4 bytes per
// element) and the fused kernel (pass=kernel, 12; pass=kernel-checked is
// the kernel that checks the targets itself, as it does when the first
// pass found a soft one), next to the triad on as many goroutines. Run
// with -cpu 1,2: a pass that takes half the time on two goroutines is
// bound by the cores, not by memory bandwidth.
//
//	go test -run '^$' -bench Passes -cpu 1,2 -count 6 .
func BenchmarkPasses(b *testing.B) {
	const n = 8_000_000
	w := workload.NewWorkload(n)
	pos, _, hard := kernel.TargetsHard(w.Y)
	p := &kernel.SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: 2, Scale: 1 / float64(pos), HardTargets: hard}
	checked := *p
	checked.HardTargets = false
	// split runs f over pieces of 1 << 16 elements, claimed in turn by
	// the calling goroutine and GOMAXPROCS − 1 others, as package focal's
	// driver does (a goroutine that starts late takes fewer pieces).
	split := func(f func(lo, hi int)) {
		const piece = 1 << 16
		var next atomic.Int64
		work := func() {
			for {
				lo := int(next.Add(piece)) - piece
				if lo >= n {
					return
				}
				f(lo, min(lo+piece, n))
			}
		}
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) - 1 {
			wg.Go(work)
		}
		work()
		wg.Wait()
	}
	for _, c := range []struct {
		name string
		run  func()
	}{
		{"check", func() { split(func(lo, hi int) { kernel.TargetsHard(w.Y[lo:hi]) }) }},
		{"kernel", func() {
			split(func(lo, hi int) { kernel.Sigmoid(p, nil, w.Grad[lo:hi], nil, w.X[lo:hi], w.Y[lo:hi], nil, nil) })
		}},
		{"kernel-checked", func() {
			split(func(lo, hi int) { kernel.Sigmoid(&checked, nil, w.Grad[lo:hi], nil, w.X[lo:hi], w.Y[lo:hi], nil, nil) })
		}},
		{"triad", w.Triad},
	} {
		b.Run(fmt.Sprintf("impl=%v/pass=%s", kernel.Current(), c.name), func(b *testing.B) {
			for b.Loop() {
				c.run()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
		})
	}
}

// TestKernelNoAllocs: the benchmarked calls (Loss of Sigmoid with and without
// the loss per element, SparseLoss, SoftmaxLoss in both layouts)
// allocate nothing on any kernel implementation once their pools are warm
// (the others in child processes: see eachImpl).
func TestKernelNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items at random")
	}
	eachImpl(t, "TestKernelNoAllocs", nil, func(t *testing.T, m kernel.Impl) {
		w := workload.NewWorkload(2*workload.Classes*workload.SpatialNCHW + 1003)
		forms := append([]workload.Form{{Name: "Loss", Run: w.Focal}, {Name: "Loss with loss per element", Run: w.FocalElementwise}},
			w.ClassForms()...)
		for _, f := range forms {
			if err := f.Run(); err != nil {
				t.Fatal(err)
			}
			if a := testing.AllocsPerRun(20, func() { _ = f.Run() }); a != 0 {
				t.Errorf("%v: %v allocations per %s call", m, a, f.Name)
			}
		}
	})
}

// BenchmarkKernelClasses times the C = 80 forms (float32, reduced loss +
// gradient, GOMAXPROCS goroutines) on the kernel implementation in use (see
// BenchmarkKernel for the others): the sparse-label sigmoid and the softmax
// with the class axis last ([N, C]) and second ([N, C, 32, 32]), in ns per
// logit:
//
//	go test -run '^$' -bench KernelClasses -count 6 .
func BenchmarkKernelClasses(b *testing.B) {
	const n = 8_000_000
	w := workload.NewWorkload(n)
	m := kernel.Current()
	for _, f := range w.ClassForms() {
		b.Run(fmt.Sprintf("impl=%v/form=%s", m, f.Key), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := f.Run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(f.Elems), "ns/elem")
		})
	}
}

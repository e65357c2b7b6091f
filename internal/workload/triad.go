package workload

import (
	"runtime"
	"sync"
)

// Triad sets a[i] = b[i] + s·c[i], the STREAM triad, split into one
// contiguous part per GOMAXPROCS goroutine: the memory-bandwidth yardstick
// of the kernels (12 bytes per float32 element, as a loss + gradient pass
// reads two and writes two values per logit).
func Triad(a, b, c []float32, s float32) {
	n := len(a)
	parts := max(1, min(runtime.GOMAXPROCS(0), n/4096))
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*n/parts, (p+1)*n/parts
		wg.Go(func() { triad(a[lo:hi], b[lo:hi], c[lo:hi], s) })
	}
	wg.Wait()
}

func triad(a, b, c []float32, s float32) {
	b, c = b[:len(a)], c[:len(a)]
	for i := range a {
		a[i] = b[i] + s*c[i]
	}
}

package bench

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/internal/kernel"
)

// Workload is the benchmark input: n float32 logits ~ N(0, 3²) and hard
// targets with 1% positives (torch_bench.py draws the same distribution),
// with loss and gradient destinations.
type Workload struct {
	X, Y, Loss, Grad []float32
}

// NewWorkload returns the workload of n elements.
func NewWorkload(n int) *Workload {
	rng := rand.New(rand.NewPCG(1, 1))
	w := &Workload{X: make([]float32, n), Y: make([]float32, n), Loss: make([]float32, n), Grad: make([]float32, n)}
	for i := range w.X {
		w.X[i] = float32(3 * rng.NormFloat64())
		if rng.IntN(100) == 0 {
			w.Y[i] = 1
		}
	}
	return w
}

// Focal runs focal.SigmoidFocal with DefaultSigmoid (α = 0.25, γ = 2,
// normalised by the positives) computing loss and gradient.
func (w *Workload) Focal() error {
	_, err := focal.SigmoidFocal(focal.DefaultSigmoid, focal.Outputs[float32]{Loss: w.Loss, Grad: w.Grad}, w.X, w.Y)
	return err
}

// Triad runs the streaming triad over the workload's arrays
// (Loss = X + 0.5·Y).
func (w *Workload) Triad() { Triad(w.Loss, w.X, w.Y, 0.5) }

// Times calls fn warmup + repeats times and returns the wall time of each
// of the last repeats calls.
func Times(fn func() error, warmup, repeats int) ([]time.Duration, error) {
	var ts []time.Duration
	for i := range warmup + repeats {
		start := time.Now()
		if err := fn(); err != nil {
			return nil, err
		}
		if d := time.Since(start); i >= warmup {
			ts = append(ts, d)
		}
	}
	return ts, nil
}

// Median returns the median of ts (the mean of the middle two for an even
// count); 0 for none.
func Median(ts []time.Duration) time.Duration {
	if len(ts) == 0 {
		return 0
	}
	s := slices.Clone(ts)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// WithImpl runs fn with the kernel implementation m and restores the
// previous one.
func WithImpl(m kernel.Impl, fn func() error) func() error {
	return func() error {
		prev := kernel.SetImpl(m)
		defer kernel.SetImpl(prev)
		return fn()
	}
}

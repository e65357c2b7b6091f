package focal_test

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/focalgo/focal"
)

// TestFamilyShardsMergeToTheWhole checks that the Totals of shards merge to
// the Total of the whole batch, that the shards' gradients with the merged
// divisor as Normalizer equal the whole batch's, and that a batch split
// into many chunks gives the same bits whatever GOMAXPROCS is.
func TestFamilyShardsMergeToTheWhole(t *testing.T) {
	const n = 70000 // several chunks
	rng := rand.New(rand.NewPCG(41, 42))
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64() * 4
		if rng.IntN(5) == 0 {
			y[i] = rng.Float64()
		}
	}
	m, o := focal.Quality{Beta: 2}, focal.Options{Reduction: focal.Positives}
	in := func(lo, hi int) focal.Input[float64] {
		return focal.Input[float64]{Logits: x[lo:hi], Targets: y[lo:hi]}
	}
	whole := make([]float64, n)
	tot, err := focal.Loss(m, o, focal.Outputs[float64]{Grad: whole}, in(0, n))
	if err != nil {
		t.Fatal(err)
	}
	cut := n / 3
	a, errA := focal.Loss(m, o, focal.Outputs[float64]{}, in(0, cut))
	b, errB := focal.Loss(m, o, focal.Outputs[float64]{}, in(cut, n))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	merged := a.Merge(b)
	if merged.Count != tot.Count || merged.Positives != tot.Positives || !closeTo(merged.Value(), tot.Value(), 1e-12) {
		t.Errorf("merged %+v, whole %+v", merged, tot)
	}
	shard := o
	shard.Normalizer = divisorOf(merged)
	g := make([]float64, n)
	if _, err := focal.Loss(m, shard, focal.Outputs[float64]{Grad: g[:cut]}, in(0, cut)); err != nil {
		t.Fatal(err)
	}
	if _, err := focal.Loss(m, shard, focal.Outputs[float64]{Grad: g[cut:]}, in(cut, n)); err != nil {
		t.Fatal(err)
	}
	for i := range g {
		if !closeTo(g[i], whole[i], 1e-15) {
			t.Fatalf("grad[%d] = %v from shards, %v whole", i, g[i], whole[i])
		}
	}
	prev := runtime.GOMAXPROCS(1)
	one, _ := focal.Loss(m, o, focal.Outputs[float64]{}, in(0, n))
	runtime.GOMAXPROCS(prev)
	if one.Sum != tot.Sum {
		t.Errorf("GOMAXPROCS=1 sum %v, GOMAXPROCS=%d sum %v", one.Sum, prev, tot.Sum)
	}
}

package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTargetsMatchesGo: on every implementation Targets counts the same
// positives and finds the same first bad target as the Go loop, for every
// length around the block sizes and a bad value at every position.
func TestTargetsMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	bads := []float64{-1e-30, 1 + 1e-7, math.NaN(), math.Inf(1), -0.5, 2}
	for _, m := range Impls() {
		tb := tableOf(m)
		for n := range 70 {
			y32, y64 := make([]float32, n), make([]float64, n)
			for i := range y64 {
				y64[i] = []float64{0, 1, 0.5, 0, 0, math.Copysign(0, -1), 5e-324}[rng.IntN(7)]
				y32[i] = float32(y64[i])
			}
			for b := -1; b < n; b++ {
				c32, c64 := append([]float32(nil), y32...), append([]float64(nil), y64...)
				if b >= 0 {
					v := bads[rng.IntN(len(bads))]
					c32[b], c64[b] = float32(v), v
					if float32(v) >= 0 && float32(v) <= 1 { // 1 + 1e-7 rounds to 1 in float32
						c32[b] = 2
					}
				}
				p, i := targetsOn(tb, c32)
				wp, wi := targetsGo(c32)
				if p != wp || i != wi {
					t.Fatalf("%v float32 n=%d bad at %d: Targets = %d, %d; want %d, %d", m, n, b, p, i, wp, wi)
				}
				p, i = targetsOn(tb, c64)
				wp, wi = targetsGo(c64)
				if p != wp || i != wi || wi != b {
					t.Fatalf("%v float64 n=%d bad at %d: Targets = %d, %d; want %d, %d", m, n, b, p, i, wp, wi)
				}
			}
		}
	}
}

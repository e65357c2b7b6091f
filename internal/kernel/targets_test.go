package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTargetsMatchesGo: on every implementation Targets counts the same
// positives, finds the same first bad target and reports the same
// hardness as the Go loop, for every length around the block sizes and a
// bad value at every position; and, on targets that are all 0 or 1 but
// for a soft one at every position, finds each soft one.
func TestTargetsMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	bads := []float64{-1e-30, 1 + 1e-7, math.NaN(), math.Inf(1), -0.5, 2}
	softs := []float64{0.5, 5e-324, 1 - 1e-9, 1e-30}
	for _, m := range Impls() {
		tb := tableOf(m)
		for _, hardOnly := range []bool{false, true} {
			vals := []float64{0, 1, 0.5, 0, 0, math.Copysign(0, -1), 5e-324}
			if hardOnly {
				vals = []float64{0, 1, 0, math.Copysign(0, -1)}
			}
			for n := range 70 {
				y32, y64 := make([]float32, n), make([]float64, n)
				for i := range y64 {
					y64[i] = vals[rng.IntN(len(vals))]
					y32[i] = float32(y64[i])
				}
				for b := -1; b < n; b++ {
					c32, c64 := append([]float32(nil), y32...), append([]float64(nil), y64...)
					if b >= 0 && hardOnly {
						v := softs[rng.IntN(len(softs))]
						c32[b], c64[b] = float32(v), v
					} else if b >= 0 {
						v := bads[rng.IntN(len(bads))]
						c32[b], c64[b] = float32(v), v
						if float32(v) >= 0 && float32(v) <= 1 { // 1 + 1e-7 rounds to 1 in float32
							c32[b] = 2
						}
					}
					p, i, h := targetsOn(tb, c32)
					wp, wi, wh := targetsGo(c32)
					if p != wp || i != wi || h != wh {
						t.Fatalf("%v float32 n=%d at %d: Targets = %d, %d, %v; want %d, %d, %v", m, n, b, p, i, h, wp, wi, wh)
					}
					p, i, h = targetsOn(tb, c64)
					wp, wi, wh = targetsGo(c64)
					if p != wp || i != wi || h != wh || (!hardOnly && wi != b) {
						t.Fatalf("%v float64 n=%d at %d: Targets = %d, %d, %v; want %d, %d, %v", m, n, b, p, i, h, wp, wi, wh)
					}
					if hardOnly && wh != (b < 0) {
						t.Fatalf("float64 n=%d soft at %d: the Go loop says hard = %v", n, b, wh)
					}
				}
			}
		}
	}
}

// TestTargetsMaskedMatchesGo: on every implementation TargetsMasked gives
// what the Go loop gives for the targets not ignored, taken apart (their
// number, the positives, the first bad one, the hardness), whatever the
// ignored targets hold, for every length around the block sizes, masks
// of every density and a bad target not ignored at every position.
func TestTargetsMaskedMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	bads := []float64{-1e-30, 2, math.NaN(), math.Inf(1), -0.5, 255}
	for _, m := range Impls() {
		tb := tableOf(m)
		for _, density := range []int{0, 1, 5, 50, 100} { // per cent ignored
			for _, hardOnly := range []bool{false, true} {
				vals := []float64{0, 1, 0.5, 0, math.Copysign(0, -1), 5e-324}
				if hardOnly {
					vals = []float64{0, 1, 0}
				}
				for n := range 70 {
					y64, ignore := make([]float64, n), make([]bool, n)
					for i := range y64 {
						if ignore[i] = rng.IntN(100) < density; ignore[i] {
							y64[i] = bads[rng.IntN(len(bads))]
						} else {
							y64[i] = vals[rng.IntN(len(vals))]
						}
					}
					for b := -1; b < n; b++ {
						c64, ig := append([]float64(nil), y64...), append([]bool(nil), ignore...)
						if b >= 0 {
							c64[b], ig[b] = bads[rng.IntN(len(bads))], false
						}
						c32 := make([]float32, n)
						var kept64 []float64
						var kept32 []float32
						var at []int
						for i, v := range c64 {
							c32[i] = float32(v)
							if !ig[i] {
								kept64, kept32, at = append(kept64, v), append(kept32, float32(v)), append(at, i)
							}
						}
						want := func(p int64, i int, h bool) (int64, int64, int, bool) {
							if i >= 0 {
								return 0, 0, at[i], false
							}
							return int64(len(at)), p, -1, h
						}
						wc, wp, wi, wh := want(targetsGo(kept64))
						c, p, i, h := targetsMaskedOn(tb, c64, ig)
						if c != wc || p != wp || i != wi || h != wh || (b >= 0 && i != b) {
							t.Fatalf("%v float64 %d%% n=%d at %d: TargetsMasked = %d, %d, %d, %v; want %d, %d, %d, %v", m, density, n, b, c, p, i, h, wc, wp, wi, wh)
						}
						wc, wp, wi, wh = want(targetsGo(kept32))
						c, p, i, h = targetsMaskedOn(tb, c32, ig)
						if c != wc || p != wp || i != wi || h != wh {
							t.Fatalf("%v float32 %d%% n=%d at %d: TargetsMasked = %d, %d, %d, %v; want %d, %d, %d, %v", m, density, n, b, c, p, i, h, wc, wp, wi, wh)
						}
					}
				}
			}
		}
	}
}

package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// heavyInputs returns n float32 logits and hard targets, most of them
// easy examples whose outputs at γ are near or below float32's normal
// range (an easy negative's loss is about e^−(γ+1)|x|, below 2^−126 from
// |x| = 87.3/(γ + 1)), and weights with a third above HeavyWeight (up to
// 3e37), some 0 and the others up to 2.
func heavyInputs(rng *rand.Rand, n int, g float64) (x, y, w []float32) {
	x, y, w = make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range n {
		y[i] = float32(rng.IntN(2))
		x[i] = float32(8 * rng.NormFloat64())
		if rng.IntN(4) != 0 {
			x[i] = float32(-87.3/(g+1) - 25 + 30*rng.Float64())
			if y[i] == 1 {
				x[i] = -x[i]
			}
		}
		switch rng.IntN(6) {
		case 0:
			w[i] = 0
		case 1, 2:
			w[i] = float32(math.Exp(math.Log(HeavyWeight) + rng.Float64()*(math.Log(3e37)-math.Log(HeavyWeight))))
		default:
			w[i] = float32(2 * rng.Float64())
		}
	}
	return x, y, w
}

// TestHeavyWeights checks the weighted sigmoid paths for float32 on
// weights above HeavyWeight that meet outputs below float32's normal
// range: every output and the sum agree with the generic path, which
// weighs each element's float64 outputs and rounds once, with and without
// a mask and the Hessian, lengths that take the float32 lanes (hard
// targets) and those that do not. With LightWeights wrongly set, the same
// calls disagree: the inputs reach the elements that need the float64
// outputs.
func TestHeavyWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(24, 24))
	for _, m := range vecImpls() {
		for _, n := range []int{31, 96, 1000} {
			ignore := make([]bool, n)
			for i := range ignore {
				ignore[i] = rng.IntN(5) == 0
			}
			for _, g := range []float64{0, 2, 3.5} {
				x, y, w := heavyInputs(rng, n, g)
				for _, hess := range []bool{false, true} {
					outs := [3]bool{true, true, hess}
					for _, ig := range [][]bool{nil, ignore} {
						p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: g, Scale: 1.0 / 3, ClipHess: hess}
						compareForm(t, m, p, x, y, w, ig, outs, 0)
						// Without the float64 outputs: some disagree.
						lp := *p
						lp.LightWeights = true
						want, wd := runForm(t, Generic, p, x, y, w, ig, outs, 0)
						got, gd := runForm(t, m, &lp, x, y, w, ig, outs, 0)
						off := !Agree(got, want, 1e-6, 1e-37)
						for i := range x {
							off = off || !Agree(float64(gd[0][i]), float64(wd[0][i]), 1e-6, 1e-37)
						}
						if !off {
							t.Errorf("%v n=%d γ=%v: LightWeights changes nothing; the case tests nothing", m, n, g)
						}
					}
				}
			}
		}
	}
}

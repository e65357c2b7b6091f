package focal

import (
	"fmt"
	"math"
)

// ClassBalancedWeights returns the class-balanced weights of Cui et al.,
// "Class-Balanced Loss Based on Effective Number of Samples", CVPR 2019
// (eq. 8 and the reference code richardaecn/class-balanced-loss):
//
//	w_c = (1 − β) / (1 − β^{n_c}),  normalised so that Σ_c w_c = C,
//
// one per class, from the number n_c of training samples of each class.
// (1 − β^{n})/(1 − β) is the effective number of samples of a class of n;
// β = 0 gives every class weight 1, and β → 1 inverse class frequency,
// which β = 1 gives exactly (the limit, 1/n_c, normalised).
//
// Use the weights as Softmax.Alpha (one α per class), or, for sigmoid
// losses over [N, C] logits, as Input.Weights (weights[n·C + c] = w_c), as
// the paper does for its sigmoid and focal variants.
//
// β outside [0, 1] and counts that are not ≥ 1 return an error wrapping
// ErrParam (a class without samples has no effective number; drop it or
// give it a count of 1). 1 − β^{n} is computed as −expm1(n·log β).
func ClassBalancedWeights(beta float64, counts []int64) ([]float64, error) {
	if !(beta >= 0 && beta <= 1) {
		return nil, fmt.Errorf("%w: beta = %v (want 0 ≤ β ≤ 1)", ErrParam, beta)
	}
	if len(counts) == 0 {
		return nil, fmt.Errorf("%w: no class counts", ErrParam)
	}
	w := make([]float64, len(counts))
	lb := math.Log(beta)
	var sum float64
	for c, n := range counts {
		if n < 1 {
			return nil, fmt.Errorf("%w: counts[%d] = %d (want ≥ 1)", ErrParam, c, n)
		}
		switch beta {
		case 1:
			w[c] = 1 / float64(n)
		default:
			w[c] = (1 - beta) / -math.Expm1(float64(n)*lb)
		}
		sum += w[c]
	}
	scale := float64(len(counts)) / sum
	for c := range w {
		w[c] *= scale
	}
	return w, nil
}

// ClassCounts returns the number of labels equal to each class in
// [0, classes); labels outside that range (ignore index, background) are
// not counted. classes < 1 returns an error wrapping ErrLayout.
func ClassCounts[L Int](labels []L, classes int) ([]int64, error) {
	if classes < 1 {
		return nil, fmt.Errorf("%w: classes = %d (want ≥ 1)", ErrLayout, classes)
	}
	counts := make([]int64, classes)
	for _, l := range labels {
		if v := int64(l); v >= 0 && v < int64(classes) {
			counts[v]++
		}
	}
	return counts, nil
}

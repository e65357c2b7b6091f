package demo

import (
	"math"
	"slices"

	"github.com/focalgo/focal/cmd/focal/internal/logistic"
)

// Figure 4 of the paper: for a converged focal-loss model, the cumulative
// distribution of the normalised loss over the positive and over the
// negative samples, for several γ (Lin et al. 2017, §5.1, "Analysis of the
// Focal Loss"). The model is the one trained with γ = 2; its held-out
// predictions are scored with FL_γ for each γ. The α factor is left out, as
// it is constant within each class and cancels in the normalisation.

// figure4Gammas are the γ of the curves, as in the paper.
var figure4Gammas = []float64{0, 0.5, 1, 2}

// figure4Scenes bounds the test scenes whose logits feed Figure 4 (their
// negatives number millions already).
const figure4Scenes = 200

// figure4Points is the number of fractions at which the curves are sampled.
const figure4Points = 201

// Figure4 holds the curves: for each γ and each fraction f of the samples
// (sorted from the lowest loss to the highest), the fraction of the total
// loss that those samples carry.
type Figure4 struct {
	// Loss names the model's training loss.
	Loss string `json:"loss"`
	// Scenes is the number of test scenes scored.
	Scenes int `json:"scenes"`
	// Positives and Negatives count the samples (used logits) of each
	// kind.
	Positives int `json:"positives"`
	Negatives int `json:"negatives"`
	// Gammas are the focusing parameters of the curves; they index Pos
	// and Neg.
	Gammas []float64 `json:"gammas"`
	// Fractions are the sample fractions at which the curves are read,
	// from 0 to 1.
	Fractions []float64 `json:"fractions"`
	// Pos[i][j] is the share of the total FL_γ loss (γ = Gammas[i]) of
	// the positives carried by the Fractions[j] of them with the lowest
	// loss; Neg is the same for the negatives.
	Pos [][]float64 `json:"positive_cdf"`
	Neg [][]float64 `json:"negative_cdf"`
	// HardestNegShare is, per γ, the share of the total negative loss
	// carried by the hardest 1% of the negatives (1 − Neg at 0.99).
	HardestNegShare []float64 `json:"hardest_1pct_negative_share"`
}

// figure4 computes the curves from the logits of the first n scenes of
// test (its layout: g·g·A·K logits per scene).
func figure4(name string, logits []float32, test *heldOut, n int) *Figure4 {
	per := len(test.targets) / len(test.scenes)
	var pos, neg []float64 // logits of the used positive and negative samples
	for i := range n * per {
		if test.ts.anchors > 0 && !test.use[i/test.ts.classes] {
			continue
		}
		if test.targets[i] > 0 {
			pos = append(pos, float64(logits[i]))
		} else {
			neg = append(neg, float64(logits[i]))
		}
	}
	f := &Figure4{Loss: name, Scenes: n, Positives: len(pos), Negatives: len(neg), Gammas: figure4Gammas}
	for k := range figure4Points {
		f.Fractions = append(f.Fractions, float64(k)/(figure4Points-1))
	}
	loss := make([]float64, max(len(pos), len(neg)))
	for _, g := range figure4Gammas {
		// FL_γ of a positive is (1 − p)^γ·softplus(−x), of a negative
		// p^γ·softplus(x), p = σ(x).
		for i, x := range pos {
			loss[i] = math.Pow(logistic.Sigmoid(-x), g) * logistic.Softplus(-x)
		}
		f.Pos = append(f.Pos, cumulativeShare(loss[:len(pos)], f.Fractions))
		for i, x := range neg {
			loss[i] = math.Pow(logistic.Sigmoid(x), g) * logistic.Softplus(x)
		}
		c := cumulativeShare(loss[:len(neg)], f.Fractions)
		f.Neg = append(f.Neg, c)
		f.HardestNegShare = append(f.HardestNegShare, 1-shareAt(loss[:len(neg)], 0.99))
	}
	return f
}

// cumulativeShare sorts v (reordering it) and returns, at each fraction
// f, the share of the sum of v carried by its ⌈f·n⌉ smallest values.
func cumulativeShare(v, fractions []float64) []float64 {
	slices.Sort(v)
	cum := make([]float64, len(v)+1)
	for i, x := range v {
		cum[i+1] = cum[i] + x
	}
	out := make([]float64, len(fractions))
	total := cum[len(v)]
	for k, f := range fractions {
		if total > 0 {
			out[k] = cum[int(math.Ceil(f*float64(len(v))))] / total
		} else {
			out[k] = f
		}
	}
	return out
}

// shareAt is cumulativeShare of sorted v at one fraction.
func shareAt(v []float64, f float64) float64 {
	return cumulativeShare(v, []float64{f})[0]
}

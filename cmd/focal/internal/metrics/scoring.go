package metrics

import (
	"fmt"
	"math"
)

// NLLFloor is the smallest probability whose logarithm NLL takes: 2⁻⁵², the
// float64 machine epsilon, where scikit-learn's log_loss clips. An example
// that gives its own class probability 0 (as a float32 softmax does once
// the logits differ by about 104) costs −ln 2⁻⁵² ≈ 36.04 nats instead of
// +Inf, which would swamp the mean and cannot be written as JSON.
const NLLFloor = 0x1p-52

// NLL returns the negative log-likelihood (cross-entropy, in nats) of the
// labels under the row-major N×classes probability matrix probs,
//
//	NLL = −(1/N) Σ_i ln max(p_{i,y_i}, NLLFloor).
//
// Only the probability of the label is read; rows are not renormalised.
// The floor makes NLL a lower bound of the exact value when some p_{i,y_i}
// is below it; a model's log-softmax gives the exact value without one.
func NLL(probs []float64, labels []int, classes int) (float64, error) {
	if err := checkMatrix(probs, labels, classes); err != nil {
		return 0, err
	}
	s := 0.0
	for i, label := range labels {
		s -= math.Log(max(probs[i*classes+label], NLLFloor))
	}
	return s / float64(len(labels)), nil
}

// MulticlassBrier returns the Brier score of the row-major N×classes
// probability matrix probs: the mean over the examples of the squared
// distance to the one-hot label,
//
//	BS = (1/N) Σ_i Σ_c (p_ic − 1[y_i = c])²,
//
// in Brier's original sum form (Monthly Weather Review, 1950), as Mukhoti
// et al. (NeurIPS 2020) report it. It lies in [0, 2]. For a binary task
// written as [1−p, p] it is twice the binary Brier(p, y).
func MulticlassBrier(probs []float64, labels []int, classes int) (float64, error) {
	if err := checkMatrix(probs, labels, classes); err != nil {
		return 0, err
	}
	s := 0.0
	for i, label := range labels {
		for c, v := range probs[i*classes : (i+1)*classes] {
			if c == label {
				v = 1 - v
			}
			s += v * v
		}
	}
	return s / float64(len(labels)), nil
}

// Brier returns the binary Brier score of positive-class probabilities p
// for labels y (true = positive), the mean squared error
//
//	BS = (1/N) Σ_i (p_i − y_i)²,
//
// in [0, 1]; MulticlassBrier of the same task as [1−p, p] is twice it.
func Brier(p []float64, y []bool) (float64, error) {
	if len(p) != len(y) {
		return 0, fmt.Errorf("%w: %d scores, %d labels", ErrLength, len(p), len(y))
	}
	if len(p) == 0 {
		return 0, ErrEmpty
	}
	if err := checkProbs(p); err != nil {
		return 0, err
	}
	s := 0.0
	for i, v := range p {
		d := v
		if y[i] {
			d = 1 - v
		}
		s += d * d
	}
	return s / float64(len(p)), nil
}

package metrics

import (
	"fmt"
	"math"
)

// Bins is the number of equal-width confidence bins of ECE in this package's
// reports.
const Bins = 15

// Bin is one bin of a reliability diagram: the examples whose confidence
// lies in [Lo, Hi) (the last bin includes 1).
type Bin struct {
	Lo, Hi     float64
	Count      int
	Confidence float64 // mean confidence in the bin
	Frequency  float64 // fraction of the bin's outcomes that are true
}

// Reliability sorts confidences conf ∈ [0, 1] into n equal-width bins and
// returns, per bin, the mean confidence and the observed frequency of the
// outcomes. Empty bins have Count 0 and zero means.
func Reliability(conf []float64, outcome []bool, n int) ([]Bin, error) {
	if len(conf) != len(outcome) {
		return nil, fmt.Errorf("%w: %d confidences, %d outcomes", ErrLength, len(conf), len(outcome))
	}
	if len(conf) == 0 {
		return nil, ErrEmpty
	}
	if n < 1 {
		return nil, fmt.Errorf("metrics: %d bins", n)
	}
	if err := checkProbs(conf); err != nil {
		return nil, err
	}
	bins := make([]Bin, n)
	sumConf := make([]float64, n)
	hits := make([]int, n)
	for i, c := range conf {
		b := min(int(c*float64(n)), n-1)
		bins[b].Count++
		sumConf[b] += c
		if outcome[i] {
			hits[b]++
		}
	}
	for b := range bins {
		bins[b].Lo = float64(b) / float64(n)
		bins[b].Hi = float64(b+1) / float64(n)
		if k := bins[b].Count; k > 0 {
			bins[b].Confidence = sumConf[b] / float64(k)
			bins[b].Frequency = float64(hits[b]) / float64(k)
		}
	}
	return bins, nil
}

// ECE returns the expected calibration error over n equal-width bins,
//
//	ECE = Σ_b (|B_b| / N) · |freq(B_b) − conf(B_b)|,
//
// (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017, eq. 3).
// For a binary task pass the positive-class probability and whether the
// example is positive; for multi-class, the top probability and whether the
// arg-max class is right.
func ECE(conf []float64, outcome []bool, n int) (float64, error) {
	bins, err := Reliability(conf, outcome, n)
	if err != nil {
		return 0, err
	}
	e := 0.0
	for _, b := range bins {
		e += float64(b.Count) * math.Abs(b.Frequency-b.Confidence)
	}
	return e / float64(len(conf)), nil
}

// Brier returns the mean squared error of the probabilities,
// (1/N) Σ (pᵢ − yᵢ)².
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

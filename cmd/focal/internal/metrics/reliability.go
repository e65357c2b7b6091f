package metrics

import (
	"fmt"
	"math"
)

// Bins is the number of confidence bins of the binned calibration errors in
// this package's reports: 15, as in Guo et al. (2017) and Mukhoti et al.
// (2020).
const Bins = 15

// Bin is one bin of a reliability diagram. Lo and Hi are its edges; which
// edge is closed is said by the function that made it. Over a list of bins
// the Counts are the confidence histogram.
type Bin struct {
	Lo         float64 `json:"lo"`
	Hi         float64 `json:"hi"`
	Count      int     `json:"count"`
	Confidence float64 `json:"confidence"` // mean confidence in the bin
	Frequency  float64 `json:"frequency"`  // fraction of the bin's outcomes that are true: the accuracy, for top-label confidences
}

// Reliability sorts confidences conf ∈ [0, 1] into n equal-width bins and
// returns, per bin, the mean confidence and the observed frequency of the
// outcomes. Bin b holds the confidences in (b/n, (b+1)/n], closed on the
// right as in Guo et al. (2017, §2), with b/n the float64 nearest to it (so
// 0.8 lies in the bin ending at 12/15); the first bin also holds 0, so every
// example has a bin. Empty bins have Count 0 and zero means.
func Reliability(conf []float64, outcome []bool, n int) ([]Bin, error) {
	if err := checkBinned(conf, outcome, n); err != nil {
		return nil, err
	}
	bins := make([]Bin, n)
	sumConf := make([]float64, n)
	hits := make([]int, n)
	for i, c := range conf {
		b := widthBin(c, n)
		bins[b].Count++
		sumConf[b] += c
		if outcome[i] {
			hits[b]++
		}
	}
	for b := range bins {
		bins[b].Lo = widthEdge(b, n)
		bins[b].Hi = widthEdge(b+1, n)
		if k := bins[b].Count; k > 0 {
			bins[b].Confidence = sumConf[b] / float64(k)
			bins[b].Frequency = float64(hits[b]) / float64(k)
		}
	}
	return bins, nil
}

// widthEdge returns the edge b/n of n equal-width bins.
func widthEdge(b, n int) float64 { return float64(b) / float64(n) }

// widthBin returns the bin b of c ∈ [0, 1] among n equal-width bins:
// widthEdge(b) < c ≤ widthEdge(b+1), and 0 for c = 0.
func widthBin(c float64, n int) int {
	b := int(math.Ceil(c*float64(n))) - 1
	// c·n is rounded: settle the bin against the edges themselves, so that
	// a confidence equal to an edge lands where the comparison puts it.
	for b > 0 && c <= widthEdge(b, n) {
		b--
	}
	for b < n-1 && c > widthEdge(b+1, n) {
		b++
	}
	return max(b, 0)
}

// ECE returns the expected calibration error over the n equal-width bins
// B_b of Reliability,
//
//	ECE = Σ_b (|B_b| / N) · |freq(B_b) − conf(B_b)|,
//
// (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017, eq. 3;
// Mukhoti et al., NeurIPS 2020, use n = 15). For a binary task pass the
// positive-class probability and whether the example is positive; for the
// top-label form of a multi-class task, the output of TopLabel.
func ECE(conf []float64, outcome []bool, n int) (float64, error) {
	bins, err := Reliability(conf, outcome, n)
	if err != nil {
		return 0, err
	}
	return binnedError(bins, len(conf)), nil
}

// MCE returns the maximum calibration error over the n equal-width bins
// of Reliability, the largest gap of a non-empty bin,
//
//	MCE = max_{b : |B_b| > 0} |freq(B_b) − conf(B_b)|,
//
// (Naeini et al., AAAI 2015; Guo et al., ICML 2017, eq. 5). ECE is a
// weighted mean of the same gaps, so ECE ≤ MCE.
func MCE(conf []float64, outcome []bool, n int) (float64, error) {
	bins, err := Reliability(conf, outcome, n)
	if err != nil {
		return 0, err
	}
	return maxGap(bins), nil
}

// binnedError returns Σ_b (|B_b| / total) · |freq(B_b) − conf(B_b)|.
func binnedError(bins []Bin, total int) float64 {
	e := 0.0
	for _, b := range bins {
		e += float64(b.Count) * math.Abs(b.Frequency-b.Confidence)
	}
	return e / float64(total)
}

// maxGap returns the largest |freq − conf| of a non-empty bin.
func maxGap(bins []Bin) float64 {
	m := 0.0
	for _, b := range bins {
		if b.Count > 0 {
			m = max(m, math.Abs(b.Frequency-b.Confidence))
		}
	}
	return m
}

// checkBinned checks the arguments of a binned calibration error.
func checkBinned(conf []float64, outcome []bool, n int) error {
	if len(conf) != len(outcome) {
		return fmt.Errorf("%w: %d confidences, %d outcomes", ErrLength, len(conf), len(outcome))
	}
	if len(conf) == 0 {
		return ErrEmpty
	}
	if n < 1 {
		return errBins(n)
	}
	return checkProbs(conf)
}

func errBins(n int) error { return fmt.Errorf("%w: %d bins", ErrBins, n) }

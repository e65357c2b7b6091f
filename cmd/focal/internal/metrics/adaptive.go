package metrics

import (
	"slices"
	"sort"
)

// AdaptiveReliability sorts confidences conf ∈ [0, 1] into n equal-mass
// bins and returns, per bin, the mean confidence and the observed frequency
// of the outcomes.
//
// The edges are those of the adaptive ECE of Mukhoti et al. (NeurIPS 2020;
// function histedges_equalN of their code): with s the N confidences sorted
// ascending and read as a piecewise-linear function of the rank,
//
//	e_j = s(j·N/n),  j = 0 … n,
//
// linearly interpolated between ranks and clamped to s_{N−1} past the last
// (numpy's interp; so e_0 is the smallest confidence and e_n the largest).
// Bin j holds the confidences in [e_j, e_{j+1}), the last bin also e_n:
// numpy's histogram over these edges, for which they are made. With N ≥ n
// distinct confidences, bin j thus holds the examples of 0-based rank r
// with j·N/n ≤ r < (j+1)·N/n, that is ⌈(j+1)N/n⌉ − ⌈jN/n⌉ of them: N/n each
// when n divides N, and otherwise sizes that differ by at most one, the
// larger ones spread evenly. With N < n, every edge past rank N−1 is the
// largest confidence, so bins hold one example or none and the largest is
// in the last. Equal confidences always share a bin: the last bin whose
// lower edge is at most their value. A run of ties that spans edges
// therefore fills one bin and leaves the ones before it empty.
//
// Mukhoti et al.'s code instead tests each bin as (e_j, e_{j+1}], which
// moves an example whose rank is a whole j·N/n (j ≥ 1) down one bin and
// leaves the smallest confidence out of every bin while still counting it
// in N. The bins here hold every example. On distinct confidences at most n
// examples move, each changing two bins' |Σ (o − c)| by at most 1, so the
// two adaptive ECEs differ by at most 2n/N.
//
// Lo and Hi of a bin are e_j and e_{j+1}. Empty bins have Count 0 and zero
// means.
func AdaptiveReliability(conf []float64, outcome []bool, n int) ([]Bin, error) {
	if err := checkBinned(conf, outcome, n); err != nil {
		return nil, err
	}
	edges := equalMassEdges(slices.Sorted(slices.Values(conf)), n)
	bins := make([]Bin, n)
	sumConf := make([]float64, n)
	hits := make([]int, n)
	for i, c := range conf {
		// The last j whose edge e_j ≤ c, among e_1 … e_{n−1} (e_0 is the
		// minimum, so bin 0 takes whatever lies below e_1).
		b := sort.Search(n-1, func(k int) bool { return edges[k+1] > c })
		bins[b].Count++
		sumConf[b] += c
		if outcome[i] {
			hits[b]++
		}
	}
	for b := range bins {
		bins[b].Lo, bins[b].Hi = edges[b], edges[b+1]
		if k := bins[b].Count; k > 0 {
			bins[b].Confidence = sumConf[b] / float64(k)
			bins[b].Frequency = float64(hits[b]) / float64(k)
		}
	}
	return bins, nil
}

// AdaptiveECE returns the expected calibration error over the n equal-mass
// bins B_b of AdaptiveReliability,
//
//	AdaECE = Σ_b (|B_b| / N) · |freq(B_b) − conf(B_b)|,
//
// the adaptive ECE of Mukhoti et al. ("Calibrating Deep Neural Networks
// using Focal Loss", NeurIPS 2020, with n = 15), after the equal-mass
// binning of Nixon et al. ("Measuring Calibration in Deep Learning", CVPR
// Workshops 2019). Pass the top-label form (TopLabel) for the published
// metric, or a binary task's positive-class probability and label.
func AdaptiveECE(conf []float64, outcome []bool, n int) (float64, error) {
	bins, err := AdaptiveReliability(conf, outcome, n)
	if err != nil {
		return 0, err
	}
	return binnedError(bins, len(conf)), nil
}

// equalMassEdges returns the n+1 edges e_j = s(j·len(s)/n) of sorted
// confidences s, computed as numpy's interp(linspace(0, N, n+1), arange(N),
// s) does, so that an edge at a whole rank is that confidence exactly.
func equalMassEdges(s []float64, n int) []float64 {
	last := len(s) - 1
	step := float64(len(s)) / float64(n)
	edges := make([]float64, n+1)
	for j := range edges {
		x := float64(j) * step
		if j == n {
			x = float64(len(s))
		}
		r := int(x)
		switch {
		case r >= last:
			edges[j] = s[last]
		case x == float64(r):
			edges[j] = s[r]
		default:
			// float64(…) forbids fusing into one multiply-add, which numpy
			// does not do either; min keeps the edge below the next rank's
			// value when the sum rounds up.
			edges[j] = min(float64((s[r+1]-s[r])*(x-float64(r)))+s[r], s[r+1])
		}
	}
	return edges
}

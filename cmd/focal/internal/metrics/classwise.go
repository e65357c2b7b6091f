package metrics

// ClasswiseECE returns the class-wise expected calibration error of the
// row-major N×classes probability matrix probs over n equal-width bins: the
// mean over the classes of the ECE of each class's probability against
// whether the example is of that class,
//
//	CwECE = (1/C) Σ_c Σ_b (|B_cb| / N) · |freq(B_cb) − conf(B_cb)|,
//
// where B_cb are the bins of Reliability over the probabilities p_·c and
// freq is the fraction with label c (Kull et al., NeurIPS 2019; the static
// calibration error of Nixon et al., CVPR Workshops 2019; ClasswiseECELoss
// of Mukhoti et al., NeurIPS 2020, with n = 15).
//
// The mean runs over all classes, including those absent from labels
// (Mukhoti et al.'s code runs over 0 … max(labels)). Their code also leaves
// a probability of exactly 0 out of every bin; that changes the result
// only when an example gives its own class probability 0, since a bin's
// term |B|·|freq − conf| = |Σ_{i∈B} (1[y_i = c] − p_ic)| gains nothing
// from a p_ic = 0 with y_i ≠ c.
//
// For a binary task written as [1−p, p], the class-0 bins are the mirror
// images of the class-1 bins (p ∈ (b/n, (b+1)/n] ⇔ 1−p ∈ [1−(b+1)/n, 1−b/n))
// and each gains the same |Σ (y − p)|, so the class-wise ECE equals the
// positive-class ECE(p, y, n) unless some p lies on an edge.
func ClasswiseECE(probs []float64, labels []int, classes, n int) (float64, error) {
	if err := checkMatrix(probs, labels, classes); err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, errBins(n)
	}
	conf := make([]float64, len(labels))
	outcome := make([]bool, len(labels))
	sum := 0.0
	for c := range classes {
		for i, label := range labels {
			conf[i], outcome[i] = probs[i*classes+c], label == c
		}
		e, err := ECE(conf, outcome, n)
		if err != nil {
			return 0, err
		}
		sum += e
	}
	return sum / float64(classes), nil
}

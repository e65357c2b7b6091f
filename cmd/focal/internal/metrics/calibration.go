package metrics

import "math"

// Calibration is the calibration report of a classifier on held-out data,
// with the metrics of Guo et al. ("On Calibration of Modern Neural
// Networks", ICML 2017) and Mukhoti et al. ("Calibrating Deep Neural
// Networks using Focal Loss", NeurIPS 2020); the binned ones use Bins
// bins.
//
// The binned metrics read one confidence per example: for a multi-class
// task the top label (TopLabel: the largest probability, and whether its
// class is right); for a binary task the positive-class probability and
// whether the example is positive.
type Calibration struct {
	Count   int `json:"count"`   // examples
	Classes int `json:"classes"` // 2 for a binary task

	// ECE is the expected calibration error over equal-width bins (ECE).
	ECE float64 `json:"ece"`
	// AdaptiveECE is the expected calibration error over equal-mass bins
	// (AdaptiveECE).
	AdaptiveECE float64 `json:"adaptive_ece"`
	// ClasswiseECE is the mean over the classes of each class's ECE
	// (ClasswiseECE); for a binary task, of the task as [1−p, p], which
	// equals ECE unless some p lies on a bin edge.
	ClasswiseECE float64 `json:"classwise_ece"`
	// MCE is the largest gap of a non-empty equal-width bin (MCE).
	MCE float64 `json:"mce"`
	// NLL is the mean negative log-likelihood of the labels in nats, each
	// probability floored at NLLFloor (NLL).
	NLL float64 `json:"nll"`
	// Brier is, for a multi-class task, the sum form MulticlassBrier in
	// [0, 2]; for a binary task, the binary form Brier in [0, 1], half the
	// sum form of [1−p, p].
	Brier float64 `json:"brier"`

	// Reliability is the reliability diagram of the equal-width bins:
	// per bin the count (together the confidence histogram), the mean
	// confidence and the frequency (the accuracy, for the top label).
	Reliability []Bin `json:"reliability"`
}

// EvaluateCalibration reports the calibration of the row-major N×classes
// probability matrix probs against labels in [0, classes): top-label ECE,
// adaptive ECE and MCE, class-wise ECE, NLL and the sum-form Brier score.
func EvaluateCalibration(probs []float64, labels []int, classes int) (Calibration, error) {
	conf, correct, err := TopLabel(probs, labels, classes)
	if err != nil {
		return Calibration{}, err
	}
	r := Calibration{Count: len(labels), Classes: classes}
	// The errors below were all ruled out by TopLabel's checks.
	r.Reliability, _ = Reliability(conf, correct, Bins)
	r.ECE = binnedError(r.Reliability, len(conf))
	r.MCE = maxGap(r.Reliability)
	r.AdaptiveECE, _ = AdaptiveECE(conf, correct, Bins)
	r.ClasswiseECE, _ = ClasswiseECE(probs, labels, classes, Bins)
	r.NLL, _ = NLL(probs, labels, classes)
	r.Brier, _ = MulticlassBrier(probs, labels, classes)
	return r, nil
}

// EvaluateBinaryCalibration reports the calibration of positive-class
// probabilities p against labels y (true = positive): ECE, adaptive ECE and
// MCE of p, the class-wise ECE of [1−p, p], NLL and the binary Brier score.
// Unlike EvaluateBinary it accepts labels of a single class.
func EvaluateBinaryCalibration(p []float64, y []bool) (Calibration, error) {
	if err := checkBinned(p, y, Bins); err != nil {
		return Calibration{}, err
	}
	r := Calibration{Count: len(p), Classes: 2}
	r.Reliability, _ = Reliability(p, y, Bins)
	r.ECE = binnedError(r.Reliability, len(p))
	r.MCE = maxGap(r.Reliability)
	r.AdaptiveECE, _ = AdaptiveECE(p, y, Bins)
	two := make([]float64, 2*len(p))
	labels := make([]int, len(p))
	for i, v := range p {
		two[2*i], two[2*i+1] = 1-v, v
		if y[i] {
			labels[i] = 1
		}
	}
	r.ClasswiseECE, _ = ClasswiseECE(two, labels, 2, Bins)
	for i, v := range p {
		if !y[i] {
			v = 1 - v
		}
		r.NLL -= math.Log(max(v, NLLFloor))
	}
	r.NLL /= float64(len(p))
	r.Brier, _ = Brier(p, y)
	return r, nil
}

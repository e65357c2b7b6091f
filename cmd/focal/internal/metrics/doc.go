// Package metrics scores probabilistic classifiers with the numbers that
// matter under class imbalance: ranking quality (average precision, ROC-AUC),
// operating points (best F1, recall at a precision floor), and for
// multi-class tasks accuracy, balanced accuracy, macro-F1 and per-class
// recall.
//
// Calibration is measured as the literature reports it (Guo et al., ICML
// 2017; Nixon et al., CVPR Workshops 2019; Mukhoti et al., NeurIPS 2020):
// expected calibration error over equal-width bins (ECE) and equal-mass
// bins (AdaptiveECE), class-wise ECE, maximum calibration error (MCE),
// negative log-likelihood (NLL), the Brier score (Brier, MulticlassBrier)
// and reliability-diagram data (Reliability); EvaluateCalibration and
// EvaluateBinaryCalibration report them all.
//
// Scores are probabilities in [0, 1]; a NaN score or a length mismatch is an
// error, not a NaN result.
package metrics

import "errors"

var (
	// ErrLength is returned when scores and labels differ in length, or a
	// probability matrix does not have N×C elements.
	ErrLength = errors.New("metrics: length mismatch")
	// ErrEmpty is returned for no examples at all.
	ErrEmpty = errors.New("metrics: no examples")
	// ErrOneClass is returned by binary metrics when the labels hold only
	// positives or only negatives: precision-recall and ROC are undefined.
	ErrOneClass = errors.New("metrics: labels hold a single class")
	// ErrScore is returned for a NaN score or a probability outside [0, 1].
	ErrScore = errors.New("metrics: score is NaN or outside [0, 1]")
	// ErrLabel is returned for a class label outside [0, C).
	ErrLabel = errors.New("metrics: label out of range")
	// ErrBins is returned for a number of calibration bins below one.
	ErrBins = errors.New("metrics: fewer than one bin")
)

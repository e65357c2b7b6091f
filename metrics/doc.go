// Package metrics scores probabilistic classifiers with the numbers that
// matter under class imbalance: ranking quality (average precision, ROC-AUC),
// operating points (best F1, recall at a precision floor) and calibration
// (Brier score, expected calibration error), and for multi-class tasks
// accuracy, balanced accuracy, macro-F1 and per-class recall.
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
)

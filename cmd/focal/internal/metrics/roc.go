package metrics

import (
	"slices"

	"gonum.org/v1/gonum/integrate"
	"gonum.org/v1/gonum/stat"
)

// ROCAUC returns the area under the ROC curve of scores p for labels y:
// the probability that a random positive scores above a random negative,
// ties counting one half. The curve is gonum's stat.ROC over every distinct
// score, integrated with the trapezoidal rule.
func ROCAUC(p []float64, y []bool) (float64, error) {
	if err := checkBinary(p, y); err != nil {
		return 0, err
	}
	s := slices.Clone(p)
	c := slices.Clone(y)
	stat.SortWeightedLabeled(s, c, nil)
	tpr, fpr, _ := stat.ROC(nil, s, c, nil)
	return integrate.Trapezoidal(fpr, tpr), nil
}

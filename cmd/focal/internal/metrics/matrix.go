package metrics

import "fmt"

// checkMatrix checks a row-major N×classes probability matrix and its N
// labels.
func checkMatrix(probs []float64, labels []int, classes int) error {
	n := len(labels)
	if n == 0 {
		return ErrEmpty
	}
	if classes < 2 {
		return fmt.Errorf("%w: %d classes, need at least 2", ErrLength, classes)
	}
	if len(probs) != n*classes {
		return fmt.Errorf("%w: %d probabilities for %d labels × %d classes", ErrLength, len(probs), n, classes)
	}
	if err := checkProbs(probs); err != nil {
		return err
	}
	for i, label := range labels {
		if label < 0 || label >= classes {
			return fmt.Errorf("%w: label %d of row %d, %d classes", ErrLabel, label, i, classes)
		}
	}
	return nil
}

// argmax returns the index of the first largest element of row.
func argmax(row []float64) int {
	k := 0
	for j, v := range row {
		if v > row[k] {
			k = j
		}
	}
	return k
}

package metrics

import "fmt"

// Multiclass is the report of a C-class classifier on held-out data; the
// predicted class is the arg-max of the probabilities.
type Multiclass struct {
	Count int `json:"count"`
	// Support is the number of examples of each class.
	Support  []int   `json:"support"`
	Accuracy float64 `json:"accuracy"`
	// BalancedAccuracy is the mean of Recall over the classes present.
	BalancedAccuracy float64 `json:"balanced_accuracy"`
	// MacroF1 is the mean F1 over the classes present or predicted; a class
	// never predicted correctly has F1 = 0.
	MacroF1 float64 `json:"macro_f1"`
	// Recall is the per-class recall; 0 for a class with no examples (its
	// Support tells those apart).
	Recall []float64 `json:"recall"`
	// ECE is the top-label expected calibration error over Bins bins: the
	// arg-max probability against whether the arg-max class is right.
	ECE float64 `json:"ece"`
}

// EvaluateMulticlass scores the row-major N×c probability matrix probs
// against the labels y ∈ [0, c).
func EvaluateMulticlass(probs []float64, y []int, c int) (Multiclass, error) {
	n := len(y)
	if n == 0 {
		return Multiclass{}, ErrEmpty
	}
	if c < 2 || len(probs) != n*c {
		return Multiclass{}, fmt.Errorf("%w: %d probabilities for %d labels × %d classes", ErrLength, len(probs), n, c)
	}
	if err := checkProbs(probs); err != nil {
		return Multiclass{}, err
	}
	r := Multiclass{Count: n, Support: make([]int, c), Recall: make([]float64, c)}
	predicted := make([]int, c)
	right := make([]int, c)
	conf := make([]float64, n)
	correct := make([]bool, n)
	for i, label := range y {
		if label < 0 || label >= c {
			return Multiclass{}, fmt.Errorf("%w: label %d of row %d, %d classes", ErrLabel, label, i, c)
		}
		row := probs[i*c : (i+1)*c]
		k := argmax(row)
		r.Support[label]++
		predicted[k]++
		conf[i] = row[k]
		if k == label {
			right[k]++
			correct[i] = true
		}
	}
	hits, present, seen := 0, 0, 0
	for j := range c {
		hits += right[j]
		if r.Support[j] > 0 {
			r.Recall[j] = float64(right[j]) / float64(r.Support[j])
			r.BalancedAccuracy += r.Recall[j]
			present++
		}
		if r.Support[j] > 0 || predicted[j] > 0 {
			if right[j] > 0 {
				r.MacroF1 += 2 * float64(right[j]) / float64(r.Support[j]+predicted[j])
			}
			seen++
		}
	}
	r.Accuracy = float64(hits) / float64(n)
	r.BalancedAccuracy /= float64(present)
	r.MacroF1 /= float64(seen)
	r.ECE, _ = ECE(conf, correct, Bins)
	return r, nil
}

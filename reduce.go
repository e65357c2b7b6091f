package focal

import (
	"fmt"
	"strings"
)

// Reduction says how per-element losses are combined into one number, and
// so which scalar the gradient and Hessian outputs differentiate.
type Reduction int

const (
	// None keeps per-element losses; the gradient and Hessian outputs are
	// those of their sum.
	None Reduction = iota
	// Mean divides the (weighted) sum by the number of elements that are not
	// ignored (softmax: by the number of non-ignored labels).
	Mean
	// Sum adds the (weighted) per-element losses.
	Sum
	// Positives is RetinaNet's normalisation: the sum divided by
	// max(1, number of positive targets).
	Positives
)

var reductionNames = [...]string{None: "none", Mean: "mean", Sum: "sum", Positives: "positives"}

// String returns the reduction's name as ParseReduction accepts it.
func (r Reduction) String() string {
	if r < 0 || int(r) >= len(reductionNames) {
		return fmt.Sprintf("Reduction(%d)", int(r))
	}
	return reductionNames[r]
}

// ParseReduction parses "none", "mean", "sum" or "positives" (case-insensitive).
func ParseReduction(s string) (Reduction, error) {
	for i, name := range reductionNames {
		if strings.EqualFold(s, name) {
			return Reduction(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want none, mean, sum or positives)", ErrReduction, s)
}

// Total is the reduction state of one call: enough to finish any reduction,
// and to merge shards of a data-parallel batch.
//
// Merging the Totals of the shards of a batch and reducing gives the same
// value as one call over the whole batch, up to float rounding.
type Total struct {
	// Sum is Σ wᵢ·FLᵢ over the elements that are not ignored, accumulated
	// in float64.
	Sum float64
	// Count is the number of elements (softmax: labels) not ignored.
	Count int64
	// Positives is the number of positive targets: sigmoid targets y > 0,
	// sparse rows with a class label, softmax labels other than the
	// background class.
	Positives int64
}

// Merge returns the Total of the union of the shards t and u.
func (t Total) Merge(u Total) Total {
	return Total{Sum: t.Sum + u.Sum, Count: t.Count + u.Count, Positives: t.Positives + u.Positives}
}

// Divisor returns the number that r divides the sum by:
// 1 for None and Sum, Count for Mean, max(1, Positives) for Positives.
//
// Special cases are:
//
//	Divisor(Mean) = 1 when Count = 0 (an all-ignored batch has loss 0, not NaN)
func (t Total) Divisor(r Reduction) float64 {
	switch r {
	case Mean:
		if t.Count == 0 {
			return 1
		}
		return float64(t.Count)
	case Positives:
		return float64(max(1, t.Positives))
	}
	return 1
}

// Reduce returns the reduced loss Sum / Divisor(r).
func (t Total) Reduce(r Reduction) float64 {
	return t.Sum / t.Divisor(r)
}

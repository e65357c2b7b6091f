package focal

import (
	"fmt"
	"math"
	"strings"
)

// Reduction says how per-element losses are combined into one number, and
// so which scalar the gradient and Hessian outputs differentiate.
type Reduction int

const (
	// Mean divides the (weighted) sum by the number of elements that are not
	// ignored (softmax: by the number of non-ignored labels); an all-ignored
	// batch has loss 0. It is the zero value.
	Mean Reduction = iota
	// Sum adds the (weighted) per-element losses.
	Sum
	// Positives is RetinaNet's normalisation: the sum divided by
	// max(1, number of positive targets).
	Positives
	// None keeps per-element losses; the gradient and Hessian outputs are
	// those of their sum, and Total.Value is the sum.
	None
)

var reductionNames = [...]string{Mean: "mean", Sum: "sum", Positives: "positives", None: "none"}

// String returns the reduction's name as ParseReduction accepts it.
func (r Reduction) String() string {
	if r < 0 || int(r) >= len(reductionNames) {
		return fmt.Sprintf("Reduction(%d)", int(r))
	}
	return reductionNames[r]
}

// ParseReduction parses "mean", "sum", "positives" or "none" (any case).
func ParseReduction(s string) (Reduction, error) {
	for i, name := range reductionNames {
		if strings.EqualFold(s, name) {
			return Reduction(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want mean, sum, positives or none)", ErrReduction, s)
}

// Options are the choices every form of the loss shares: how it is
// reduced, and what the gradient and Hessian outputs hold. The zero value
// is the mean over the elements with the exact derivatives.
type Options struct {
	// Reduction combines the per-element losses; the gradient and Hessian
	// outputs are those of the reduced loss (of the sum for None).
	Reduction Reduction
	// Normalizer, when positive, replaces the divisor of Mean and Positives
	// (in the outputs and in Total.Value): in data-parallel training pass
	// the divisor of the merged Total of all shards, so that each shard's
	// gradient is its part of the global one. Zero means "from this call".
	Normalizer float64
	// ClipHessian clips the Hessian diagonal from below at MinHessian. The
	// exact diagonal is negative for hard examples when γ > 0 (the loss is
	// not convex in x there); Newton steps and gradient-boosting libraries
	// want it positive.
	ClipHessian bool
	// MinHessian is the floor of the clipped Hessian diagonal, finite and
	// ≥ 0 (0: clip at zero). A positive MinHessian clips whether or not
	// ClipHessian is set. Boosting libraries want a small positive floor:
	// a zero Hessian makes a leaf weight −G/H undefined. Ignored and
	// zero-weight elements keep a Hessian of 0.
	MinHessian float64
}

func (o Options) validate() error {
	if o.Reduction < Mean || o.Reduction > None {
		return fmt.Errorf("%w: %v", ErrReduction, o.Reduction)
	}
	if !(o.Normalizer >= 0) || math.IsInf(o.Normalizer, 1) {
		return fmt.Errorf("%w: normalizer = %v (want finite ≥ 0)", ErrNormalizer, o.Normalizer)
	}
	if !(o.MinHessian >= 0) || math.IsInf(o.MinHessian, 1) {
		return fmt.Errorf("%w: min hessian = %v (want finite ≥ 0)", ErrParam, o.MinHessian)
	}
	return nil
}

// clip reports whether the Hessian is clipped, and at what floor.
func (o Options) clip() (bool, float64) {
	return o.ClipHessian || o.MinHessian > 0, o.MinHessian
}

// Total is the result of one call: the sum and the counts that finish its
// reduction, and merge with the Totals of the other shards of a batch.
type Total struct {
	// Sum is Σ wᵢ·Lᵢ over the elements that are not ignored, accumulated
	// in float64.
	Sum float64
	// Count is the number of elements (softmax: labels) not ignored.
	Count int64
	// Positives is the number of positive targets: targets y > 0, sparse
	// rows with a class label, softmax labels other than the background
	// class.
	Positives int64
	// Reduction and Normalizer are the Options of the call.
	Reduction  Reduction
	Normalizer float64
}

// Value returns the reduced loss, Sum divided by the reduction's divisor:
// 1 for Sum and None, Count for Mean, max(1, Positives) for Positives, or
// the Normalizer when it is positive (Mean and Positives).
//
// Special cases are:
//
//	Value() = 0 for Mean when Count = 0 (an all-ignored batch)
func (t Total) Value() float64 {
	return t.Sum / t.divisor()
}

// Merge returns the Total of the union of the shards t and u, which must
// come from calls with the same Options: merging the Totals of the shards
// of a batch gives the Value of one call over the whole batch, up to float
// rounding. The zero Total is empty, so that shards can be merged into a
// zero-valued variable. Merge panics if the reductions or normalizers
// differ.
func (t Total) Merge(u Total) Total {
	switch {
	case t == Total{}:
		return u
	case u == Total{}:
		return t
	}
	if t.Reduction != u.Reduction || t.Normalizer != u.Normalizer {
		panic(fmt.Sprintf("focal: merging a %v total (normalizer %v) with a %v one (normalizer %v)",
			t.Reduction, t.Normalizer, u.Reduction, u.Normalizer))
	}
	t.Sum += u.Sum
	t.Count += u.Count
	t.Positives += u.Positives
	return t
}

// Divisor returns the number Value divides the sum by. In data-parallel
// training, the Divisor of the merged Total of all shards (computed with
// a zero Normalizer) is the Options.Normalizer that gives each shard its
// part of the global gradient.
func (t Total) Divisor() float64 { return t.divisor() }

// divisor is the number the reduction divides the sum by.
func (t Total) divisor() float64 {
	switch t.Reduction {
	case Mean:
		if t.Normalizer > 0 {
			return t.Normalizer
		}
		return float64(max(1, t.Count))
	case Positives:
		if t.Normalizer > 0 {
			return t.Normalizer
		}
		return float64(max(1, t.Positives))
	}
	return 1
}

package focal

import (
	"fmt"
	"math"
)

// Float is the element type of logits, targets, weights and outputs.
type Float interface{ ~float32 | ~float64 }

// Int is the element type of integer labels.
type Int interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32
}

// Input is the data of an element-wise loss (Loss): one target per logit,
// any shape flattened.
type Input[T Float] struct {
	// Logits are the model's outputs x before the sigmoid.
	Logits []T
	// Targets are y ∈ [0, 1], as long as Logits (soft targets allowed
	// unless the member says otherwise).
	Targets []T
	// Weights multiply each element's loss and derivatives: nil for all 1,
	// else as long as Logits, finite and ≥ 0. For float32, the vectorized
	// kernels may weigh an output already rounded to float32: within
	// 2^−126 absolute (float32's least normal number) for weights up to
	// 2^24; for heavier weights, outputs below 2^−126 are computed again
	// in float64 before the weight.
	Weights []T
	// Ignore excludes elements from the loss, the counts and the
	// derivatives: nil for none, else as long as Logits.
	Ignore []bool
}

// Outputs are the caller-owned destinations of a fused pass. A nil slice is
// not computed; a non-nil one must have the documented length (one per
// logit, except the softmax Loss: one per label). Loss holds the weighted
// per-element losses wᵢ·Lᵢ (0 where ignored), whatever the reduction; Grad
// and Hess hold the gradient and Hessian diagonal of the reduced loss with
// respect to the logits. Nothing is written unless every argument is
// valid.
type Outputs[T Float] struct {
	Loss, Grad, Hess []T
}

// check checks that each non-nil destination has its length: loss
// values for Loss, one per logit for Grad and Hess.
func (out Outputs[T]) check(logits, loss int) error {
	for _, d := range [...]struct {
		name string
		s    []T
		n    int
	}{{"Loss", out.Loss, loss}, {"Grad", out.Grad, logits}, {"Hess", out.Hess, logits}} {
		if d.s != nil && len(d.s) != d.n {
			return fmt.Errorf("%w: Outputs.%s has length %d, want %d", ErrLength, d.name, len(d.s), d.n)
		}
	}
	return nil
}

// check checks the lengths of an element-wise input and its outputs.
func (in Input[T]) check(out Outputs[T]) error {
	n := len(in.Logits)
	if len(in.Targets) != n {
		return fmt.Errorf("%w: targets have length %d, logits %d", ErrLength, len(in.Targets), n)
	}
	if in.Weights != nil && len(in.Weights) != n {
		return fmt.Errorf("%w: weights have length %d, logits %d", ErrLength, len(in.Weights), n)
	}
	if in.Ignore != nil && len(in.Ignore) != n {
		return fmt.Errorf("%w: ignore mask has length %d, logits %d", ErrLength, len(in.Ignore), n)
	}
	return out.check(n, n)
}

// validWeight reports whether w is a usable weight: finite and ≥ 0.
func validWeight[T Float](w T) bool { return w >= 0 && float64(w) <= math.MaxFloat64 }

// sub returns s[lo:hi], or nil for a nil s.
func sub[E any](s []E, lo, hi int) []E {
	if s == nil {
		return nil
	}
	return s[lo:hi]
}

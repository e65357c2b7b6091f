package focal

import (
	"fmt"
	"math"

	"github.com/focalgo/focal/internal/kernel"
)

// NoAlpha turns α-weighting off (αₜ = 1). Any negative Alpha does the same,
// as in torchvision.
const NoAlpha = -1.0

// Sigmoid holds the parameters of the sigmoid (binary, multi-label) focal
// loss
//
//	FL = −αₜ (1 − pₜ)^γ log pₜ,  p = σ(x),  pₜ = y·p + (1 − y)(1 − p),  αₜ = y·α + (1 − y)(1 − α).
//
// The zero value has α = 0, which gives positives no weight: start from
// DefaultSigmoid or set Alpha.
type Sigmoid struct {
	// Alpha is α ∈ [0, 1], the weight of positives (negatives get 1 − α);
	// negative (NoAlpha) means αₜ = 1. torchvision and Detectron use the
	// same convention; see the package documentation for mmcv and Keras.
	Alpha float64
	// Gamma is the focusing parameter γ ≥ 0; γ = 0 is (α-balanced)
	// cross-entropy.
	Gamma float64
	// Reduction combines the per-element losses; the gradient and Hessian
	// outputs are those of the reduced loss (of the sum for None).
	Reduction Reduction
	// ClipHessian clips the Hessian diagonal at 0. The exact diagonal is
	// negative for hard examples when γ > 0 (the loss is not convex in x
	// there); Newton steps and gradient-boosting libraries want ≥ 0.
	ClipHessian bool
	// Normalizer, when positive, replaces the reduction's own divisor in the
	// gradient and Hessian (and in Total.Reduce, if you pass the same
	// divisor): in data-parallel training pass the divisor of the merged
	// Total of all shards, so that each shard's gradient is its part of the
	// global one. Zero means "from this call".
	Normalizer float64
}

// DefaultSigmoid is the paper's setting: α = 0.25, γ = 2, normalised by the
// number of positives.
var DefaultSigmoid = Sigmoid{Alpha: 0.25, Gamma: 2, Reduction: Positives}

// Outputs are the caller-owned destinations of a fused pass. A nil slice is
// not computed; a non-nil one must have the documented length. Loss holds
// the weighted per-element losses wᵢ·FLᵢ (0 where ignored), whatever the
// reduction; Grad and Hess hold the gradient and Hessian diagonal of the
// reduced loss with respect to the logits.
type Outputs[T Float] struct {
	Loss, Grad, Hess []T
}

// Float is the element type of logits, targets and outputs.
type Float interface{ ~float32 | ~float64 }

func (s Sigmoid) validate() error {
	switch {
	case math.IsNaN(s.Alpha) || s.Alpha > 1:
		return fmt.Errorf("%w: alpha = %v (want 0 ≤ α ≤ 1, or negative for none)", ErrAlpha, s.Alpha)
	case !(s.Gamma >= 0) || math.IsInf(s.Gamma, 1):
		return fmt.Errorf("%w: gamma = %v (want finite γ ≥ 0)", ErrGamma, s.Gamma)
	case s.Reduction < None || s.Reduction > Positives:
		return fmt.Errorf("%w: %v", ErrReduction, s.Reduction)
	case !(s.Normalizer >= 0) || math.IsInf(s.Normalizer, 1):
		return fmt.Errorf("%w: normalizer = %v (want finite ≥ 0)", ErrNormalizer, s.Normalizer)
	}
	return nil
}

func (s Sigmoid) kernelParams() kernel.SigmoidParams {
	return kernel.SigmoidParams{
		Alpha:    max(s.Alpha, 0),
		HasAlpha: s.Alpha >= 0,
		Gamma:    s.Gamma,
		Scale:    1,
		ClipHess: s.ClipHessian,
	}
}

// scale returns 1/divisor for the gradient given this call's Total.
func scale(r Reduction, norm float64, t Total) float64 {
	if r == None || r == Sum {
		return 1
	}
	if norm > 0 {
		return 1 / norm
	}
	return 1 / t.Divisor(r)
}

// checkOut checks that each non-nil destination has length n.
func checkOut[T Float](out Outputs[T], n int, what string) error {
	for _, d := range [...]struct {
		name string
		s    []T
	}{{"Loss", out.Loss}, {"Grad", out.Grad}, {"Hess", out.Hess}} {
		if d.s != nil && len(d.s) != n {
			return fmt.Errorf("%w: Outputs.%s has length %d, want %d (%s)", ErrLength, d.name, len(d.s), n, what)
		}
	}
	return nil
}

// SigmoidFocal computes the sigmoid focal loss of logits x against targets
// y (same length, any shape flattened) in one fused pass, writing the
// destinations in out that are non-nil (each of length len(x)) and
// returning the Total, whose Reduce(s.Reduction) is the reduced loss.
//
// Targets may be soft, y ∈ [0, 1], and then follow the formula above as
// torchvision does. Bad arguments return an error wrapping ErrLength,
// ErrTarget, ErrAlpha, ErrGamma, ErrReduction or ErrNormalizer, and nothing
// is written.
//
// Special cases are:
//
//	SigmoidFocal(NaN logit) = NaN loss, gradient and Hessian for that element
//	SigmoidFocal(±Inf logit) = loss 0 or +Inf; where the target is on the
//	    other side, the gradient and Hessian are NaN (∞·0)
//	every finite logit gives finite loss, gradient and Hessian, for every γ ≥ 0
func SigmoidFocal[T Float](s Sigmoid, out Outputs[T], x, y []T) (Total, error) {
	return SigmoidFocalWeighted(s, out, x, y, nil, nil)
}

// SigmoidFocalWeighted is SigmoidFocal with per-element weights w (nil: all
// 1; finite and ≥ 0) and an ignore mask (nil: none; true excludes the
// element from the loss, the counts and the gradient).
func SigmoidFocalWeighted[T Float](s Sigmoid, out Outputs[T], x, y, w []T, ignore []bool) (Total, error) {
	if err := s.validate(); err != nil {
		return Total{}, err
	}
	n := len(x)
	if err := checkElementwise(out, x, y, w, ignore); err != nil {
		return Total{}, err
	}
	j := getJob[sigmoidJob[T]]()
	defer putJob(j)
	j.x, j.y, j.w, j.ign, j.out = x, y, w, ignore, out
	defer j.clear()
	j.size, j.chunks = chunking(n, 1)

	// Pass 1: validate targets and weights, count.
	j.phase = phaseCheck
	j.run()
	var t Total
	for c := range j.chunks {
		if j.bad[c] >= 0 {
			i := j.bad[c]
			if v := y[i]; !(v >= 0 && v <= 1) {
				return Total{}, fmt.Errorf("%w: targets[%d] = %v (want 0 ≤ y ≤ 1)", ErrTarget, i, v)
			}
			return Total{}, fmt.Errorf("%w: weights[%d] = %v (want finite ≥ 0)", ErrWeight, i, w[i])
		}
		t.Count += j.cnt[c]
		t.Positives += j.pos[c]
	}

	// Pass 2: the fused kernel.
	j.p = s.kernelParams()
	j.p.Scale = scale(s.Reduction, s.Normalizer, t)
	j.phase = phaseCompute
	j.run()
	t.Sum = j.sumPartials()
	return t, nil
}

const (
	phaseCheck = iota
	phaseCompute
)

type sigmoidJob[T Float] struct {
	job
	phase    int
	size     int
	p        kernel.SigmoidParams
	x, y, w  []T
	ign      []bool
	out      Outputs[T]
	cnt, pos [maxChunks]int64
	bad      [maxChunks]int
}

func (j *sigmoidJob[T]) init() { j.fn = j.chunk }

// clear drops references to caller memory before the job is pooled.
func (j *sigmoidJob[T]) clear() {
	j.x, j.y, j.w, j.ign, j.out = nil, nil, nil, nil, Outputs[T]{}
}

func (j *sigmoidJob[T]) chunk(c int) {
	lo := c * j.size
	hi := min(lo+j.size, len(j.x))
	if j.phase == phaseCheck {
		if j.w == nil && j.ign == nil {
			// The common case, vectorized: every element counts.
			pos, bad := kernel.Targets(j.y[lo:hi])
			j.cnt[c], j.pos[c], j.bad[c] = int64(hi-lo), pos, -1
			if bad >= 0 {
				j.bad[c] = lo + bad
			}
			return
		}
		j.cnt[c], j.pos[c], j.bad[c] = checkTargets(j.y[lo:hi], sub(j.w, lo, hi), sub(j.ign, lo, hi), lo)
		return
	}
	o := j.out
	j.partial[c] = kernel.Sigmoid(&j.p, sub(o.Loss, lo, hi), sub(o.Grad, lo, hi), sub(o.Hess, lo, hi),
		j.x[lo:hi], j.y[lo:hi], sub(j.w, lo, hi), sub(j.ign, lo, hi))
}

// sub returns s[lo:hi], or nil for a nil s.
func sub[E any](s []E, lo, hi int) []E {
	if s == nil {
		return nil
	}
	return s[lo:hi]
}

// checkTargets counts the non-ignored and positive targets of one chunk and
// returns the index (offset by base) of the first target outside [0, 1] or
// weight that is negative or not finite, or −1.
func checkTargets[T Float](y, w []T, ignore []bool, base int) (count, pos int64, bad int) {
	for i, v := range y {
		if ignore != nil && ignore[i] {
			continue
		}
		if !(v >= 0 && v <= 1) {
			return 0, 0, base + i
		}
		if w != nil && !(w[i] >= 0 && float64(w[i]) <= math.MaxFloat64) {
			return 0, 0, base + i
		}
		count++
		if v > 0 {
			pos++
		}
	}
	return count, pos, -1
}

// checkElementwise checks that targets, weights (nil or not), the ignore
// mask (nil or not) and each non-nil destination are as long as x: the
// shape rule of every elementwise pass.
func checkElementwise[T Float](out Outputs[T], x, y, w []T, ignore []bool) error {
	n := len(x)
	if len(y) != n {
		return fmt.Errorf("%w: targets have length %d, logits %d", ErrLength, len(y), n)
	}
	if w != nil && len(w) != n {
		return fmt.Errorf("%w: weights have length %d, logits %d", ErrLength, len(w), n)
	}
	if ignore != nil && len(ignore) != n {
		return fmt.Errorf("%w: ignore mask has length %d, logits %d", ErrLength, len(ignore), n)
	}
	return checkOut(out, n, "one per logit")
}

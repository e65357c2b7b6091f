package focalloss

import (
	"fmt"

	"github.com/focalgo/focal"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/train/loss"
)

// SigmoidFocal returns the sigmoid focal loss with parameters s as a GoMLX
// loss function, for train.Trainer: labels[0] are the targets and
// predictions[0] the logits, as in SigmoidFocalLoss; labels[1:] may hold an
// optional float weights tensor and an optional bool mask (true = use), in
// any order, each with the targets' shape or a prefix of it (see
// SigmoidFocalLossWeighted). The result is reduced per o.Reduction.
//
// Bad parameters return an error wrapping the core package's sentinel.
func SigmoidFocal(s focal.Sigmoid, o focal.Options) (loss.LossFn, error) {
	return Family(s, o)
}

// BalancedBCE returns α-balanced binary cross-entropy on logits,
// −αₜ log pₜ (the focal loss with γ = 0), averaged over the unmasked
// elements, as a GoMLX loss function with the conventions of SigmoidFocal.
// α ∈ [0, 1] weighs the positives, 1 − α the negatives.
func BalancedBCE(alpha float64) (loss.LossFn, error) {
	if !(alpha > 0) {
		// α = 0 means "off" in focal.Sigmoid; here it is an error.
		return nil, fmt.Errorf("%w: alpha = %v (want 0 < α ≤ 1)", focal.ErrAlpha, alpha)
	}
	return SigmoidFocal(focal.Sigmoid{Alpha: alpha}, focal.Options{Reduction: focal.Mean})
}

// BCE returns binary cross-entropy on logits, −log pₜ, averaged over the
// unmasked elements, as a GoMLX loss function with the conventions of
// SigmoidFocal. It equals GoMLX's loss.BinaryCrossentropyLogits, with the
// gradient at logit 0 exact and soft targets computed without cancellation.
func BCE() loss.LossFn {
	f, _ := SigmoidFocal(focal.Sigmoid{}, focal.Options{Reduction: focal.Mean})
	return f
}

// SoftmaxFocal returns the softmax focal loss with parameters s as a GoMLX
// loss function, for train.Trainer: labels[0] are the integer labels (shape
// [...] or [..., 1], as GoMLX's SparseCategoricalCrossEntropyLogits takes)
// and predictions[0] the logits [..., C], as in SoftmaxFocalLoss; labels[1:]
// may hold an optional float weights tensor and an optional bool mask (true
// = use), in any order, each with the label positions' shape [...] or a
// prefix of it. The result is reduced per o.Reduction.
//
// Bad parameters return an error wrapping the core package's sentinel; a
// per-class α whose length is not the logits' C is reported when the graph
// is built.
func SoftmaxFocal(s focal.Softmax, o focal.Options) (loss.LossFn, error) {
	if err := checkSoftmax(s, o, max(1, len(s.Alpha))); err != nil {
		return nil, err
	}
	return func(labels, predictions []*Node) *Node {
		w, m := splitExtras(labels[1:])
		return SoftmaxFocalLossWeighted(predictions[0], labels[0], w, m, s, o)
	}, nil
}

package focalloss

import (
	"fmt"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/train/loss"
)

// Loss functions for train.Trainer, ready to use, as GoMLX's
// loss.BinaryCrossentropyLogits is. Each follows the conventions of its
// Make constructor. (They are built without the constructors' checks,
// which need the member graphs that the package's init functions register;
// their graphs validate the same parameters when they are built.)
var (
	// BinaryFocal is the paper's setting: sigmoid focal loss with α = 0.25,
	// γ = 2, divided by the number of positive targets (RetinaNet's).
	BinaryFocal = asLossFn[focal.Member](Family, focal.Sigmoid{Alpha: 0.25, Gamma: 2}, focal.Options{Reduction: focal.Positives}, nil)
	// BCE is binary cross-entropy on logits, averaged over the unmasked
	// elements: GoMLX's loss.BinaryCrossentropyLogits, with the gradient at
	// logit 0 exact and soft targets computed without cancellation.
	BCE = asLossFn[focal.Member](Family, focal.Sigmoid{}, focal.Options{}, nil)
	// CategoricalFocal is Keras' CategoricalFocalCrossentropy with its
	// defaults (α = 0.25 on every class, γ = 2, from logits, the mean over
	// the positions): one-hot or soft targets with the logits' shape [..., C].
	CategoricalFocal = asLossFn(Categorical, focal.Softmax{Alpha: []float64{0.25}, Gamma: 2}, focal.Options{}, nil)
	// SparseCategoricalFocal is softmax focal loss with γ = 2 and no α on
	// integer labels ([...] or [..., 1] for logits [..., C]), averaged over
	// the labels: GoMLX's loss.SparseCategoricalCrossEntropyLogits with
	// focusing. Labels equal to focal.DefaultIgnoreIndex (−100) are left out.
	SparseCategoricalFocal = asLossFn(Softmax, focal.Softmax{Gamma: 2, IgnoreIndex: focal.DefaultIgnoreIndex}, focal.Options{}, nil)
)

// MakeSigmoid returns the sigmoid focal loss with parameters s as a GoMLX
// loss function, for train.Trainer: labels[0] are the targets and
// predictions[0] the logits, as in Sigmoid; labels[1:] may hold an optional
// float weights tensor and an optional bool mask (true = use), in any
// order, each with the targets' shape or a prefix of it (see Weights and
// Mask). The result is reduced per o.Reduction. opts may set ClassAxis,
// ClassWeights and a Normalizer.
//
// Bad parameters panic, as GoMLX's Make constructors do, with an error
// wrapping the core package's sentinel; Validate returns that error
// instead, for parameters that come from users.
func MakeSigmoid(s focal.Sigmoid, o focal.Options, opts ...Option) loss.LossFn {
	return MakeFamily(s, o, opts...)
}

// MakeFamily returns member m as a GoMLX loss function, with the
// conventions of MakeSigmoid (labels[0] targets, optional weights and bool
// mask in labels[1:]).
func MakeFamily(m focal.Member, o focal.Options, opts ...Option) loss.LossFn {
	if err := Validate(m, o, opts...); err != nil {
		panic(err)
	}
	return asLossFn[focal.Member](Family, m, o, opts)
}

// MakeSparse returns Sparse as a GoMLX loss function: labels[0] are one
// integer label per row (focal.Background, focal.IgnoreLabel or a class),
// predictions[0] the logits [..., C]; labels[1:] may hold per-row weights
// and a bool mask, as in MakeSigmoid.
func MakeSparse(s focal.Sigmoid, o focal.Options, opts ...Option) loss.LossFn {
	if err := Validate(s, o, opts...); err != nil {
		panic(err)
	}
	return asLossFn(Sparse, s, o, opts)
}

// MakeSoftmax returns the softmax focal loss with parameters s as a GoMLX
// loss function, for train.Trainer: labels[0] are the integer labels (the
// logits' shape without the class axis, or with 1 there, as GoMLX's
// SparseCategoricalCrossEntropyLogits takes [..., 1]) and predictions[0]
// the logits, as in Softmax; labels[1:] may hold an optional float weights
// tensor and an optional bool mask (true = use), in any order, each with
// the label positions' shape or a prefix of it. The result is reduced per
// o.Reduction. opts may set ClassAxis, ClassWeights and a Normalizer.
//
// Bad parameters panic with an error wrapping the core package's sentinel
// (ValidateSoftmax returns it); a per-class α or ClassWeights whose length
// is not the logits' number of classes is reported when the graph is
// built.
func MakeSoftmax(s focal.Softmax, o focal.Options, opts ...Option) loss.LossFn {
	if err := ValidateSoftmax(s, o, opts...); err != nil {
		panic(err)
	}
	return asLossFn(Softmax, s, o, opts)
}

// MakeCategorical returns Categorical as a GoMLX loss function, Keras'
// CategoricalFocalCrossentropy(from_logits=True) for train.Trainer:
// labels[0] are one-hot or soft targets with the logits' shape,
// predictions[0] the logits; labels[1:] may hold per-position weights and
// a bool mask, as in MakeSoftmax. CategoricalFocal is Keras' defaults.
func MakeCategorical(s focal.Softmax, o focal.Options, opts ...Option) loss.LossFn {
	if err := ValidateSoftmax(s, o, opts...); err != nil {
		panic(err)
	}
	return asLossFn(Categorical, s, o, opts)
}

// MakeBalancedBCE returns α-balanced binary cross-entropy on logits,
// −αₜ log pₜ (focal loss with γ = 0), averaged over the unmasked elements,
// with the conventions of MakeSigmoid. α ∈ (0, 1] weighs the positives,
// 1 − α the negatives; α = 0, which focal.Sigmoid reads as "no α", panics
// here like any other bad α.
func MakeBalancedBCE(alpha float64) loss.LossFn {
	if !(alpha > 0) {
		panic(fmt.Errorf("%w: alpha = %v (want 0 < α ≤ 1)", focal.ErrAlpha, alpha))
	}
	return MakeSigmoid(focal.Sigmoid{Alpha: alpha}, focal.Options{})
}

// Validate returns the error that MakeFamily, MakeSigmoid or MakeSparse
// would panic with for member m, options o and opts, or nil: bad
// parameters wrap the core package's sentinels (focal.ErrAlpha,
// focal.ErrGamma, focal.ErrReduction, focal.ErrNormalizer, …).
func Validate(m focal.Member, o focal.Options, opts ...Option) error {
	c, err := lossFnConfig(opts)
	if err != nil {
		return err
	}
	_, err = graphOf(m, o, c)
	return err
}

// ValidateSoftmax returns the error that MakeSoftmax or MakeCategorical
// would panic with for s, o and opts, or nil.
func ValidateSoftmax(s focal.Softmax, o focal.Options, opts ...Option) error {
	c, err := lossFnConfig(opts)
	if err != nil {
		return err
	}
	C := max(1, len(s.Alpha))
	if c.classWeights != nil && len(s.Alpha) <= 1 {
		C = len(c.classWeights)
	}
	_, err = checkSoftmax(s, o, c, C)
	return err
}

// asLossFn adapts the graph function f, with parameters p, o and opts, to a
// loss.LossFn: labels[0] are its targets and predictions[0] its logits;
// labels[1:] may hold optional weights and a bool mask, in any order.
func asLossFn[P any](f func(logits, targets *graph.Node, p P, o focal.Options, opts ...Option) *graph.Node,
	p P, o focal.Options, opts []Option) loss.LossFn {
	return func(labels, predictions []*graph.Node) *graph.Node {
		w, mk := splitExtras(labels[1:])
		return f(predictions[0], labels[0], p, o, extraOpts(opts, w, mk)...)
	}
}

// extraOpts appends the weights and mask found in a LossFn's labels (either
// may be nil) to its constructor's options.
func extraOpts(opts []Option, w, m *graph.Node) []Option {
	out := append([]Option(nil), opts...)
	if w != nil {
		out = append(out, Weights(w))
	}
	if m != nil {
		out = append(out, Mask(m))
	}
	return out
}

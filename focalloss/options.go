package focalloss

import (
	"fmt"
	"math"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// An Option adds to a loss what the graph forms have beyond the core
// package's parameters: per-element weights and a mask (graph functions
// only; a loss.LossFn takes them from its labels), the class axis, per-class
// weights and a Normalizer computed in the graph. Each may be given once.
type Option interface {
	apply(c *config) error
}

// config is the set of options of one call.
type config struct {
	weights, mask *graph.Node
	classAxis     int
	axisSet       bool
	classWeights  []float64
	norm          *Normalizer
}

// newConfig collects opts, returning the first error: an option given
// twice, or a bad value.
func newConfig(opts []Option) (*config, error) {
	c := &config{classAxis: -1}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil Option", focal.ErrParam)
		}
		if err := o.apply(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// mustConfig is newConfig for graph functions, which panic.
func mustConfig(opts []Option) *config {
	c, err := newConfig(opts)
	if err != nil {
		panic(err)
	}
	return c
}

// lossFnConfig is newConfig for the loss.LossFn constructors: weights and
// masks come from the labels there, not from options.
func lossFnConfig(opts []Option) (*config, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if c.weights != nil || c.mask != nil {
		return nil, fmt.Errorf("%w: a loss.LossFn takes its weights and mask from labels[1:], not from Weights or Mask options", focal.ErrParam)
	}
	return c, nil
}

type weightsOpt struct{ w *graph.Node }

func (o weightsOpt) apply(c *config) error {
	return setTensor(&c.weights, o.w, "Weights", focal.ErrWeight)
}

// setTensor sets *field to t, the tensor of the option named name. A nil
// tensor is an error wrapping nilErr; the option given twice, one wrapping
// focal.ErrParam.
func setTensor(field **graph.Node, t *graph.Node, name string, nilErr error) error {
	if t == nil {
		return fmt.Errorf("%w: %s(nil)", nilErr, name)
	}
	if *field != nil {
		return fmt.Errorf("%w: %s given twice", focal.ErrParam, name)
	}
	*field = t
	return nil
}

// Weights multiplies each element's loss (the softmax forms: each
// position's) by its weight, a float tensor ≥ 0 with the shape of the
// targets (labels) or a prefix of it, broadcast over the remaining axes:
// per-example weights [N] over [N, …] targets. Weights scale the loss, not
// the divisor of Mean. For graph functions only.
func Weights(w *graph.Node) Option { return weightsOpt{w} }

type maskOpt struct{ m *graph.Node }

func (o maskOpt) apply(c *config) error { return setTensor(&c.mask, o.m, "Mask", focal.ErrParam) }

// Mask leaves out the elements (the softmax forms: positions) where mask is
// false, GoMLX's convention (the complement of the core package's Ignore):
// they add nothing to the loss, the counts or the gradient, whatever their
// logits and targets hold. mask is bool, with the shape of the targets
// (labels) or a prefix of it. For graph functions only.
func Mask(mask *graph.Node) Option { return maskOpt{mask} }

type classAxisOpt int

func (o classAxisOpt) apply(c *config) error {
	if c.axisSet {
		return fmt.Errorf("%w: ClassAxis given twice", focal.ErrLayout)
	}
	c.classAxis, c.axisSet = int(o), true
	return nil
}

// ClassAxis sets the class axis of the logits: −1 (the default) for
// [..., C], 1 for PyTorch's [N, C, H, W]; negative values count from the
// end. The softmax forms normalise over it and take labels (targets) with
// the other axes; the sigmoid forms use it for ClassWeights and for
// Sparse's labels.
func ClassAxis(axis int) Option { return classAxisOpt(axis) }

type classWeightsOpt []float64

func (o classWeightsOpt) apply(c *config) error {
	if c.classWeights != nil {
		return fmt.Errorf("%w: ClassWeights given twice", focal.ErrWeight)
	}
	if len(o) == 0 {
		return fmt.Errorf("%w: ClassWeights with no weight", focal.ErrWeight)
	}
	for i, w := range o {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("%w: ClassWeights[%d] = %v (want finite ≥ 0)", focal.ErrWeight, i, w)
		}
	}
	c.classWeights = append([]float64(nil), o...)
	return nil
}

// ClassWeights weights each class c by w[c], broadcast along the class axis
// over [N, C], [N, C, H, W] or any other shape: one weight per class, as
// focal.ClassBalancedWeights returns. For the sigmoid forms the loss of
// every element of class c is multiplied by w[c]; for the softmax forms it
// multiplies focal.Softmax.Alpha (α_c·w_c, or w_c without α). The number of
// weights must equal the logits' number of classes.
//
// Per-class weights are constants rather than a labels tensor because a
// [C] tensor is indistinguishable from per-example weights [N] when the
// batch happens to have C examples.
func ClassWeights(w ...float64) Option { return classWeightsOpt(w) }

// axis returns the class axis of a rank-r tensor, in [0, r).
func (c *config) axis(logits *graph.Node) int {
	r := logits.Rank()
	a := c.classAxis
	if a < 0 {
		a += r
	}
	if r == 0 || a < 0 || a >= r {
		panicf("%w: class axis %d for logits of shape %s", focal.ErrLayout, c.classAxis, logits.Shape())
	}
	return a
}

// classWeightsFor returns the class weights broadcast along axis a of
// dims, in the working dtype, or nil if none were given.
func (c *config) classWeightsFor(g *graph.Graph, dims []int, a int) *graph.Node {
	if c.classWeights == nil {
		return nil
	}
	if len(c.classWeights) != dims[a] {
		panicf("%w: %d ClassWeights for %d classes (logits %v, class axis %d)", focal.ErrWeight, len(c.classWeights), dims[a], dims, a)
	}
	shape := make([]int, len(dims))
	for i := range shape {
		shape[i] = 1
	}
	shape[a] = dims[a]
	return graph.Reshape(graph.Const(g, c.classWeights), shape...)
}

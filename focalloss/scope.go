package focalloss

import (
	"fmt"
	"math"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/loss"
)

// The hyperparameters the FromScope constructors read from a model.Scope
// (or its parents), as GoMLX's loss.MakeHuberLossFromScope reads
// loss.ParamHuberLossDelta: set them with model.Store.SetParams, or give
// them defaults there and let GoMLX's commandline.ParseSettings set them
// from a --set flag ("focal_loss_gamma=1;focal_loss_normalizer_momentum=0.9").
// Numbers may be any Go integer or float type.
const (
	// ParamAlpha is α (float): the sigmoid forms' α ∈ [0, 1] (0: none),
	// the softmax forms' α on every class (0: none). Default 0.25, except
	// for MakeSoftmaxFromScope: 0.
	ParamAlpha = "focal_loss_alpha"
	// ParamGamma is γ ≥ 0 (float). Default 2.
	ParamGamma = "focal_loss_gamma"
	// ParamReduction is "mean", "sum", "positives" or "none" (string).
	// Default "positives" for the sigmoid forms (the paper's), "mean" for
	// the softmax forms.
	ParamReduction = "focal_loss_reduction"
	// ParamLabelSmoothing is the softmax forms' ε ∈ [0, 1) (float).
	// Default 0.
	ParamLabelSmoothing = "focal_loss_label_smoothing"
	// ParamNormalizerMomentum is the momentum of a Normalizer (float): 0,
	// the default, adds none; Detectron2 uses 0.9.
	ParamNormalizerMomentum = "focal_loss_normalizer_momentum"
	// ParamNormalizerInit is the Normalizer's initial value (float): 0, the
	// default, starts from the first batch's count; Detectron2 uses 100.
	ParamNormalizerInit = "focal_loss_normalizer_init"
)

// MakeSigmoidFromScope is MakeSigmoid with α, γ, the reduction and the
// Normalizer read from the hyperparameters of scope (ParamAlpha, …;
// defaults: the paper's α = 0.25, γ = 2, Positives, no Normalizer). A
// Normalizer given in opts replaces the one the parameters describe. The
// Normalizer's variable lives in scope's sub-scope NormalizerScope.
//
// A parameter of the wrong type or out of range panics, as in GoMLX's
// FromScope constructors, with an error that names it and wraps the core
// package's sentinel.
func MakeSigmoidFromScope(scope *model.Scope, opts ...Option) loss.LossFn {
	p := mustScopeParams(scope, 0.25, focal.Positives)
	s, o := focal.Sigmoid{Alpha: p.alpha, Gamma: p.gamma}, focal.Options{Reduction: p.reduction}
	opts = p.withNormalizer(scope, opts)
	checkScope(scope, Validate(s, o, opts...))
	return asLossFn[focal.Member](Family, s, o, opts)
}

// MakeSparseFromScope is MakeSparse with the hyperparameters and defaults
// of MakeSigmoidFromScope.
func MakeSparseFromScope(scope *model.Scope, opts ...Option) loss.LossFn {
	p := mustScopeParams(scope, 0.25, focal.Positives)
	s, o := focal.Sigmoid{Alpha: p.alpha, Gamma: p.gamma}, focal.Options{Reduction: p.reduction}
	opts = p.withNormalizer(scope, opts)
	checkScope(scope, Validate(s, o, opts...))
	return asLossFn(Sparse, s, o, opts)
}

// MakeSoftmaxFromScope is MakeSoftmax with α (on every class), γ, label
// smoothing, the reduction and the Normalizer read from the hyperparameters
// of scope (defaults: no α, γ = 2, no smoothing, Mean, no Normalizer), and
// PyTorch's ignore index focal.DefaultIgnoreIndex.
func MakeSoftmaxFromScope(scope *model.Scope, opts ...Option) loss.LossFn {
	p := mustScopeParams(scope, 0, focal.Mean)
	s, o := p.softmax(), focal.Options{Reduction: p.reduction}
	s.IgnoreIndex = focal.DefaultIgnoreIndex
	opts = p.withNormalizer(scope, opts)
	checkScope(scope, ValidateSoftmax(s, o, opts...))
	return asLossFn(Softmax, s, o, opts)
}

// MakeCategoricalFromScope is MakeCategorical with the hyperparameters of
// MakeSoftmaxFromScope and Keras' defaults: α = 0.25, γ = 2, no smoothing,
// Mean, no Normalizer.
func MakeCategoricalFromScope(scope *model.Scope, opts ...Option) loss.LossFn {
	p := mustScopeParams(scope, 0.25, focal.Mean)
	s, o := p.softmax(), focal.Options{Reduction: p.reduction}
	opts = p.withNormalizer(scope, opts)
	checkScope(scope, ValidateSoftmax(s, o, opts...))
	return asLossFn(Categorical, s, o, opts)
}

// scopeParams are the hyperparameters of one FromScope call.
type scopeParams struct {
	alpha, gamma, smoothing, momentum, init float64
	reduction                               focal.Reduction
}

func (p scopeParams) softmax() focal.Softmax {
	s := focal.Softmax{Gamma: p.gamma, LabelSmoothing: p.smoothing}
	if p.alpha != 0 {
		s.Alpha = []float64{p.alpha}
	}
	return s
}

// withNormalizer appends the Normalizer the parameters describe to opts,
// unless opts has one or the momentum is 0.
func (p scopeParams) withNormalizer(scope *model.Scope, opts []Option) []Option {
	if p.momentum == 0 {
		return opts
	}
	for _, o := range opts {
		if _, ok := o.(Normalizer); ok {
			return opts
		}
	}
	n := Normalizer{Momentum: p.momentum, Init: p.init, Scope: scope.At(NormalizerScope)}
	return append(append([]Option(nil), opts...), n)
}

// mustScopeParams reads the hyperparameters of scope, with the given
// defaults for α and the reduction, and panics on a bad one.
func mustScopeParams(scope *model.Scope, alpha float64, reduction focal.Reduction) scopeParams {
	if scope == nil {
		panic(fmt.Errorf("%w: nil model.Scope", focal.ErrParam))
	}
	p := scopeParams{reduction: reduction}
	var err error
	number := func(key string, def float64) float64 {
		v, e := scopeNumber(scope, key, def)
		if err == nil {
			err = e
		}
		return v
	}
	p.alpha = number(ParamAlpha, alpha)
	p.gamma = number(ParamGamma, 2)
	p.smoothing = number(ParamLabelSmoothing, 0)
	p.momentum = number(ParamNormalizerMomentum, 0)
	p.init = number(ParamNormalizerInit, 0)
	if v, ok := scope.GetParam(ParamReduction); ok && err == nil {
		name, isString := v.(string)
		if !isString {
			err = fmt.Errorf("%w: %s = %v (%T), want a string", focal.ErrReduction, ParamReduction, v, v)
		} else if p.reduction, err = focal.ParseReduction(name); err != nil {
			err = fmt.Errorf("%s = %q: %w", ParamReduction, name, err)
		}
	}
	checkScope(scope, err)
	return p
}

// scopeNumber returns the number key of scope, or def if it is not set.
func scopeNumber(scope *model.Scope, key string, def float64) (float64, error) {
	v, ok := scope.GetParam(key)
	if !ok {
		return def, nil
	}
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case int32:
		f = float64(x)
	default:
		return 0, fmt.Errorf("%w: %s = %v (%T), want a number", focal.ErrParam, key, v, v)
	}
	if math.IsNaN(f) {
		return 0, fmt.Errorf("%w: %s = NaN", focal.ErrParam, key)
	}
	return f, nil
}

// checkScope panics with err, if any, naming the scope whose
// hyperparameters it is about.
func checkScope(scope *model.Scope, err error) {
	if err != nil {
		panic(fmt.Errorf("focalloss: hyperparameters of scope %q: %w", scope.Scope(), err))
	}
}

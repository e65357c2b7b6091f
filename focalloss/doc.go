// Package focalloss provides the focal losses of package
// github.com/focalgo/focal as GoMLX graph functions and as GoMLX loss
// functions (loss.LossFn, what train.Trainer takes), for
// github.com/gomlx/gomlx v0.28.2 on any backend, including the pure-Go one.
//
// # Backends
//
// GoMLX runs a graph on a backend that the program links in. The pure-Go
// backend needs no C library and no download:
//
//	import _ "github.com/gomlx/compute/gobackend"
//
// GoMLX's own default, github.com/gomlx/gomlx/backends/default, links the
// XLA backend too, which installs its plugins on first use and fails without
// network access; build with -tags noxla to leave it out, or set
// GOMLX_BACKEND=go to pick the pure-Go backend at run time.
//
// # Loss functions
//
// The common cases are values, used as GoMLX's loss.BinaryCrossentropyLogits
// is:
//
//	BinaryFocal             the paper's sigmoid focal loss: α = 0.25, γ = 2, / #positives
//	BCE                     binary cross-entropy on logits (γ = 0, no α)
//	CategoricalFocal        Keras' CategoricalFocalCrossentropy: one-hot or soft labels
//	SparseCategoricalFocal  softmax focal loss, γ = 2, on integer labels
//
// Others are made by MakeSigmoid, MakeFamily (any member of the focal
// family: Poly-1, asymmetric, quality, varifocal, FL*, γ-scheduled, reduced,
// Gaussian), MakeSparse (detection heads: one label per row of sigmoid
// logits), MakeSoftmax (integer labels), MakeCategorical (one-hot or soft
// labels) and MakeBalancedBCE, from the core package's parameter structs
// and focal.Options; the FromScope variants read α, γ, the reduction, label
// smoothing and the Normalizer's momentum from the hyperparameters of a
// model.Scope (ParamAlpha, …), so that a GoMLX program's --set flag tunes
// them. A loss.LossFn follows GoMLX's conventions: labels[0] are the
// targets (labels), predictions[0] the logits, and labels may carry two
// optional extra tensors, in any order: float weights and a bool mask (true
// = use), with the shape of the targets (softmax: of the label positions) or
// a prefix of it. train.Trainer takes the mean of what a LossFn returns, so
// with Reduction None it trains on the mean over all elements, masked ones
// included as zeros.
//
// # Graph functions
//
// Sigmoid, Family, Sparse, Softmax and Categorical build the loss into a
// graph, with GoMLX's argument order for graph functions: logits first, then
// targets or labels, then the parameters. Their result is reduced as the
// focal.Options' Reduction says, exactly as focal.Total.Value:
//
//	None       not reduced: the per-element (softmax: per-position) losses
//	           wᵢ·FLᵢ, 0 where masked, with the shape of the targets (labels)
//	Sum        a scalar, Σ wᵢ·FLᵢ
//	Mean       a scalar, Σ wᵢ·FLᵢ / (number of unmasked elements; 1 if none)
//	Positives  a scalar, Σ wᵢ·FLᵢ / max(1, number of unmasked positives)
//
// A positive Options.Normalizer replaces the divisor of Mean and Positives,
// so that the autodiff gradient is the one the core package's Normalizer
// gives; a Normalizer option computes it in the graph instead, as an
// exponential moving average of the counts kept in a variable (RetinaNet's
// loss_normalizer) and, in distributed training, all-reduced over the
// devices. ClipHessian and MinHessian have no meaning here (autodiff gives
// gradients) and are ignored: for Newton steps and gradient boosting use the
// core package, whose Hess output they clip.
//
// Options add what a graph has beyond the core's parameters: Weights and a
// Mask (graph functions only), ClassAxis (PyTorch's [N, C, H, W] is
// ClassAxis(1)), ClassWeights (one per class, broadcast along the class
// axis) and the Normalizer.
//
// The value and the autodiff gradient equal those of focal.Loss,
// focal.SparseLoss and focal.SoftmaxLoss within 1e-9 relative in float64 and
// 1e-5 in float32 (the tests check it on random and extreme logits, for
// every reduction, with weights and masks; gradients that cancel, such as
// σ(x) − y near σ(x) = y, within 1e-15 absolute, the rounding of both).
//
// Class weights (focal.ClassBalancedWeights) are Softmax.Alpha or the
// ClassWeights option.
//
// # Numerics
//
// Float32 (and narrower) inputs are computed in float64 and the result
// converted back, so that values and gradients agree with the core
// package's to float32 rounding even near underflow, where float32's
// exp(γ·log m) would lose digits; the loss is a few dozen element-wise
// operations per logit, small next to any model.
//
// The sigmoid loss never forms log σ(x). It is written as in the core
// package's kernels, with softplus in the stable form of
// TensorFlow's sigmoid_cross_entropy_with_logits
// (https://www.tensorflow.org/api_docs/python/tf/nn/sigmoid_cross_entropy_with_logits):
//
//	−log(1 − p) = softplus(x)  = max(x, 0) + log1p(e^(−|x|))
//	−log p      = softplus(−x) = max(0, −x) + log1p(e^(−|x|))
//	(1 − pₜ)^γ  = exp(γ·log(1 − pₜ)), log(1 − pₜ) = −softplus(±x) for hard
//	              targets, a log-sum-exp of the two for soft ones;
//	              (1 − pₜ)·…·(1 − pₜ) for integer γ ≤ 8
//
// The focusing factor is differentiated through its logarithm, whose
// derivative is bounded (−p or 1 − p), never through pow(1 − pₜ, γ − 1),
// which is Inf at saturated logits for γ < 1 and would give Inf·0 = NaN.
// GoMLX sends the gradient of a Max tie, and of |x| at 0, to the first
// operand's side (+1): the operands above are ordered so that both
// softplus terms have the exact derivative at x = 0, which the tests check.
//
// The softmax loss follows the core package's softmax kernel: with
// m = max_c x_c held constant for autodiff, e_c = e^(x_c − m) and k* the most
// likely class,
//
//	log p_c  = x_c − m − log1p(S − 1),  S − 1 = Σ_{c≠k*} e_c + (e_k* − 1)
//	1 − p_k* = Σ_{c≠k*} e_c / S,  1 − p_c = 1 − e_c/S (≥ ½) for c ≠ k*
//
// so that neither values nor autodiff derivatives cancel (1 + tiny is never
// formed and subtracted), and the focusing factor is set to its limit 0
// where 1 − p_c underflows.
//
// # Errors
//
// Graph functions panic on bad parameters or shapes (GoMLX reports the
// panic as the error of the graph's execution, and train.Trainer's
// TrainStep returns it); the error wraps the core package's sentinel
// (focal.ErrGamma, …). The Make constructors panic with the same errors
// when they are called, as GoMLX's do; Validate and ValidateSoftmax return
// them, for parameters that come from users. Data are not checked inside a
// graph: targets outside [0, 1] or labels
// outside [0, C) other than the ignore index give a meaningless loss, not an
// error; check them before training (the core package's functions do).
package focalloss

// Package gomlx provides the focal losses of package focal as GoMLX graph
// functions and as GoMLX loss functions (loss.LossFn, the type
// train.Trainer takes), for github.com/gomlx/gomlx v0.28.2 on any backend,
// including the pure-Go one (github.com/gomlx/compute/gobackend).
//
// # Graph functions
//
// SigmoidFocalLoss, SigmoidFocalLossWeighted, SparseFocalLoss (detection
// heads: one integer label per row of sigmoid logits), SoftmaxFocalLoss,
// SoftmaxFocalLossWeighted, FamilyLoss and FamilyLossWeighted (every member
// of the core package's focal family: Poly-1, asymmetric, quality,
// varifocal, FL*, γ-scheduled, reduced and Gaussian focal loss; the softmax
// form with label smoothing or an FLSD γ schedule) build the loss into a
// graph. Their result is reduced as the focal.Options' Reduction says,
// exactly as focal.Total.Value:
//
//	None       not reduced: the per-element (softmax: per-position) losses
//	           wᵢ·FLᵢ, 0 where masked, with the shape of the targets (labels)
//	Sum        a scalar, Σ wᵢ·FLᵢ
//	Mean       a scalar, Σ wᵢ·FLᵢ / (number of unmasked elements; 1 if none)
//	Positives  a scalar, Σ wᵢ·FLᵢ / max(1, number of unmasked positives)
//
// A positive Normalizer replaces the divisor of Mean and Positives, so that
// the autodiff gradient is the one the core package's Normalizer gives.
// ClipHessian and MinHessian have no meaning here (autodiff gives
// gradients) and are ignored.
//
// The value and the autodiff gradient equal those of focal.Loss,
// focal.SparseLoss and focal.SoftmaxLoss within 1e-9 relative in float64 and
// 1e-5 in float32 (the tests check it on random and extreme logits, for
// every reduction, with weights and masks; gradients that cancel, such as
// σ(x) − y near σ(x) = y, within 1e-15 absolute, the rounding of both).
//
// # Loss functions
//
// SigmoidFocal, SoftmaxFocal, Family, BalancedBCE and BCE return
// loss.LossFn values that follow GoMLX's conventions (see
// gomlx/ml/train/loss): labels[0] are the targets, predictions[0] the
// logits, and labels may carry two optional
// extra tensors, in any order: float weights and a bool mask (true = use),
// with the shape of the targets or a prefix of it (per-example weights are
// broadcast over the trailing axes). Where both are given, masked weights
// count as 0, as in loss.CheckExtraLabelsForWeightsAndMask. train.Trainer
// takes the mean of what a LossFn returns, so with Reduction None it trains
// on the mean over all elements, masked ones included as zeros.
//
// Class weights (focal.ClassBalancedWeights) are Softmax.Alpha for the
// softmax loss; for the sigmoid losses pass them as weights broadcast to
// the logits' shape [..., C].
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
// kernel (internal/kernel.SigmoidElem), with softplus in the stable form of
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
// The softmax loss follows the core kernel (internal/kernel.SoftmaxGo): with
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
// Graph functions panic on bad parameters or shapes (GoMLX reports the
// panic as the error of the graph's execution); the error wraps the core
// package's sentinel (focal.ErrGamma, …). Constructors return such errors.
// Data are not checked inside a graph: targets outside [0, 1] or labels
// outside [0, C) other than the ignore index give a meaningless loss, not an
// error; check them before training (the core package's functions do).
package focalloss

// Package focal computes the focal loss of Lin, Goyal, Girshick, He and
// Dollár, "Focal Loss for Dense Object Detection" (ICCV 2017), with its
// gradient and Hessian diagonal, in fused passes over caller-owned slices.
//
// # The loss
//
// Focal loss scales cross-entropy by a factor that vanishes for
// well-classified examples, so that the many easy negatives of dense
// detection stop swamping the few hard positives:
//
//	FL(pₜ) = −αₜ (1 − pₜ)^γ log pₜ
//
// Sigmoid form (SigmoidFocal, SparseFocal), per logit x and target y ∈ [0, 1]:
//
//	p  = σ(x),  pₜ = y·p + (1 − y)(1 − p),  αₜ = y·α + (1 − y)(1 − α)
//
// γ = 0 is α-balanced binary cross-entropy; γ = 2, α = 0.25 are the paper's
// choice. For soft targets the loss is torchvision's αₜ (1 − pₜ)^γ·BCE(x, y).
//
// Softmax form (SoftmaxFocal), per position with logits x_c and label y:
//
//	p = softmax(x),  FL = −α_y (1 − p_y)^γ log p_y
//
// and with label smoothing ε the target q = (1 − ε)·onehot(y) + ε/C gives
// FL = −Σ_c α_c q_c (1 − p_c)^γ log p_c (Keras' convention).
//
// # Derivatives
//
// For the sigmoid form, with m = 1 − pₜ, ce = −log pₜ (BCE with logits) and
// r = ∂m/∂x / m = (1 − 2y)·p(1 − p)/m:
//
//	∂FL/∂x   = αₜ m^γ [γ r ce + (p − y)]
//	∂²FL/∂x² = αₜ m^γ [γ(γ−1) r² ce + γ r (1 − 2p) ce + 2γ r (p − y) + p(1 − p)]
//
// r lies in [−1, 1], so these stay finite where the textbook forms multiply
// (1 − pₜ)^(γ−1) → ∞ by 0 (0 < γ < 1 at saturated logits, where PyTorch's
// autograd returns NaN: kornia#918, optax#1267). For the softmax form with
// B_c = p_c ∂f_c/∂p_c: ∂L/∂x_k = B_k − p_k Σ_c B_c; the Hessian diagonal is
// given in the kernel's documentation. The Hessian diagonal is negative for
// hard examples when γ > 0 (the loss is not convex in x there): the
// ClipHessian options give max(h, 0) for Newton steps and gradient boosting
// (as Imbalance-XGBoost needs).
//
// # Numerics
//
// log pₜ is −softplus(−xₜ) from one e = exp(−|x|) and one log1p(e), never
// log(σ(x)); (1 − pₜ)^γ is exp(γ log(1 − pₜ)) in log space, or repeated
// multiplication for integer γ ≤ 8. Loss, gradient and Hessian are finite
// for every finite logit (±MaxFloat, ±0, subnormals) and every γ ≥ 0. A NaN
// logit gives NaN outputs for its own element only. float32 inputs are
// computed in float64 and rounded once.
//
// # Outputs and reductions
//
// Outputs holds up to three destinations, each nil (not computed) or of the
// documented length; a pass writes nothing unless every argument is valid.
// Loss receives per-element losses whatever the reduction; Grad and Hess
// the derivatives of the reduced loss (of the sum for None). The returned
// Total carries the sum and the counts: Total.Reduce gives the reduced
// value, and Totals of shards Merge into that of the whole batch; the
// Normalizer options give each shard's gradient its share of the global
// one.
//
// Above 16384 elements a pass runs on all GOMAXPROCS in chunks whose
// boundaries depend only on the length, and partial sums are added in chunk
// order: results are bit-identical whatever the number of goroutines. The
// steady state allocates nothing.
//
// # Conventions
//
// Libraries disagree on α and on what "mean" divides by:
//
//	                    α weights            α default   mean divides by
//	focal (Sigmoid)     y=1: α, y=0: 1−α     0.25        elements (Positives: max(1, #positives))
//	torchvision         y=1: α, y=0: 1−α     0.25        elements (alpha < 0: off)
//	Detectron           y=1: α, y=0: 1−α     0.25        number of foreground anchors
//	mmcv (sigmoid)      y=1: α, y=0: 1−α     0.25        rows N (Sum, then divide by N)
//	mmcv (softmax)      every class: α       0.25        rows N
//	Keras (binary)      y=1: α, y=0: 1−α     0.25 if apply_class_balancing, else off
//	Keras (categorical) every class: α       0.25        elements (batch)
//	focal (Softmax)     α_y per class        off         non-ignored labels
//
// To reproduce mmcv's sigmoid mean, call with Sum and divide Total.Sum by N;
// Keras' categorical loss is Softmax{Alpha: []float64{0.25}}.
package focal

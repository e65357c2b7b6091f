// Package focal computes the focal loss of Lin, Goyal, Girshick, He and
// Dollár, "Focal Loss for Dense Object Detection" (ICCV 2017), and the
// members of its family, with their gradient and Hessian diagonal, in fused
// passes over caller-owned slices.
//
// # The loss
//
// Focal loss scales cross-entropy by a factor that vanishes for
// well-classified examples, so that the many easy negatives of dense
// detection stop swamping the few hard positives:
//
//	FL(pₜ) = −αₜ (1 − pₜ)^γ log pₜ
//
// γ = 0 is α-balanced cross-entropy; γ = 2, α = 0.25 are the paper's
// choice, with the sum divided by the number of positives.
//
// # Three forms, one call each
//
//	Loss         element-wise: one target per logit (binary, multi-label,
//	             dense detection), for any Member of the family
//	SparseLoss   sigmoid logits [N, C] of a detection head and one class
//	             label per row, without forming one-hot targets
//	SoftmaxLoss  multi-class logits [N, C, d…] or [N, C] and integer labels
//
// Each takes the loss's parameters (a Member, or Softmax), the Options
// every form shares (the reduction, the normaliser, Hessian clipping), the
// Outputs to write and the input, and returns the Total:
//
//	x := []float64{3, -2, 0.5, -4}
//	y := []float64{1, 0, 0, 1}
//	grad := make([]float64, len(x))
//	tot, err := focal.Loss(focal.Sigmoid{Alpha: 0.25, Gamma: 2},
//		focal.Options{Reduction: focal.Positives},
//		focal.Outputs[float64]{Grad: grad}, focal.Input[float64]{Logits: x, Targets: y})
//	// tot.Value() is the loss, grad its gradient.
//
// Every parameter struct's zero value is a usable loss — cross-entropy —
// so that focal.Sigmoid{Gamma: 2} is focal loss without α, and Options{}
// the mean over the elements. Kind.Default gives each member's reference
// parameters.
//
// # The family
//
// Sigmoid (focal loss), Poly1 (PolyLoss), Asymmetric (ASL), Quality (GFL's
// QFL), Varifocal (VarifocalNet), FLStar (the paper's appendix), Scheduled
// (FLSD), Reduced (reduced focal loss) and Gaussian (CornerNet's heatmap
// focal loss) are Members: Loss computes any of them. Each type's
// documentation gives its formula, its derivatives, its special cases and
// the reference implementation it is tested against. Kinds, ParseKind and
// NewMember name and build them from strings, for command lines.
//
// # Derivatives
//
// Grad and Hess are the gradient and the Hessian diagonal of the reduced
// loss with respect to the logits. They are formed from bounded ratios
// (for the sigmoid form r = m′/m ∈ [−1, 1] with m = 1 − pₜ) so that they
// stay finite where the textbook forms multiply (1 − pₜ)^(γ−1) → ∞ by 0
// (0 < γ < 1 at saturated logits, where PyTorch's autograd returns NaN:
// kornia#918, optax#1267). The Hessian diagonal is negative for hard
// examples when γ > 0 (the loss is not convex in x there):
// Options.ClipHessian and Options.MinHessian floor it for Newton steps and
// gradient boosting.
//
// # Numerics
//
// log pₜ is −softplus(−xₜ) from one e = exp(−|x|) and one log1p(e), never
// log(σ(x)); (1 − pₜ)^γ is exp(γ log(1 − pₜ)) in log space, or repeated
// multiplication for integer γ ≤ 8. Loss, gradient and Hessian are finite
// for every finite logit (±MaxFloat, ±0, subnormals) and every valid
// parameter. A NaN logit gives NaN outputs for its own element only.
// float32 inputs are computed in float64 (or, on the vectorized kernels, to
// within 2 ulp in float32 lanes) and rounded once.
//
// # Outputs and reductions
//
// Outputs holds up to three destinations, each nil (not computed) or of the
// documented length; a call writes nothing unless every argument is valid,
// and bad arguments return an error wrapping one of the sentinel errors
// (ErrLength, ErrTarget, …) that names the argument and, for data, the
// first offending index. Loss receives per-element losses whatever the
// reduction. The Total carries the sum, the counts and the reduction: its
// Value is the reduced loss, and the Totals of the shards of a batch Merge
// into that of the whole; Options.Normalizer gives each shard's gradient
// its share of the global one.
//
// Above 16384 elements a call runs on all GOMAXPROCS in chunks whose
// boundaries depend only on the length, and partial sums are added in chunk
// order: results are bit-identical whatever the number of goroutines. The
// steady state allocates nothing. The sigmoid form runs on AVX-512 or AVX2
// kernels where the CPU has them (GODEBUG=cpu.avx512f=off or cpu.avx2=off
// steps down; the purego build tag keeps to Go).
//
// # Conventions
//
// Libraries disagree on α and on what "mean" divides by:
//
//	                    α weights            α default   mean divides by
//	focal (Sigmoid)     y=1: α, y=0: 1−α     0 = none    elements (Positives: max(1, #positives))
//	torchvision         y=1: α, y=0: 1−α     0.25        elements (alpha < 0: none)
//	Detectron           y=1: α, y=0: 1−α     0.25        number of foreground anchors
//	mmcv (sigmoid)      y=1: α, y=0: 1−α     0.25        rows N (Sum, then divide by N)
//	mmcv (softmax)      every class: α       0.25        rows N
//	Keras (binary)      y=1: α, y=0: 1−α     0.25 if apply_class_balancing, else none
//	Keras (categorical) every class: α       0.25        elements (batch)
//	focal (Softmax)     α_y per class        none        non-ignored labels
//
// torchvision's alpha < 0 is Alpha 0 here; its alpha = 0 (positives
// unweighted) has no counterpart. To reproduce mmcv's sigmoid mean, use
// Sum and divide Total.Sum by N; Keras' categorical loss is
// Softmax{Alpha: []float64{0.25}}.
package focal

// Package focal computes the focal loss of Lin et al., "Focal Loss for
// Dense Object Detection" (ICCV 2017), FL(pₜ) = −αₜ (1 − pₜ)^γ log pₜ, and
// the members of its family, with their gradient and Hessian diagonal, in
// fused passes over caller-owned slices.
//
// Three calls cover every form: Loss (one target per logit, for any Member
// of the family), SparseLoss (a detection head's [N, C] sigmoid logits and
// one class label per row) and SoftmaxLoss (multi-class logits [N, C, d…]
// or [N, C] and integer labels). Each takes the loss's parameters, the
// Options all forms share, the Outputs to write (nil slices are not
// computed) and the input, and returns a Total that knows its reduction:
//
//	grad := make([]float64, len(x))
//	tot, err := focal.Loss(focal.Sigmoid{Alpha: 0.25, Gamma: 2},
//		focal.Options{Reduction: focal.Positives},
//		focal.Outputs[float64]{Grad: grad}, focal.Input[float64]{Logits: x, Targets: y})
//	// tot.Value() is the paper's loss, grad its gradient.
//
// Every parameter struct's zero value is cross-entropy, so focal.Sigmoid{Gamma:
// 2} is focal loss without α and Options{} the mean; Kind.Default gives each
// member's reference parameters. Each member's documentation gives its
// formula, derivatives, special cases and the reference code it is tested
// against.
//
// Loss, gradient and Hessian are finite for every finite logit and valid
// parameter: log pₜ is −softplus(−xₜ), never log(σ(x)), and the derivatives
// are formed from bounded ratios (also at 0 < γ < 1, where autograd through
// the textbook form gives NaN). A NaN logit gives NaN for its element only.
// float32 is computed in float64, or within 2 ulp on the vectorized kernels.
//
// A call writes nothing unless every argument is valid; bad arguments return
// an error wrapping a sentinel (ErrLength, ErrTarget, …) naming the argument
// and the first offending index. Totals of the shards of a batch Merge into
// the whole, and Options.Normalizer gives each shard its part of the global
// gradient. Large calls run on all GOMAXPROCS with results bit-identical for
// any number of goroutines; the steady state allocates nothing; the sigmoid
// form uses AVX-512 or AVX2 where the CPU has them (GODEBUG=cpu.avx512f=off
// or cpu.avx2=off steps down, the purego build tag keeps to Go).
//
// α weights positives by α and negatives by 1 − α, as torchvision; α = 0 is
// no α (torchvision's alpha < 0). The README compares the conventions of
// torchvision, Detectron2, mmcv and Keras.
package focal

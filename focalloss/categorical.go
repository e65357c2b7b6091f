package focalloss

import (
	"slices"

	"github.com/focalgo/focal"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
)

// Categorical returns the softmax focal loss of logits against a target
// distribution per position — one-hot or soft labels (mixup, distillation,
// labels smoothed beforehand) — with the logits' shape:
//
//	FL = −Σ_c α_c q_c (1 − p_c)^γ log p_c,  p = softmax(x) over the class axis,
//	q = (1 − ε)·t + ε/C,
//
// Keras' CategoricalFocalCrossentropy(from_logits=True) with s.Alpha as its
// alpha (Keras' default is Alpha []float64{0.25}, Gamma 2), s.LabelSmoothing
// as its label_smoothing, and Mean as its sum_over_batch_size. For one-hot
// targets it equals Softmax on their labels; GoMLX's
// CategoricalCrossEntropyLogits is the zero-value focal.Softmax.
//
// The class axis is the last unless ClassAxis says otherwise; Weights and
// Mask options are per position (the logits' shape without the class axis,
// or a prefix of it). Positives counts the positions whose most likely
// target class is not s.Background. s.IgnoreIndex is not used (give a Mask).
// With s.Schedule, γ = γ(p_t) with p_t = Σ_c t_c p_c, the label's
// probability for one-hot targets.
//
// Targets are not checked in the graph: they should be ≥ 0 and sum to 1
// over the classes.
func Categorical(logits, targets *graph.Node, s focal.Softmax, o focal.Options, opts ...Option) *graph.Node {
	return softmaxLoss(logits, s, o, opts, func(dims []int, a int) (t, keep, positives *graph.Node) {
		if !slices.Equal(targets.Shape().Dimensions, dims) {
			panicf("%w: targets have shape %s, want the logits' %v", focal.ErrLength, targets.Shape(), dims)
		}
		t = graph.ConvertDType(targets, work)
		positives = graph.NotEqual(graph.ArgMax(t, a, dtypes.Int64), graph.Scalar(t.Graph(), dtypes.Int64, int64(s.Background)))
		return t, nil, positives
	})
}

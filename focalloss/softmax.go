package focalloss

import (
	"fmt"
	"math"
	"slices"

	"github.com/focalgo/focal"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
)

// Softmax returns the softmax (multi-class) focal loss
//
//	FL = −Σ_c α_c q_c (1 − p_c)^γ log p_c,  p = softmax(x) over the class axis,
//	q = (1 − ε)·onehot(y) + ε/C,
//
// which for ε = 0 is −α_y (1 − p_y)^γ log p_y, of logits [..., C] (class
// axis last; ClassAxis(1) for PyTorch's [N, C, H, W]) against integer labels
// with the logits' shape without the class axis, or with 1 there (GoMLX's
// [..., 1]), reduced per o.Reduction (None: one loss per label position;
// the others a scalar, Mean over the labels that are not ignored,
// Positives over those that are not s.Background). Labels equal to
// s.IgnoreIndex, when it lies outside [0, C), add nothing to the loss, the
// counts or the gradient. The result has logits' dtype. Weights and Mask
// options are per position (the labels' shape or a prefix of it);
// ClassWeights multiply s.Alpha.
//
// With s.Schedule, γ = γ(p_y) per position, a constant for autodiff (FLSD).
//
// It equals focal.SoftmaxLoss(s, o, …) with focal.ClassLast or
// focal.ClassSecond in value and, under autodiff, in gradient. Bad
// parameters or shapes panic with an error wrapping the core package's
// sentinel (focal.ErrAlpha, focal.ErrLayout, …).
//
// Special cases are:
//
//	a NaN logit makes its position's loss NaN
//	every finite logit gives a finite loss and gradient, for every γ ≥ 0
//	a −Inf logit (a masked-out class) has p = 0; its term is as in the core,
//	0 for a class of weight 0, and its own gradient is 0 (the core's is
//	−α_c q_c for a weighted class)
//	a +Inf logit gives NaN, where the core takes limits
func Softmax(logits, labels *graph.Node, s focal.Softmax, o focal.Options, opts ...Option) *graph.Node {
	return softmaxLoss(logits, s, o, opts, func(dims []int, a int) (onehot, keep, positives *graph.Node) {
		y := positionLabels(labels, dims, a)
		g := y.Graph()
		if ign := int64(s.IgnoreIndex); ign < 0 || ign >= int64(dims[a]) {
			keep = graph.NotEqual(y, graph.Scalar(g, dtypes.Int64, ign))
		}
		onehot = graph.ConvertDType(oneHot(y, dims, a), work)
		positives = graph.NotEqual(y, graph.Scalar(g, dtypes.Int64, int64(s.Background)))
		return onehot, keep, positives
	})
}

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

// checkSoftmax validates s, o and the options through the core package,
// for C classes, and returns the class weights α_c·w_c (nil: all 1).
func checkSoftmax(s focal.Softmax, o focal.Options, c *config, C int) ([]float64, error) {
	_, err := focal.SoftmaxLoss(s, o, focal.Outputs[float64]{}, focal.SoftmaxInput[float64, int64]{Layout: focal.ClassLast(0, C)})
	if err != nil {
		return nil, err
	}
	if err := checkOptions(o, c); err != nil {
		return nil, err
	}
	if c.classWeights != nil && len(c.classWeights) != C {
		return nil, fmt.Errorf("%w: %d ClassWeights for %d classes", focal.ErrWeight, len(c.classWeights), C)
	}
	if len(s.Alpha) == 0 && c.classWeights == nil {
		return nil, nil
	}
	w := make([]float64, C)
	for i := range w {
		w[i] = 1
		switch len(s.Alpha) {
		case 0:
		case 1:
			w[i] = s.Alpha[0]
		default:
			w[i] = s.Alpha[i]
		}
		if c.classWeights != nil {
			w[i] *= c.classWeights[i]
		}
	}
	return w, nil
}

// softmaxLoss is the driver of the softmax forms. It reads opts and checks
// s and o for logits, then asks targets, given the logits' dimensions and
// class axis a, for the target distribution raw (working dtype, the
// logits' shape), the positions to keep (nil: all) and the positions
// Positives counts. It applies the class weights to the losses of logits
// against raw, and the options' weights and mask per position, and counts
// and reduces as focal.Total does.
func softmaxLoss(logits *graph.Node, s focal.Softmax, o focal.Options, opts []Option,
	targets func(dims []int, a int) (raw, keep, positives *graph.Node)) *graph.Node {
	c := mustConfig(opts)
	a := c.axis(logits)
	dims := logits.Shape().Dimensions
	alpha, err := checkSoftmax(s, o, c, dims[a])
	if err != nil {
		panicf("%w", err)
	}
	raw, keep, positives := targets(dims, a)
	x := toWork(logits, "logits")
	w, use := masked(withoutAxis(dims, a), c.weights, c.mask)
	if keep != nil {
		if use == nil {
			use = keep
		} else {
			use = graph.LogicalAnd(use, keep)
		}
		if w != nil {
			w = graph.Where(use, w, graph.ZerosLike(w))
		}
	}
	if use != nil {
		// Left-out positions may hold anything: give them logits and
		// targets 0, so that no NaN reaches the gradient through 0·NaN.
		u := alongClasses(use, dims, a)
		x = graph.Where(u, x, graph.ZerosLike(x))
		raw = graph.Where(u, raw, graph.ZerosLike(raw))
	}
	l := softmaxElems(x, raw, a, alpha, s)
	if w != nil {
		l = graph.Mul(l, w)
	}
	return reduceUsed(l, use, positives, o, c, logits.DType())
}

// softmaxElems returns the unweighted per-position losses of working-dtype
// logits x against the target distribution raw over class axis a (before
// label smoothing), with class weights alpha (nil: none).
func softmaxElems(x, raw *graph.Node, a int, alpha []float64, s focal.Softmax) *graph.Node {
	g := x.Graph()
	dims := x.Shape().Dimensions
	C := dims[a]
	top := oneHot(graph.ArgMax(x, a, dtypes.Int64), dims, a)

	// With m = max_c x_c held constant (the loss is shift-invariant, so the
	// gradient is exact), e_c = e^(x_c − m) ∈ [0, 1] and the most likely
	// class k* has e_k* = 1. S′ = Σ_{c≠k*} e_c, summed directly, and
	// S − 1 = S′ + (e_k* − 1): numerically S′ (e_k* − 1 = 0 exactly), yet it
	// carries e_k*'s derivative, which writing S = 1 + S′ would drop. Then
	//
	//	log p_c = x_c − m − log1p(S − 1)  (no rounding of 1 + S′ away)
	//	1 − p_k* = S′/S,  1 − p_c = 1 − e_c/S ≥ ½ for c ≠ k*,
	//
	// each free of cancellation, and so are their derivatives (the form
	// (S − e_c)/S would differentiate to 1/S − (S − e_c)/S², a difference
	// that rounding makes ~1e-16/S, huge once multiplied by −log p_c ~ 1e30).
	m := graph.StopGradient(graph.ReduceAndKeep(x, graph.ReduceMax, a))
	// Clamped as the core clamps log p, so that a −Inf logit (a masked-out
	// class) gives e_c = 0 and a finite log p_c: its term is 0·(−log p_c) =
	// 0 when the class has no weight, not 0·Inf = NaN. The clamp stops the
	// gradient with respect to that logit only.
	z := graph.Max(graph.Sub(x, m), graph.Scalar(g, work, -math.MaxFloat64))
	e := graph.Exp(z)
	zeros := graph.ZerosLike(e)
	sp := graph.ReduceAndKeep(graph.Where(top, zeros, e), graph.ReduceSum, a)
	eTop := graph.ReduceAndKeep(graph.Where(top, e, zeros), graph.ReduceSum, a)
	sm1 := graph.Add(sp, graph.AddScalar(eTop, -1)) // S − 1
	lp := graph.Sub(z, graph.Log1p(sm1))            // log p_c, finite for finite logits
	S := graph.OnePlus(sm1)

	// t_c = α_c ((1 − ε) raw_c + ε/C).
	t := raw
	if eps := s.LabelSmoothing; eps > 0 {
		t = graph.AddScalar(graph.MulScalar(raw, 1-eps), eps/float64(C))
	}
	if alpha != nil {
		shape := make([]int, len(dims))
		for i := range shape {
			shape[i] = 1
		}
		shape[a] = C
		t = graph.Mul(t, graph.Reshape(graph.Const(g, alpha), shape...))
	}
	f := graph.Mul(t, graph.Neg(lp)) // −t_c log p_c

	if len(s.Schedule.Below) > 0 {
		q := graph.Where(top, graph.BroadcastToDims(graph.Div(sp, S), dims...), graph.OneMinus(graph.Div(e, S)))
		// p_y = Σ_c raw_c p_c: the label's probability for one-hot targets,
		// the targets' expected probability for soft ones.
		py := graph.StopGradient(graph.ReduceSum(graph.Mul(raw, graph.Exp(lp)), a))
		f = graph.Mul(scheduledFocus(q, py, a, s.Schedule), f)
	} else if gm := s.Gamma; gm > 0 {
		q := graph.Where(top, graph.BroadcastToDims(graph.Div(sp, S), dims...), graph.OneMinus(graph.Div(e, S)))
		var w *graph.Node
		if k, ok := intGamma(gm); ok {
			w = q
			for range k - 1 {
				w = graph.Mul(w, q)
			}
		} else {
			// q^γ = exp(γ log q), whose derivative γ q^γ ∂log q is bounded.
			// Where q underflows (the most likely class at a huge margin) the
			// factor is its limit 0: 1/q would be Inf there, and Inf·0 NaN.
			ok := graph.GreaterThan(q, graph.Scalar(g, work, smallestNormal))
			safe := graph.Where(ok, q, graph.OnesLike(q))
			w = graph.Where(ok, graph.Exp(graph.MulScalar(graph.Log(safe), gm)), graph.ZerosLike(q))
		}
		f = graph.Mul(w, f)
	}
	return graph.ReduceSum(f, a)
}

// scheduledFocus returns q^γ with γ = sched(p_y) per position (py, a
// constant for autodiff: piecewise constant, the reference picks it outside
// autograd), broadcast over class axis a: q^γ = exp(γ log q), its limit 0
// where q underflows, and 1 where γ = 0.
func scheduledFocus(q, py *graph.Node, a int, sched focal.GammaSchedule) *graph.Node {
	g := q.Graph()
	gm := graph.BroadcastToDims(graph.Scalar(g, work, sched.Else), py.Shape().Dimensions...)
	for i := len(sched.Below) - 1; i >= 0; i-- {
		below := graph.LessThan(py, graph.Scalar(g, work, sched.Below[i]))
		gm = graph.Where(below, graph.Scalar(g, work, sched.Gammas[i]), gm)
	}
	gb := alongClasses(gm, q.Shape().Dimensions, a)
	ok := graph.GreaterThan(q, graph.Scalar(g, work, smallestNormal))
	safe := graph.Where(ok, q, graph.OnesLike(q))
	zeroGamma := graph.Equal(gb, graph.ZerosLike(gb))
	return graph.Where(ok, graph.Exp(graph.Mul(graph.Log(safe), gb)), graph.Where(zeroGamma, graph.OnesLike(q), graph.ZerosLike(q)))
}

// smallestNormal is the smallest positive normal float64: below it 1/q
// overflows.
const smallestNormal = 0x1p-1022

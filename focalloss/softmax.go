package focalloss

import (
	"math"

	"github.com/focalgo/focal"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	. "github.com/gomlx/gomlx/core/graph"
)

// SoftmaxFocalLoss returns the softmax (multi-class) focal loss
//
//	FL = −Σ_c α_c q_c (1 − p_c)^γ log p_c,  p = softmax(x) over the last axis,
//	q = (1 − ε)·onehot(y) + ε/C,
//
// which for ε = 0 is −α_y (1 − p_y)^γ log p_y, of logits [..., C] (class
// axis last) against integer labels of shape [...] or [..., 1], reduced per
// o.Reduction (None: one loss per label position, shape [...]; the others a
// scalar, Mean over the labels that are not ignored, Positives over those
// that are not s.Background). Labels equal to s.IgnoreIndex, when it lies
// outside [0, C), add nothing to the loss, the counts or the gradient. The
// result has logits' dtype.
//
// With s.Schedule, γ = γ(p_y) per position, a constant for autodiff (FLSD).
//
// It equals focal.SoftmaxLoss(s, o, …) with focal.ClassLast(N, C) in value and,
// under autodiff, in gradient. Bad parameters or shapes panic with an error
// wrapping the core package's sentinel (focal.ErrAlpha, focal.ErrLayout, …).
//
// Special cases are:
//
//	a NaN logit makes its position's loss NaN
//	every finite logit gives a finite loss and gradient, for every γ ≥ 0
//	a −Inf logit (a masked-out class) has p = 0; its term is as in the core,
//	0 for a class of weight 0, and its own gradient is 0 (the core's is
//	−α_c q_c for a weighted class)
//	a +Inf logit gives NaN, where the core takes limits
func SoftmaxFocalLoss(logits, labels *graph.Node, s focal.Softmax, o focal.Options) *graph.Node {
	return SoftmaxFocalLossWeighted(logits, labels, nil, nil, s, o)
}

// SoftmaxFocalLossWeighted is SoftmaxFocalLoss with one weight per label
// position and a bool mask (true = use, GoMLX's convention), either of which
// may be nil; both have the labels' shape [...] or a prefix of it. A masked
// position is treated like an ignored label, whatever its logits and label.
//
// It equals focal.SoftmaxLoss(s, o, …) with SoftmaxInput.Weights w and
// masked labels set to the ignore index.
func SoftmaxFocalLossWeighted(logits, labels, weights, mask *graph.Node, s focal.Softmax, o focal.Options) *graph.Node {
	if logits.Rank() < 1 {
		panicf("%w: logits have shape %s, want [..., C] with the class axis last", focal.ErrLayout, logits.Shape())
	}
	dims := logits.Shape().Dimensions
	C := dims[len(dims)-1]
	if err := checkSoftmax(s, o, C); err != nil {
		panicf("%w", err)
	}
	posDims := dims[:len(dims)-1]
	y := rowLabels(labels, dims)
	g := y.Graph()
	x := toWork(logits, "logits")
	w, use := masked(posDims, weights, mask)
	if ign := int64(s.IgnoreIndex); ign < 0 || ign >= int64(C) {
		keep := NotEqual(y, Scalar(g, dtypes.Int64, ign))
		if use == nil {
			use = keep
		} else {
			use = LogicalAnd(use, keep)
		}
		if w != nil {
			w = Where(use, w, ZerosLike(w))
		}
	}
	if use != nil {
		// Ignored and masked positions may hold anything: give them class 0
		// and logits 0, so that no NaN reaches the gradient through 0·NaN.
		y = Where(use, y, ZerosLike(y))
		x = Where(use, x, ZerosLike(x)) // use is a prefix of x's shape
	}
	l := softmaxElems(x, y, s)
	if w != nil {
		l = Mul(l, w)
	}
	pos := NotEqual(y, Scalar(g, dtypes.Int64, int64(s.Background)))
	var count *Node
	if use != nil {
		l = Where(use, l, ZerosLike(l))
		pos = LogicalAnd(pos, use)
		count = countTrue(use)
	} else {
		count = Scalar(g, work, float64(shapes.Make(work, posDims...).Size()))
	}
	r := reduce(l, count, countTrue(pos), o)
	return fromWork(r, logits.DType(), o.Reduction == focal.None)
}

// checkSoftmax validates s and o through the core package, for C classes.
func checkSoftmax(s focal.Softmax, o focal.Options, C int) error {
	_, err := focal.SoftmaxLoss(s, o, focal.Outputs[float64]{}, focal.SoftmaxInput[float64, int64]{Layout: focal.ClassLast(0, C)})
	return err
}

func equalDims(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// softmaxElems returns the unweighted per-position losses of working-dtype
// logits x [..., C] against int64 labels y [...] in [0, C).
func softmaxElems(x, y *Node, s focal.Softmax) *Node {
	g := x.Graph()
	C := x.Shape().Dimensions[x.Rank()-1]
	classShape := shapes.Make(dtypes.Int64, append(make([]int, x.Rank()-1), C)...)
	for i := range x.Rank() - 1 {
		classShape.Dimensions[i] = 1
	}
	classes := Iota(g, classShape, -1)
	onehot := Equal(InsertAxes(y, -1), classes) // broadcasts to [..., C]
	top := Equal(InsertAxes(ConvertDType(ArgMax(x, -1), dtypes.Int64), -1), classes)

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
	m := StopGradient(ReduceAndKeep(x, ReduceMax, -1))
	// Clamped as the core clamps log p, so that a −Inf logit (a masked-out
	// class) gives e_c = 0 and a finite log p_c: its term is 0·(−log p_c) =
	// 0 when the class has no weight, not 0·Inf = NaN. The clamp stops the
	// gradient with respect to that logit only.
	z := Max(Sub(x, m), Scalar(g, work, -math.MaxFloat64))
	e := Exp(z)
	zeros := ZerosLike(e)
	sp := ReduceAndKeep(Where(top, zeros, e), ReduceSum, -1)
	eTop := ReduceAndKeep(Where(top, e, zeros), ReduceSum, -1)
	sm1 := Add(sp, AddScalar(eTop, -1)) // S − 1
	lp := Sub(z, Log1p(sm1))            // log p_c, finite for finite logits
	S := OnePlus(sm1)

	// t_c = α_c ((1 − ε)[c = y] + ε/C).
	eps := s.LabelSmoothing
	t := AddScalar(MulScalar(ConvertDType(onehot, work), 1-eps), eps/float64(C))
	switch len(s.Alpha) {
	case 0:
	case 1:
		t = MulScalar(t, s.Alpha[0])
	default:
		t = Mul(t, ExpandLeftToRank(Const(g, s.Alpha), t.Rank()))
	}
	f := Mul(t, Neg(lp)) // −t_c log p_c

	if len(s.Schedule.Below) > 0 {
		q := Where(top, BroadcastToDims(Div(sp, S), e.Shape().Dimensions...), OneMinus(Div(e, S)))
		f = Mul(scheduledFocus(q, lp, onehot, s.Schedule), f)
	} else if gm := s.Gamma; gm > 0 {
		q := Where(top, BroadcastToDims(Div(sp, S), e.Shape().Dimensions...), OneMinus(Div(e, S)))
		var w *Node
		if k, ok := intGamma(gm); ok {
			w = q
			for range k - 1 {
				w = Mul(w, q)
			}
		} else {
			// q^γ = exp(γ log q), whose derivative γ q^γ ∂log q is bounded.
			// Where q underflows (the most likely class at a huge margin) the
			// factor is its limit 0: 1/q would be Inf there, and Inf·0 NaN.
			ok := GreaterThan(q, Scalar(g, work, smallestNormal))
			safe := Where(ok, q, OnesLike(q))
			w = Where(ok, Exp(MulScalar(Log(safe), gm)), ZerosLike(q))
		}
		f = Mul(w, f)
	}
	return ReduceSum(f, -1)
}

// scheduledFocus returns q^γ with γ = sched(p_y) per position, a constant
// for autodiff (piecewise constant; the reference picks it outside
// autograd), broadcast over the classes: q^γ = exp(γ log q), its limit 0
// where q underflows, and 1 where γ = 0.
func scheduledFocus(q, lp, onehot *Node, sched focal.GammaSchedule) *Node {
	g := q.Graph()
	py := StopGradient(Exp(ReduceSum(Where(onehot, lp, ZerosLike(lp)), -1)))
	gm := BroadcastToDims(Scalar(g, work, sched.Else), py.Shape().Dimensions...)
	for i := len(sched.Below) - 1; i >= 0; i-- {
		below := LessThan(py, Scalar(g, work, sched.Below[i]))
		gm = Where(below, Scalar(g, work, sched.Gammas[i]), gm)
	}
	gb := BroadcastToDims(InsertAxes(gm, -1), q.Shape().Dimensions...)
	ok := GreaterThan(q, Scalar(g, work, smallestNormal))
	safe := Where(ok, q, OnesLike(q))
	zeroGamma := Equal(gb, ZerosLike(gb))
	return Where(ok, Exp(Mul(Log(safe), gb)), Where(zeroGamma, OnesLike(q), ZerosLike(q)))
}

// smallestNormal is the smallest positive normal float64: below it 1/q
// overflows.
const smallestNormal = 0x1p-1022

package focalloss

import (
	"fmt"
	"math"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Where a Normalizer keeps its moving average: the variable
// NormalizerVariable (Detectron2's attribute name) in Normalizer.Scope or,
// by default, in the scope NormalizerScope of the graph's model.Store, so
// that its full path is "/focal_loss/loss_normalizer".
const (
	NormalizerVariable = "loss_normalizer"
	NormalizerScope    = "focal_loss"
)

// Normalizer is the divisor of the Mean and Positives reductions computed
// in the graph, where focal.Options.Normalizer is a constant: an
// exponential moving average of the batches' counts, kept in a
// non-trainable variable of the model.Store and updated by every training
// step, as RetinaNet's reference implementation (Detectron2,
// modeling/meta_arch/retinanet.py) divides by
//
//	loss_normalizer = m·loss_normalizer + (1 − m)·max(num_pos, 1),  m = 0.9, initially 100,
//
// which Normalizer{Momentum: 0.9, Init: 100} with focal.Positives
// reproduces. With one image per device the number of foreground anchors
// varies a lot from batch to batch; averaging it keeps the loss's scale
// steady. The count is that of the reduction: the positives for Positives,
// the elements (softmax: positions) not masked for Mean.
//
// The zero value divides by max(1, count) of the batch, exactly as the
// reductions do without a Normalizer; with AllReduce that is the count over
// all devices.
//
// Autodiff treats the divisor as a constant. The loss with a Normalizer has
// the value and gradient of the core package's with Options.Normalizer set
// to the divisor of that step.
type Normalizer struct {
	// Momentum m ∈ [0, 1) is the weight of the running value; 0 keeps
	// nothing (no variable: the divisor is the batch's own count).
	Momentum float64
	// Init ≥ 0 is the running value before the first step (Detectron2:
	// 100). 0 starts from the first batch's count.
	Init float64
	// Scope holds the variable NormalizerVariable; nil means the scope
	// NormalizerScope of the graph's model.Store. Give each loss that has
	// its own running count its own scope.
	Scope *model.Scope
	// AllReduce, if not nil, turns the batch's count (a float64 scalar)
	// into the count over every device of a distributed step, e.g.
	//
	//	func(c *Node) *Node { return c.Graph().Distributed().AllReduceOne(c, compute.ReduceOpSum) }
	//
	// so that every replica divides by the same global number (mmdetection
	// and FCOS average the positives across workers this way). Without it
	// each device counts its own shard, as Detectron2's RetinaNet does.
	AllReduce func(count *graph.Node) *graph.Node
}

func (n Normalizer) apply(c *config) error {
	if c.norm != nil {
		return fmt.Errorf("%w: Normalizer given twice", focal.ErrNormalizer)
	}
	if err := n.validate(); err != nil {
		return err
	}
	c.norm = &n
	return nil
}

func (n Normalizer) validate() error {
	if !(n.Momentum >= 0 && n.Momentum < 1) {
		return fmt.Errorf("%w: Normalizer.Momentum = %v (want 0 ≤ m < 1)", focal.ErrNormalizer, n.Momentum)
	}
	if !(n.Init >= 0) || math.IsInf(n.Init, 0) {
		return fmt.Errorf("%w: Normalizer.Init = %v (want finite ≥ 0)", focal.ErrNormalizer, n.Init)
	}
	return nil
}

// Divisor returns the divisor for a batch whose count is count (a numeric
// scalar), as a float64 scalar held constant for autodiff: max(1, count)
// after AllReduce, averaged into the running value when Momentum > 0.
//
// With Momentum > 0 the graph must belong to a model.Store (model.Exec and
// train.Trainer attach one). In a training graph (model.Store.IsTraining,
// which train.Trainer sets) the first call updates the variable and
// returns the new value; later calls in the same graph return that value
// without updating it again, so that a detector's box-regression loss can
// divide by the same number as its classification loss:
//
//	cls := focalloss.Sigmoid(logits, targets, s, o, n) // updates
//	box := Div(boxLossSum, n.Divisor(numPositives))    // the same divisor
//
// Outside training the running value is returned as it is (the batch's
// own count while it is still 0).
func (n Normalizer) Divisor(count *graph.Node) *graph.Node {
	if err := n.validate(); err != nil {
		panic(err)
	}
	if !count.IsScalar() {
		panicf("%w: Normalizer.Divisor of a count of shape %s, want a scalar", focal.ErrNormalizer, count.Shape())
	}
	g := count.Graph()
	c := graph.ConvertDType(count, work)
	if n.AllReduce != nil {
		c = n.AllReduce(c)
		if c == nil || !c.IsScalar() {
			panicf("%w: Normalizer.AllReduce must return a scalar", focal.ErrNormalizer)
		}
		c = graph.ConvertDType(c, work)
	}
	c = graph.StopGradient(graph.MaxScalar(c, 1.0))
	if n.Momentum == 0 {
		return c
	}
	v := n.variable(g)
	old := v.NodeValue(g)
	if v.ChangedInGraph(g) {
		return old
	}
	started := graph.GreaterThan(old, graph.ZerosLike(old))
	if !model.GetStore(g).IsTraining(g) {
		return graph.Where(started, old, c)
	}
	avg := graph.Add(graph.MulScalar(old, n.Momentum), graph.MulScalar(c, 1-n.Momentum))
	next := graph.StopGradient(graph.Where(started, avg, c))
	v.SetNodeValue(next)
	return next
}

// variable returns the running value's variable, creating it with Init.
func (n Normalizer) variable(g *graph.Graph) *model.Variable {
	store := model.GetStore(g)
	if store == nil {
		panicf("%w: a Normalizer with Momentum > 0 keeps its running count in a model.Store variable: "+
			"build the graph with model.Exec or train.Trainer", focal.ErrNormalizer)
	}
	scope := n.Scope
	if scope == nil {
		scope = store.RootScope().At(NormalizerScope)
	} else if scope.Store() != store {
		panicf("%w: Normalizer.Scope belongs to another model.Store than the graph's", focal.ErrNormalizer)
	}
	return scope.VariableWithValue(NormalizerVariable, n.Init).SetTrainable(false)
}

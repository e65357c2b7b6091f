package train

import (
	"github.com/focalgo/focal"
)

// objective is a training loss as a function of a network's logits on a
// fixed set of labelled examples, computed by the core package's fused
// kernels: the value and, in the same pass, the gradient with respect to
// the logits. It is the loss the GoMLX graph of the same lossSpec
// computes (package gomlx is tested against the core).
type objective struct {
	spec lossSpec
	n    int
	// targets are the 0/1 targets of outBinary ([n]) and outSigmoid
	// ([n, C], one-hot); labels the classes of outSoftmax.
	targets []float64
	labels  []int32
	// weights are the per-element class weights (outBinary, outSigmoid),
	// nil for none.
	weights []float64
}

// newObjective binds s to the examples with classes y.
func newObjective(s lossSpec, y []int) *objective {
	o := &objective{spec: s, n: len(y)}
	k := s.outputs()
	switch s.out {
	case outSoftmax:
		o.labels = make([]int32, len(y))
		for i, c := range y {
			o.labels[i] = int32(c)
		}
		return o
	case outBinary:
		o.targets = make([]float64, len(y))
		for i, c := range y {
			o.targets[i] = float64(c)
		}
	case outSigmoid:
		o.targets = make([]float64, len(y)*k)
		for i, c := range y {
			o.targets[i*k+c] = 1
		}
	}
	if s.classW != nil {
		o.weights = make([]float64, len(y)*k)
		for i, c := range y {
			for j := range k {
				o.weights[i*k+j] = s.classW[c]
			}
		}
	}
	return o
}

// eval returns the loss of logits ([n, outputs], row-major) and, when
// grad is not nil, writes its gradient with respect to them into grad.
func (o *objective) eval(logits, grad []float64) (float64, error) {
	out := focal.Outputs[float64]{Grad: grad}
	var (
		t   focal.Total
		err error
	)
	if o.spec.out == outSoftmax {
		t, err = focal.SoftmaxLoss(o.spec.softmax, o.spec.options(), out, focal.SoftmaxInput[float64, int32]{
			Logits: logits, Layout: focal.ClassLast(o.n, o.spec.classes), Labels: o.labels})
	} else {
		t, err = focal.Loss(o.spec.member, o.spec.options(), out, focal.Input[float64]{
			Logits: logits, Targets: o.targets, Weights: o.weights})
	}
	if err != nil {
		return 0, err
	}
	return t.Value(), nil
}

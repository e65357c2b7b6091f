package train

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/ml/train/loss"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/cmd/focal/internal/quote"
	"github.com/focalgo/focal/focalloss"
)

// outputKind is what the network's outputs mean.
type outputKind int

const (
	// outBinary is one logit per example, of the positive class.
	outBinary outputKind = iota
	// outSoftmax is C logits per example under a softmax.
	outSoftmax
	// outSigmoid is C logits per example, each a sigmoid of its class
	// against the rest.
	outSigmoid
)

// lossSpec is a Loss resolved for a task: the core package's parameters,
// the class weights and the reduction, from which both the GoMLX graph
// loss (MLP) and the Go objective (L-BFGS, validation loss) are built, so
// that the two are the same function.
type lossSpec struct {
	out     outputKind
	classes int
	// member is the element-wise loss of outBinary and outSigmoid.
	member focal.Member
	// softmax is the loss of outSoftmax, class weights in its Alpha.
	softmax focal.Softmax
	// classW, when set, weighs every example of class c by classW[c]
	// (outBinary, outSigmoid).
	classW []float64
}

// spec resolves l for a task with the given training examples per class.
// Its errors name the flag at fault.
func (l Loss) spec(binary bool, counts []int) (lossSpec, error) {
	s := lossSpec{out: outBinary, classes: len(counts)}
	softFLSD := l.kind() == focal.KindFLSD && !binary && !l.Sigmoid
	if !binary {
		s.out = outSoftmax
		if l.Sigmoid || (l.kind() != "" && !softFLSD) {
			s.out = outSigmoid
		}
	}
	if e := l.smoothing(); e > 0 && (s.out != outSoftmax || softFLSD) {
		what := "a sigmoid output"
		if softFLSD {
			what = "the FLSD γ schedule"
		}
		return s, fmt.Errorf("--label-smoothing %v: applies to the softmax losses of a multi-class task (bce, balanced, focal), not to %s (--loss %s)", e, what, l.Name)
	}
	if l.kind() != "" && !binary && !l.Sigmoid && !softFLSD {
		return s, fmt.Errorf("--loss %s: a sigmoid loss; give --positive CLASS for a binary task, or --loss %s-sigmoid to train the classes one against the rest", l.Name, l.Name)
	}
	if l.perClass() && len(l.Alphas) != len(counts) {
		return s, fmt.Errorf("--alpha %s: %d values for %d classes (binary: the negatives' weight, then the positives')", quote.Clip(formatList(l.Alphas)), len(l.Alphas), len(counts))
	}
	var w []float64
	switch {
	case l.ClassBalanced:
		c := make([]int64, len(counts))
		for i, n := range counts {
			c[i] = int64(max(n, 1)) // a class absent from training has no effective number
		}
		var err error
		if w, err = focal.ClassBalancedWeights(l.beta(), c); err != nil {
			return s, fmt.Errorf("--class-balanced %v: %s", l.beta(), strings.TrimPrefix(err.Error(), "focal: "))
		}
	case l.perClass():
		w = slices.Clone(l.Alphas)
	case l.Base == "balanced" && !binary:
		w = inverseFrequency(counts)
	}

	if s.out == outSoftmax {
		s.softmax = focal.Softmax{IgnoreIndex: focal.DefaultIgnoreIndex, Alpha: w, LabelSmoothing: l.smoothing()}
		if softFLSD {
			// The member resolves the parameters and their defaults
			// (FLSD-53); the softmax form takes its schedule and α.
			m, err := l.member(nil)
			if err != nil {
				return s, err
			}
			sc := m.(focal.Scheduled)
			s.softmax.Schedule = sc.Schedule
			if w == nil && sc.Alpha > 0 {
				s.softmax.Alpha = []float64{sc.Alpha}
			}
			return s, nil
		}
		if l.Base == "focal" {
			s.softmax.Gamma = l.gamma()
			if w == nil && !math.IsNaN(l.Alpha) {
				s.softmax.Alpha = []float64{l.Alpha}
			}
		}
		return s, nil
	}
	s.classW = w
	switch {
	case l.kind() != "":
		m, err := l.member(w)
		if err != nil {
			return s, err
		}
		s.member = m
	case l.Base == "bce":
		s.member = focal.Sigmoid{}
	default: // balanced, focal
		sg := focal.Sigmoid{}
		if l.Base == "focal" {
			sg.Gamma = l.gamma()
		}
		// Binary α-balancing, or an explicit α on a multi-class sigmoid;
		// class weights replace it.
		if w == nil && (binary || !math.IsNaN(l.Alpha)) {
			sg.Alpha = l.alpha()
		}
		s.member = sg
	}
	return s, nil
}

// member returns the family member of l with its parameters; class
// weights w, when set, replace its α.
func (l Loss) member(w []float64) (focal.Member, error) {
	k := l.kind()
	params := map[string]float64{}
	for _, p := range k.Params() {
		if v, ok := l.memberParam(p); ok {
			params[p] = v
		}
	}
	if w != nil && slices.Contains(k.Params(), "alpha") {
		params["alpha"] = 0 // the class weights replace α
	}
	m, err := focal.NewMember(k, params)
	if err == nil {
		err = m.Validate()
	}
	if err != nil {
		// The command prints "focal: " in front of the whole line once;
		// the focal package's errors start with it too.
		return nil, fmt.Errorf("--loss %s: %s", l.Name, strings.TrimPrefix(err.Error(), "focal: "))
	}
	return m, nil
}

// options returns the reduction: the mean over the examples, which for
// C sigmoid outputs per example is their sum divided by the number of
// examples (the number of positive targets, one per example).
func (s lossSpec) options() focal.Options {
	if s.out == outSigmoid {
		return focal.Options{Reduction: focal.Positives}
	}
	return focal.Options{Reduction: focal.Mean}
}

// outputs returns the number of network outputs.
func (s lossSpec) outputs() int {
	if s.out == outBinary {
		return 1
	}
	return s.classes
}

// lossFn returns the loss as a GoMLX loss function. Its labels are those
// of batchLabels.
func (s lossSpec) lossFn() (loss.LossFn, error) {
	switch {
	case s.out == outSoftmax && s.softmax.Gamma == 0 && s.softmax.Alpha == nil &&
		s.softmax.LabelSmoothing == 0 && len(s.softmax.Schedule.Below) == 0 && s.softmax.Schedule.Else == 0:
		return loss.SparseCategoricalCrossEntropyLogits, nil
	case s.out == outSoftmax:
		if err := focalloss.ValidateSoftmax(s.softmax, s.options()); err != nil {
			return nil, err
		}
		return focalloss.MakeSoftmax(s.softmax, s.options()), nil
	case s.out == outBinary && s.member == focal.Member(focal.Sigmoid{}):
		return focalloss.BCE, nil
	}
	if err := focalloss.Validate(s.member, s.options()); err != nil {
		return nil, err
	}
	return focalloss.MakeFamily(s.member, s.options()), nil
}

// inverseFrequency returns w_c = N/(C·N_c) (1 for an absent class): the
// weights under which every class carries the same total weight.
func inverseFrequency(counts []int) []float64 {
	n := 0
	for _, c := range counts {
		n += c
	}
	w := make([]float64, len(counts))
	for i, c := range counts {
		w[i] = 1
		if c > 0 {
			w[i] = float64(n) / float64(len(counts)*c)
		}
	}
	return w
}

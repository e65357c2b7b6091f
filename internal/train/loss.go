package train

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/ml/train/loss"

	"github.com/focalgo/focal"
	fgomlx "github.com/focalgo/focal/gomlx"
)

// Loss names a training loss and its parameters.
//
//	bce       cross-entropy: sigmoid (binary) or softmax (multi-class)
//	balanced  α-balanced cross-entropy: positives weighted α, negatives
//	          1 − α (binary); each class weighted N/(C·N_c), the inverse
//	          of its training frequency (multi-class)
//	focal     focal loss, FL = −αₜ (1 − pₜ)^γ log pₜ (Lin et al. 2017):
//	          sigmoid (binary) or softmax (multi-class, α off unless set)
//
// Every loss is the mean over the batch, so that one learning rate suits
// them all.
type Loss struct {
	Name string
	// Alpha is α; NaN picks the loss's default: 0.75 for balanced (the
	// paper's best α for cross-entropy, Table 1a), 0.25 for focal (its
	// best with γ = 2), none for multi-class focal.
	Alpha float64
	// Gamma is the focusing parameter γ of focal.
	Gamma float64
}

// LossNames lists the losses that ParseLosses accepts, in --compare order.
var LossNames = []string{"bce", "balanced", "focal"}

// ParseLosses parses a comma-separated list of loss names.
func ParseLosses(list string, alpha, gamma float64) ([]Loss, error) {
	var out []Loss
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		ok := false
		for _, n := range LossNames {
			ok = ok || n == name
		}
		if !ok {
			return nil, fmt.Errorf("--loss %q: unknown loss (want a comma list of %s)", name, strings.Join(LossNames, ", "))
		}
		for _, l := range out {
			if l.Name == name {
				return nil, fmt.Errorf("--loss %q: %s given twice", list, name)
			}
		}
		out = append(out, Loss{Name: name, Alpha: alpha, Gamma: gamma})
	}
	if !(math.IsNaN(alpha) || (alpha >= 0 && alpha <= 1)) {
		return nil, fmt.Errorf("--alpha %v: want a number in [0, 1]", alpha)
	}
	if !(gamma >= 0 && !math.IsInf(gamma, 0)) {
		return nil, fmt.Errorf("--gamma %v: want a finite number ≥ 0", gamma)
	}
	return out, nil
}

// alpha returns α for a binary task, resolving the default.
func (l Loss) alpha() float64 {
	if !math.IsNaN(l.Alpha) {
		return l.Alpha
	}
	if l.Name == "balanced" {
		return 0.75
	}
	return 0.25
}

// Label returns a short description for tables, with the parameters in
// effect for the task.
func (l Loss) Label(binary bool) string {
	g := strconv.FormatFloat(l.Gamma, 'g', -1, 64)
	a := strconv.FormatFloat(l.alpha(), 'g', -1, 64)
	switch {
	case l.Name == "bce":
		if binary {
			return "bce"
		}
		return "ce"
	case l.Name == "balanced" && binary:
		return "balanced α=" + a
	case l.Name == "balanced":
		return "balanced 1/freq"
	case binary || !math.IsNaN(l.Alpha):
		return "focal α=" + a + " γ=" + g
	}
	return "focal γ=" + g
}

// lossFn returns the GoMLX loss for the task, from package gomlx. Binary
// labels are float targets [batch, 1]; multi-class labels are int32 class
// indices [batch, 1]. counts are the training examples per class.
func (l Loss) lossFn(binary bool, counts []int) (loss.LossFn, error) {
	if binary {
		switch l.Name {
		case "bce":
			return fgomlx.BCE(), nil
		case "balanced":
			return fgomlx.BalancedBCE(l.alpha())
		case "focal":
			return fgomlx.SigmoidFocal(focal.Sigmoid{Alpha: l.alpha(), Gamma: l.Gamma, Reduction: focal.Mean})
		}
	}
	s := focal.Softmax{Reduction: focal.Mean, IgnoreIndex: -100}
	switch l.Name {
	case "bce":
		return loss.SparseCategoricalCrossEntropyLogits, nil
	case "balanced":
		s.Alpha = inverseFrequency(counts)
	case "focal":
		s.Gamma = l.Gamma
		if !math.IsNaN(l.Alpha) {
			s.Alpha = []float64{l.Alpha}
		}
	default:
		return nil, fmt.Errorf("train: unknown loss %q", l.Name)
	}
	return fgomlx.SoftmaxFocal(s)
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

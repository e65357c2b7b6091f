package train

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/ml/train/loss"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/focalloss"
)

// Loss names a training loss and its parameters.
//
//	bce       cross-entropy: sigmoid (binary) or softmax (multi-class)
//	balanced  α-balanced cross-entropy: positives weighted α, negatives
//	          1 − α (binary); each class weighted N/(C·N_c), the inverse
//	          of its training frequency (multi-class)
//	focal     focal loss, FL = −αₜ (1 − pₜ)^γ log pₜ (Lin et al. 2017):
//	          sigmoid (binary) or softmax (multi-class, α off unless set)
//	poly1, asl, qfl, varifocal, flstar, flsd, reduced
//	          the other members of the focal family (package focal's
//	          Kinds), binary tasks only, with their reference defaults
//
// Every loss is the mean over the batch, so that one learning rate suits
// them all.
type Loss struct {
	Name string
	// Alpha is α; NaN picks the loss's default: 0.75 for balanced (the
	// paper's best α for cross-entropy, Table 1a), 0.25 for focal (its
	// best with γ = 2), none for multi-class focal, the member's own for
	// the family.
	Alpha float64
	// Gamma is the focusing parameter γ; NaN picks the default, 2 for
	// focal and the member's own for the family.
	Gamma float64
	// Params are further parameters of family members, by the names of
	// focal.Kind.Params.
	Params map[string]float64
}

// LossNames lists the losses that --compare trains, in order.
var LossNames = []string{"bce", "balanced", "focal"}

// AllLossNames lists every loss name: LossNames, then the other focal
// family kinds.
func AllLossNames() []string {
	names := slices.Clone(LossNames)
	for _, k := range focal.Kinds() {
		if !slices.Contains(names, string(k)) {
			names = append(names, string(k))
		}
	}
	return names
}

// ParseLosses parses a comma-separated list of loss names ("all" for
// every one; family kinds also by their aliases, e.g. "fl*") and attaches
// the parameters. A parameter in params must belong to at least one of the
// listed family members.
func ParseLosses(list string, alpha, gamma float64, params map[string]float64) ([]Loss, error) {
	if !(math.IsNaN(alpha) || (alpha >= 0 && alpha <= 1)) {
		return nil, fmt.Errorf("--alpha %v: want a number in [0, 1]", alpha)
	}
	if !(math.IsNaN(gamma) || (gamma >= 0 && !math.IsInf(gamma, 0))) {
		return nil, fmt.Errorf("--gamma %v: want a finite number ≥ 0", gamma)
	}
	if strings.EqualFold(strings.TrimSpace(list), "all") {
		list = strings.Join(AllLossNames(), ",")
	}
	var out []Loss
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if !slices.Contains(LossNames, name) {
			k, err := focal.ParseKind(name)
			if err != nil {
				return nil, fmt.Errorf("--loss %q: unknown loss (want a comma list of %s, or all)", name, strings.Join(AllLossNames(), ", "))
			}
			name = string(k)
		}
		if slices.ContainsFunc(out, func(l Loss) bool { return l.Name == name }) {
			return nil, fmt.Errorf("--loss %q: %s given twice", list, name)
		}
		out = append(out, Loss{Name: name, Alpha: alpha, Gamma: gamma})
	}
	for _, p := range slices.Sorted(maps.Keys(params)) {
		used := false
		for i, l := range out {
			k := l.kind()
			if k == "" || !slices.Contains(k.Params(), p) {
				continue
			}
			if out[i].Params == nil {
				out[i].Params = map[string]float64{}
			}
			out[i].Params[p] = params[p]
			used = true
		}
		if !used {
			return nil, fmt.Errorf("--param %s: none of the losses %s takes it", p, list)
		}
	}
	return out, nil
}

// kind returns the focal family kind of a family-only loss, or "".
func (l Loss) kind() focal.Kind {
	if slices.Contains(LossNames, l.Name) {
		return ""
	}
	return focal.Kind(l.Name)
}

// alpha returns α for a binary task, resolving the default.
func (l Loss) alpha() float64 {
	if !math.IsNaN(l.Alpha) {
		return max(l.Alpha, 0) // negative: off, as torchvision; focal.Sigmoid spells it 0
	}
	if l.Name == "balanced" {
		return 0.75
	}
	return 0.25
}

func (l Loss) gamma() float64 {
	if math.IsNaN(l.Gamma) {
		return 2
	}
	return l.Gamma
}

// Label returns a short description for tables, with the parameters in
// effect for the task.
func (l Loss) Label(binary bool) string {
	g := strconv.FormatFloat(l.gamma(), 'g', -1, 64)
	a := strconv.FormatFloat(l.alpha(), 'g', -1, 64)
	switch {
	case l.kind() != "":
		s := l.Name
		for _, p := range l.memberParams() {
			s += " " + p
		}
		return s
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

// memberParams returns the parameters given to a family member, as
// name=value, in the member's documentation order.
func (l Loss) memberParams() []string {
	var out []string
	for _, p := range l.kind().Params() {
		if v, ok := l.memberParam(p); ok {
			out = append(out, p+"="+strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	return out
}

func (l Loss) memberParam(p string) (float64, bool) {
	switch {
	case p == "alpha" && !math.IsNaN(l.Alpha):
		return max(l.Alpha, 0), true
	case p == "gamma" && !math.IsNaN(l.Gamma):
		return l.Gamma, true
	}
	v, ok := l.Params[p]
	return v, ok
}

// lossFn returns the GoMLX loss for the task, from package gomlx. Binary
// labels are float targets [batch, 1]; multi-class labels are int32 class
// indices [batch, 1]. counts are the training examples per class.
func (l Loss) lossFn(binary bool, counts []int) (loss.LossFn, error) {
	if k := l.kind(); k != "" {
		if !binary {
			return nil, fmt.Errorf("--loss %s: a sigmoid loss for binary tasks; give --positive CLASS", l.Name)
		}
		params := map[string]float64{}
		for _, p := range k.Params() {
			if v, ok := l.memberParam(p); ok {
				params[p] = v
			}
		}
		m, err := focal.NewMember(k, params)
		if err == nil {
			err = m.Validate()
		}
		if err != nil {
			return nil, fmt.Errorf("--loss %s: %w", l.Name, err)
		}
		return focalloss.MakeFamily(m, focal.Options{Reduction: focal.Mean}), nil
	}
	if binary {
		switch l.Name {
		case "bce":
			return focalloss.BCE, nil
		case "balanced":
			if !(l.alpha() > 0) {
				return nil, fmt.Errorf("--loss balanced: %w: alpha = %v (want 0 < α ≤ 1)", focal.ErrAlpha, l.alpha())
			}
			return focalloss.MakeBalancedBCE(l.alpha()), nil
		case "focal":
			return focalloss.MakeSigmoid(focal.Sigmoid{Alpha: l.alpha(), Gamma: l.gamma()}, focal.Options{Reduction: focal.Mean}), nil
		}
	}
	s := focal.Softmax{IgnoreIndex: focal.DefaultIgnoreIndex}
	switch l.Name {
	case "bce":
		return loss.SparseCategoricalCrossEntropyLogits, nil
	case "balanced":
		s.Alpha = inverseFrequency(counts)
	case "focal":
		s.Gamma = l.gamma()
		if !math.IsNaN(l.Alpha) {
			s.Alpha = []float64{l.Alpha}
		}
	default:
		return nil, fmt.Errorf("train: unknown loss %q", l.Name)
	}
	return focalloss.MakeSoftmax(s, focal.Options{Reduction: focal.Mean}), nil
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

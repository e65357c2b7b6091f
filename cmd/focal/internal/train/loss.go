package train

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/cmd/focal/internal/quote"
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
//	          Kinds), with their reference defaults
//
// "ce" is another name for bce. Two affixes modify a name:
//
//	cb-NAME       NAME with the class-balanced weights of Cui et al. (CVPR
//	              2019), w_c = (1 − β)/(1 − β^{n_c}) normalised to Σ w_c = C,
//	              in place of α: every example of class c weighs w_c
//	              (softmax: Softmax.Alpha = w)
//	NAME-sigmoid  on a multi-class task, C sigmoid outputs trained one
//	              against the rest (one-hot targets, the loss summed over
//	              the C outputs and averaged over the examples) instead of
//	              a softmax; the form of Cui et al.'s sigmoid CB-focal loss.
//	              The family members train multi-class tasks only this way.
//
// and options after it, each ":KEY=VALUE", set that loss's parameters in
// place of the list-wide ones (LossParams), so that one list can compare
// several settings of one loss:
//
//	bce,bce:ls=0.1,focal:gamma=1,focal:gamma=3,flsd
//
// The keys are alpha, gamma, beta (of the cb- losses), ls (label
// smoothing ε) and the parameter names of the family members.
//
// On a multi-class task flsd without -sigmoid is the softmax FLSD-53 loss
// of Mukhoti et al. (NeurIPS 2020), the form they train; its parameters
// (threshold, gamma-below, gamma) make another two-piece schedule.
//
// Label smoothing ε replaces the softmax losses' one-hot target by
// (1 − ε)·onehot + ε/C (bce, balanced, focal and their cb- forms on a
// multi-class task); it does not apply to sigmoid outputs nor combine with
// the FLSD schedule.
//
// Every loss is averaged over the examples, so that one learning rate and
// one L2 strength suit them all.
type Loss struct {
	// Name is the loss as the command line names it, affixes included
	// (e.g. "cb-focal-sigmoid"); Base is the name without them.
	Name, Base string
	// ClassBalanced and Sigmoid are the cb- and -sigmoid affixes.
	ClassBalanced, Sigmoid bool
	// LossParams are the loss's parameters: those given with the list,
	// overridden by the loss's own options (NaN, or nil, picks the
	// default); Params only of the family members that take them.
	LossParams
}

// LossParams are the parameters of a loss, and those ParseLosses attaches
// to every loss of a list; NaN (or nil) picks each loss's default.
type LossParams struct {
	// Alpha is α; NaN picks the loss's default: 0.75 for balanced (the
	// paper's best α for cross-entropy, Table 1a), 0.25 for focal (its
	// best with γ = 2), none for multi-class focal, the member's own for
	// the family.
	Alpha float64
	// Alphas, when set, are per-class weights α_c, one per class (binary:
	// the negatives' then the positives'), in place of Alpha: every
	// example of class c weighs α_c (softmax: Softmax.Alpha). They apply
	// to balanced, focal and the family, not to bce or the cb- losses.
	Alphas []float64
	// Gamma is the focusing parameter γ; NaN picks the default, 2 for
	// focal and the member's own for the family.
	Gamma float64
	// Beta is β of the cb- losses, in [0, 1]; NaN picks 0.9999, the
	// largest of the β Cui et al. search.
	Beta float64
	// LabelSmoothing is ε ∈ [0, 1) of the softmax losses
	// (--label-smoothing); NaN or 0 is none.
	LabelSmoothing float64
	// Params are further parameters of family members, by the names of
	// focal.Kind.Params.
	Params map[string]float64
}

// DefaultLossParams returns LossParams that pick every default.
func DefaultLossParams() LossParams {
	return LossParams{Alpha: math.NaN(), Gamma: math.NaN(), Beta: math.NaN(), LabelSmoothing: math.NaN()}
}

// DefaultBeta is the β of the cb- losses when none is given.
const DefaultBeta = 0.9999

// LossNames lists the losses that --compare trains, in order.
var LossNames = []string{"bce", "balanced", "focal"}

// AllLossNames lists every base loss name: LossNames, then the other focal
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
// every base name; family kinds also by their aliases, e.g. "fl*"; each
// name may carry the cb- and -sigmoid affixes) and attaches the
// parameters. A parameter in p.Params must belong to at least one of the
// listed family members.
func ParseLosses(list string, p LossParams) ([]Loss, error) {
	for _, a := range p.Alphas {
		if !(a >= 0) || math.IsInf(a, 1) {
			return nil, fmt.Errorf("--alpha %s: per-class weights must be finite and ≥ 0", quote.Clip(formatList(p.Alphas)))
		}
	}
	for _, c := range []struct {
		flag, key string
		v         float64
	}{{"--alpha", "alpha", p.Alpha}, {"--gamma", "gamma", p.Gamma}, {"--class-balanced", "beta", p.Beta}, {"--label-smoothing", "ls", p.LabelSmoothing}} {
		if math.IsNaN(c.v) {
			continue
		}
		if err := checkLossParam(c.key, c.v); err != nil {
			return nil, fmt.Errorf("%s %v: %w", c.flag, c.v, err)
		}
	}
	if strings.EqualFold(strings.TrimSpace(list), "all") {
		list = strings.Join(AllLossNames(), ",")
	}
	var out []Loss
	for _, item := range strings.Split(list, ",") {
		item = strings.ToLower(strings.TrimSpace(item))
		name, opts, _ := strings.Cut(item, ":")
		l := Loss{LossParams: p}
		l.Alphas, l.Params = slices.Clone(p.Alphas), nil // p.Params are attached below, to the losses that take them
		base := name
		if b, ok := strings.CutPrefix(base, "cb-"); ok {
			base, l.ClassBalanced = b, true
		}
		if b, ok := strings.CutSuffix(base, "-sigmoid"); ok {
			base, l.Sigmoid = b, true
		}
		if base == "ce" {
			base = "bce"
		}
		if !slices.Contains(LossNames, base) {
			k, err := focal.ParseKind(base)
			if err != nil {
				return nil, fmt.Errorf("--loss %s: unknown loss (want a comma list of %s, each optionally cb-NAME or NAME-sigmoid, or all)", quote.Clip(name), strings.Join(AllLossNames(), ", "))
			}
			base = string(k)
		}
		if l.ClassBalanced && base == "balanced" {
			return nil, fmt.Errorf("--loss %s: balanced is weighted already; cb-bce is cross-entropy with class-balanced weights", quote.Clip(name))
		}
		l.Base = base
		l.Name = base
		if l.ClassBalanced {
			l.Name = "cb-" + l.Name
		}
		if l.Sigmoid {
			l.Name += "-sigmoid"
		}
		if opts != "" {
			canon, err := l.setOptions(item, opts)
			if err != nil {
				return nil, err
			}
			l.Name += canon
		}
		if slices.ContainsFunc(out, func(o Loss) bool { return o.Name == l.Name }) {
			return nil, fmt.Errorf("--loss %s: %s given twice", quote.Clip(list), l.Name)
		}
		out = append(out, l)
	}
	for _, name := range slices.Sorted(maps.Keys(p.Params)) {
		used := false
		for i, l := range out {
			k := l.kind()
			if k == "" || !slices.Contains(k.Params(), name) {
				continue
			}
			used = true
			if _, own := out[i].Params[name]; own {
				continue // the loss's own :NAME=VALUE wins
			}
			if out[i].Params == nil {
				out[i].Params = map[string]float64{}
			}
			out[i].Params[name] = p.Params[name]
		}
		if !used {
			return nil, fmt.Errorf("--param %s: none of the losses %s takes it", quote.Clip(name), quote.Clip(list))
		}
	}
	return out, nil
}

// setOptions sets the parameters of the options opts ("gamma=1:ls=0.1")
// of the list item item, and returns them as the loss's name carries them
// (":gamma=1:ls=0.1", numbers in their shortest form).
func (l *Loss) setOptions(item, opts string) (string, error) {
	var canon strings.Builder
	seen := map[string]bool{}
	for _, opt := range strings.Split(opts, ":") {
		key, value, ok := strings.Cut(opt, "=")
		key = strings.TrimSpace(key)
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if !ok || err != nil || math.IsNaN(v) {
			return "", fmt.Errorf("--loss %s: option %s: want KEY=NUMBER (alpha, gamma, beta, ls or a family parameter)", quote.Clip(item), quote.Clip(opt))
		}
		if seen[key] {
			return "", fmt.Errorf("--loss %s: option %s given twice", quote.Clip(item), key)
		}
		seen[key] = true
		switch {
		case key == "alpha" || key == "gamma" || key == "beta" || key == "ls":
			if err := checkLossParam(key, v); err != nil {
				return "", fmt.Errorf("--loss %s: %s=%v: %w", quote.Clip(item), key, v, err)
			}
		case l.kind() != "" && slices.Contains(l.kind().Params(), key):
			if math.IsInf(v, 0) {
				return "", fmt.Errorf("--loss %s: %s=%v: want a finite number", quote.Clip(item), key, v)
			}
		default:
			return "", fmt.Errorf("--loss %s: %s does not take %s (it takes alpha, gamma, beta, ls%s)", quote.Clip(item), l.Base, quote.Clip(key), familyParams(l.kind()))
		}
		switch key {
		case "alpha":
			l.Alpha, l.Alphas = v, nil
		case "gamma":
			l.Gamma = v
		case "beta":
			l.Beta = v
		case "ls":
			l.LabelSmoothing = v
		}
		if l.kind() != "" && slices.Contains(l.kind().Params(), key) {
			if l.Params == nil {
				l.Params = map[string]float64{}
			}
			l.Params[key] = v
		}
		fmt.Fprintf(&canon, ":%s=%s", key, strconv.FormatFloat(v, 'g', -1, 64))
	}
	return canon.String(), nil
}

func familyParams(k focal.Kind) string {
	var s string
	if k != "" {
		for _, p := range k.Params() {
			if p != "alpha" && p != "gamma" {
				s += ", " + p
			}
		}
	}
	return s
}

// checkLossParam returns what is wrong with the value v of the loss
// parameter key (alpha, gamma, beta or ls), or nil.
func checkLossParam(key string, v float64) error {
	switch key {
	case "alpha":
		if !(v >= 0 && v <= 1) {
			return errors.New("want a number in [0, 1]")
		}
	case "gamma":
		if !(v >= 0) || math.IsInf(v, 0) {
			return errors.New("want a finite number ≥ 0")
		}
	case "beta":
		if !(v >= 0 && v <= 1) {
			return errors.New("want β in [0, 1]")
		}
	case "ls":
		if !(v >= 0 && v < 1) {
			return errors.New("want a label smoothing ε in [0, 1)")
		}
	}
	return nil
}

// kind returns the focal family kind of a family-only loss, or "".
func (l Loss) kind() focal.Kind {
	if slices.Contains(LossNames, l.Base) {
		return ""
	}
	return focal.Kind(l.Base)
}

// alpha returns α for a binary task, resolving the default.
func (l Loss) alpha() float64 {
	if !math.IsNaN(l.Alpha) {
		return max(l.Alpha, 0) // negative: off, as torchvision; focal.Sigmoid spells it 0
	}
	if l.Base == "balanced" {
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

// smoothing returns the label smoothing ε, 0 for none.
func (l Loss) smoothing() float64 {
	if math.IsNaN(l.LabelSmoothing) {
		return 0
	}
	return l.LabelSmoothing
}

func (l Loss) beta() float64 {
	if math.IsNaN(l.Beta) {
		return DefaultBeta
	}
	return l.Beta
}

// perClass reports whether per-class α weights the loss.
func (l Loss) perClass() bool {
	return len(l.Alphas) > 0 && !l.ClassBalanced && l.Base != "bce"
}

// Label returns a short description for tables, with the parameters in
// effect for the task.
func (l Loss) Label(binary bool) string {
	s := l.label(binary)
	if e := l.smoothing(); e > 0 {
		s += " ε=" + strconv.FormatFloat(e, 'g', -1, 64)
	}
	if l.Sigmoid && !binary {
		s += " (sigmoid)"
	}
	return s
}

func (l Loss) label(binary bool) string {
	g := "γ=" + strconv.FormatFloat(l.gamma(), 'g', -1, 64)
	a := "α=" + strconv.FormatFloat(l.alpha(), 'g', -1, 64)
	if l.perClass() {
		a = "α=" + formatList(l.Alphas)
	}
	if l.ClassBalanced {
		a = "β=" + strconv.FormatFloat(l.beta(), 'g', -1, 64)
	}
	name := l.Base
	if l.ClassBalanced {
		name = "cb-" + name
	}
	switch {
	case l.kind() != "":
		for _, p := range l.memberParams() {
			name += " " + p
		}
		if l.ClassBalanced || l.perClass() {
			name += " " + a
		}
		return name
	case l.Base == "bce":
		if !binary && !l.Sigmoid {
			name = strings.Replace(name, "bce", "ce", 1)
		}
		if l.ClassBalanced {
			return name + " " + a
		}
		return name
	case l.Base == "balanced" && (binary || l.perClass()):
		return name + " " + a
	case l.Base == "balanced":
		return name + " 1/freq"
	case binary && !l.perClass() && !l.ClassBalanced && l.alpha() == 0:
		return name + " " + g // α = 0 is no α-weighting
	case binary || l.perClass() || l.ClassBalanced || !math.IsNaN(l.Alpha):
		return name + " " + a + " " + g
	}
	return name + " " + g
}

func formatList(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(s, ",")
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
	case p == "alpha" && (l.ClassBalanced || l.perClass()):
		return 0, false // the class weights replace α
	case p == "alpha" && !math.IsNaN(l.Alpha):
		return max(l.Alpha, 0), true
	case p == "gamma" && !math.IsNaN(l.Gamma):
		return l.Gamma, true
	}
	v, ok := l.Params[p]
	return v, ok
}

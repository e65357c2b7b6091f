package demo

import (
	"fmt"
	"slices"
	"strings"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/focalloss"
	"github.com/gomlx/gomlx/core/graph"
)

// A Loss is one of the compared training objectives.
type Loss struct {
	// Name labels the loss in the table, JSON and plots.
	Name string
	// Sigmoid holds the loss parameters (γ = 0 is cross-entropy).
	Sigmoid focal.Sigmoid
	// Options hold its reduction.
	Options focal.Options
	// Prior, when positive, is π of the prior initialisation of the last
	// bias, b = −log((1 − π)/π); zero keeps the bias at 0 (p = ½).
	Prior float64
}

// Prior is π of RetinaNet's prior initialisation (Lin et al. 2017, §4.1).
const Prior = 0.01

// CellLosses are the cells task's compared runs, in table order: what each
// ingredient of RetinaNet's recipe does on its own, with the reductions
// the cells task always had (per cell for cross-entropy).
var CellLosses = []Loss{
	{Name: "BCE", Options: focal.Options{Reduction: focal.Mean}},
	{Name: "BCE+prior", Options: focal.Options{Reduction: focal.Mean}, Prior: Prior},
	{Name: "α-BCE+prior", Sigmoid: focal.Sigmoid{Alpha: 0.75}, Options: focal.Options{Reduction: focal.Mean}, Prior: Prior},
	{Name: "focal+prior", Sigmoid: focal.Sigmoid{Alpha: 0.25, Gamma: 2}, Options: focal.Options{Reduction: focal.Positives}, Prior: Prior},
}

// perPositive is the paper's normalisation, for every loss of the anchors
// task: the sum over the used anchors divided by the number of positive
// anchors (Lin et al. 2017, §3.3 and §4).
var perPositive = focal.Options{Reduction: focal.Positives}

// AnchorLosses are the anchors task's default runs: cross-entropy without
// and with the prior initialisation, α-balanced CE (the paper's best
// α = 0.75, Table 1a) and focal loss (γ = 2, α = 0.25), all normalised by
// the number of positive anchors.
var AnchorLosses = []Loss{
	{Name: "CE", Options: perPositive},
	{Name: "CE+prior", Options: perPositive, Prior: Prior},
	{Name: "α-CE+prior", Sigmoid: focal.Sigmoid{Alpha: 0.75}, Options: perPositive, Prior: Prior},
	{Name: "FL+prior", Sigmoid: focal.Sigmoid{Alpha: 0.25, Gamma: 2}, Options: perPositive, Prior: Prior},
}

// Table1Losses are the long setting's runs: CE and α-CE (Table 1a's best
// α) and focal loss for γ ∈ {0.5, 1, 2, 5} at Table 1b's best α for each,
// all with the prior; CE without the prior shows what the prior does.
var Table1Losses = []Loss{
	{Name: "CE", Options: perPositive},
	{Name: "CE+prior", Options: perPositive, Prior: Prior},
	{Name: "α-CE+prior", Sigmoid: focal.Sigmoid{Alpha: 0.75}, Options: perPositive, Prior: Prior},
	fl(0.5, 0.5), fl(1, 0.25), fl(2, 0.25), fl(5, 0.25),
}

func fl(gamma, alpha float64) Loss {
	return Loss{Name: fmt.Sprintf("FL γ=%g α=%g", gamma, alpha),
		Sigmoid: focal.Sigmoid{Alpha: alpha, Gamma: gamma}, Options: perPositive, Prior: Prior}
}

// Key is the loss's ASCII name on the command line (--losses).
func (l Loss) Key() string {
	switch {
	case l.Sigmoid.Gamma > 0:
		return fmt.Sprintf("fl-g%g", l.Sigmoid.Gamma)
	case l.Sigmoid.Alpha > 0:
		return "ace-prior"
	case l.Prior > 0:
		return "ce-prior"
	}
	return "ce"
}

// LossSet returns the losses named by s for task t: "default" (the task's
// default runs), "table1" (anchors task: Table1Losses) or a comma-separated
// list of keys of the task's losses (anchors: ce, ce-prior, ace-prior,
// fl-g0.5, fl-g1, fl-g2, fl-g5; cells: ce, ce-prior, ace-prior, fl-g2).
func LossSet(s string, t Task) ([]Loss, error) {
	all := Table1Losses
	if t == TaskCells {
		all = CellLosses
	}
	switch {
	case s == "default" && t == TaskCells:
		return CellLosses, nil
	case s == "default":
		return AnchorLosses, nil
	case s == "table1" && t == TaskAnchors:
		return Table1Losses, nil
	}
	var keys []string
	for _, l := range all {
		keys = append(keys, l.Key())
	}
	var out []Loss
	seen := map[string]bool{}
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		i := slices.Index(keys, k)
		if i < 0 || seen[k] {
			return nil, fmt.Errorf("losses = %q: want default, table1 (anchors task) or distinct keys of %s", s, strings.Join(keys, ", "))
		}
		seen[k] = true
		out = append(out, all[i])
	}
	return out, nil
}

// crossEntropy reports whether l is cross-entropy (γ = 0), α-balanced or not.
func (l Loss) crossEntropy() bool { return l.Sigmoid.Gamma == 0 }

// fileName is l.Name as ASCII for file names.
func (l Loss) fileName() string {
	r := strings.NewReplacer("α", "alpha", "γ", "gamma", "=", "", " ", "-", "+", "-")
	return r.Replace(l.Name)
}

// lossGraph returns the reduced loss of logits against targets of the
// same shape; use, when not nil, is a bool prefix-shaped mask of the
// elements that count (the anchors task's non-ignored anchors).
func (l Loss) lossGraph(logits, targets, use *graph.Node) *graph.Node {
	if use == nil {
		return focalloss.Sigmoid(logits, targets, l.Sigmoid, l.Options)
	}
	return focalloss.Sigmoid(logits, targets, l.Sigmoid, l.Options, focalloss.Mask(use))
}

package demo

import (
	"github.com/focalgo/focal"
	"github.com/focalgo/focal/focalloss"
	"github.com/gomlx/gomlx/core/graph"
)

// A Loss is one of the compared training objectives.
type Loss struct {
	// Name labels the loss in the table, JSON and panels.
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

// Losses are the compared runs, in table order: what each ingredient of
// RetinaNet's recipe does on its own.
var Losses = []Loss{
	{Name: "BCE", Options: focal.Options{Reduction: focal.Mean}},
	{Name: "BCE+prior", Options: focal.Options{Reduction: focal.Mean}, Prior: Prior},
	{Name: "α-BCE+prior", Sigmoid: focal.Sigmoid{Alpha: 0.75}, Options: focal.Options{Reduction: focal.Mean}, Prior: Prior},
	{Name: "focal+prior", Sigmoid: focal.Sigmoid{Alpha: 0.25, Gamma: 2}, Options: focal.Options{Reduction: focal.Positives}, Prior: Prior},
}

// lossGraph returns the reduced loss of logits against binary targets.
func (l Loss) lossGraph(logits, targets *graph.Node) *graph.Node {
	return focalloss.Sigmoid(logits, targets, l.Sigmoid, l.Options)
}

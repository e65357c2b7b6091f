package demo

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
)

// A Task is what the network is trained to say about a scene.
type Task string

// The tasks.
const (
	// TaskAnchors is RetinaNet's classification subnet: A = 9 anchors per
	// cell, one sigmoid logit per anchor and class, anchors assigned by IoU
	// (see AnchorTargets); scored by AP@0.5 of the anchor boxes after
	// class-wise NMS, mean over classes. The paper's regime: 5e-4 of the
	// logits are positive in 64×64 scenes of Fashion-MNIST items, fewer in
	// larger scenes.
	TaskAnchors Task = "anchors"
	// TaskCells is one objectness logit per cell, positive at an object's
	// centre (see Scene.Target); scored by object recall at a fixed number
	// of false positives per image. About 1% of the logits are positive.
	TaskCells Task = "cells"
)

// ParseTask returns the task named s.
func ParseTask(s string) (Task, error) {
	switch t := Task(s); t {
	case TaskAnchors, TaskCells:
		return t, nil
	}
	return "", fmt.Errorf("task = %q: want %q or %q", s, TaskAnchors, TaskCells)
}

// A taskShape is the layout of a task's logits: per cell, anchors × classes
// logits in the anchors task, one logit (anchors = 0) in the cells task.
type taskShape struct {
	classes, anchors int
}

// heads is the number of logits per cell.
func (ts taskShape) heads() int {
	if ts.anchors == 0 {
		return 1
	}
	return ts.anchors * ts.classes
}

// targetDims are the dimensions of the targets of n scenes on a g×g grid.
func (ts taskShape) targetDims(n, g int) []int {
	if ts.anchors == 0 {
		return []int{n, g, g, 1}
	}
	return []int{n, g, g, ts.anchors, ts.classes}
}

// logits reshapes the network's output [B, g, g, heads] to the targets'
// dimensions.
func (ts taskShape) logits(x *graph.Node) *graph.Node {
	d := x.Shape().Dimensions
	return graph.Reshape(x, ts.targetDims(d[0], d[1])...)
}

// sceneTargets returns the targets of s and, in the anchors task, which
// anchors are used.
func (ts taskShape) sceneTargets(s Scene) ([]float32, []bool) {
	if ts.anchors == 0 {
		return s.Target(Stride), nil
	}
	return s.AnchorTargets(Stride, ts.classes)
}

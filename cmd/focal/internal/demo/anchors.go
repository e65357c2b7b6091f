package demo

import "math"

// The anchors task is RetinaNet's classification subnet in small: every
// cell of the stride-4 grid carries A anchor boxes, and every anchor one
// sigmoid logit per class (Lin et al. 2017, §4). Anchors are assigned to
// objects by IoU as in the paper: IoU ≥ 0.5 positive for the object's
// class, IoU < 0.4 negative for every class, in between ignored; like
// Detectron's RetinaNet, each object's best anchors are positive too, so
// that no object is left without one.

// An anchorShape is the width and height in pixels of one anchor of a cell.
type anchorShape struct{ w, h float64 }

// The anchors task's scene parameters, fixed from the grid and the data
// before any loss was compared: the smallest object is 1.5 cells (6 px),
// the size at which a stride-4 grid can still place a box on it; the
// largest is Fashion-MNIST's own resolution (28 px), so that items are
// only ever shrunk; 1–4 objects per scene, as in the cells task.
const (
	anchorMinExtent  = 6
	anchorMaxExtent  = 28
	anchorMaxObjects = 4
)

// Assignment thresholds (Lin et al. 2017, §4: "IoU threshold of 0.5 …
// background if their IoU is in [0, 0.4)").
const (
	iouPositive = 0.5
	iouNegative = 0.4
)

// anchorShapes are the A = 9 anchors of every cell, as in the paper: three
// scales × three aspect ratios {1:2, 1:1, 2:1} (height:width) of equal
// area. With one pyramid level the scales cover the whole object range:
// the sides s = 6·(28/6)^((k+½)/3), k = 0, 1, 2 (7.8, 13.0, 21.6 px) are
// the geometric centres of three equal log-intervals of [6, 28].
var anchorShapes = func() []anchorShape {
	var a []anchorShape
	for k := range 3 {
		s := anchorMinExtent * math.Pow(float64(anchorMaxExtent)/anchorMinExtent, (float64(k)+0.5)/3)
		for _, r := range []float64{0.5, 1, 2} {
			a = append(a, anchorShape{w: s / math.Sqrt(r), h: s * math.Sqrt(r)})
		}
	}
	return a
}()

// A box is an axis-aligned rectangle in pixels, [X0, X1) × [Y0, Y1).
type box struct{ X0, Y0, X1, Y1 float64 }

// anchorBox returns anchor a of cell (i, j) (row, column) on a grid of
// the given stride: centred on the cell's centre.
func anchorBox(i, j, a, stride int) box {
	cx, cy := (float64(j)+0.5)*float64(stride), (float64(i)+0.5)*float64(stride)
	s := anchorShapes[a]
	return box{cx - s.w/2, cy - s.h/2, cx + s.w/2, cy + s.h/2}
}

func objectBox(o Object) box {
	return box{float64(o.X0), float64(o.Y0), float64(o.X1), float64(o.Y1)}
}

// extent is the box's larger side.
func (b box) extent() float64 { return max(b.X1-b.X0, b.Y1-b.Y0) }

// iou is the intersection over union of two boxes (0 for empty ones).
func iou(a, b box) float64 {
	w := min(a.X1, b.X1) - max(a.X0, b.X0)
	h := min(a.Y1, b.Y1) - max(a.Y0, b.Y0)
	if w <= 0 || h <= 0 {
		return 0
	}
	inter := w * h
	return inter / ((a.X1-a.X0)*(a.Y1-a.Y0) + (b.X1-b.X0)*(b.Y1-b.Y0) - inter)
}

// AnchorTargets returns the anchors task's training targets of s for k
// classes on the grid of the given stride: targets has g·g·A·k values,
// row-major over (row, column, anchor, class), 1 for an anchor's assigned
// class and 0 elsewhere; use has g·g·A values, false for the ignored
// anchors (0.4 ≤ best IoU < 0.5, not an object's best), whose k logits
// add nothing to the loss.
//
// An anchor is positive for the object it overlaps most when that IoU is
// ≥ 0.5, and for every object of which it is a best anchor (equal best
// IoUs all count, as in Detectron); an anchor positive for two objects of
// different classes is positive for both classes.
func (s Scene) AnchorTargets(stride, k int) (targets []float32, use []bool) {
	g, na := s.Size/stride, len(anchorShapes)
	targets = make([]float32, g*g*na*k)
	use = make([]bool, g*g*na)
	best := make([]float64, len(s.Objects))
	for i := range use {
		use[i] = true
	}
	for i := range g {
		for j := range g {
			for a := range na {
				ab := anchorBox(i, j, a, stride)
				idx := (i*g+j)*na + a
				top, arg := 0.0, -1
				for oi, o := range s.Objects {
					v := iou(ab, objectBox(o))
					best[oi] = max(best[oi], v)
					if v > top {
						top, arg = v, oi
					}
				}
				switch {
				case top >= iouPositive:
					targets[idx*k+s.Objects[arg].Class] = 1
				case top >= iouNegative:
					use[idx] = false
				}
			}
		}
	}
	// Each object's best anchors (low-quality matches).
	for oi, o := range s.Objects {
		if best[oi] == 0 {
			continue
		}
		for i := range g {
			for j := range g {
				for a := range na {
					if iou(anchorBox(i, j, a, stride), objectBox(o)) == best[oi] {
						idx := (i*g+j)*na + a
						targets[idx*k+o.Class] = 1
						use[idx] = true
					}
				}
			}
		}
	}
	return targets, use
}

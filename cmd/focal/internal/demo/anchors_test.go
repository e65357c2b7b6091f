package demo

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestIoUOfHandMadeBoxes(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b box
		want float64
	}{
		{"identical", box{0, 0, 4, 4}, box{0, 0, 4, 4}, 1},
		{"disjoint", box{0, 0, 4, 4}, box{5, 5, 8, 8}, 0},
		{"touching edges", box{0, 0, 4, 4}, box{4, 0, 8, 4}, 0},
		{"half overlap", box{0, 0, 4, 4}, box{2, 0, 6, 4}, 8.0 / 24},
		{"nested", box{0, 0, 8, 8}, box{2, 2, 6, 6}, 16.0 / 64},
	} {
		if got := iou(c.a, c.b); math.Abs(got-c.want) > 1e-15 || iou(c.b, c.a) != got {
			t.Errorf("%s: iou = %v, want %v (symmetric)", c.name, got, c.want)
		}
	}
}

// TestAnchorShapesArePaperLike: three scales of three aspect ratios, each
// scale of one area, geometric in the object range [6, 28].
func TestAnchorShapesArePaperLike(t *testing.T) {
	if len(anchorShapes) != 9 {
		t.Fatalf("%d anchors, want 9", len(anchorShapes))
	}
	for k := range 3 {
		want := anchorMinExtent * math.Pow(float64(anchorMaxExtent)/anchorMinExtent, (float64(k)+0.5)/3)
		for r, ratio := range []float64{0.5, 1, 2} {
			a := anchorShapes[3*k+r]
			if math.Abs(a.w*a.h-want*want) > 1e-9 || math.Abs(a.h/a.w-ratio) > 1e-12 {
				t.Errorf("anchor %d: %v×%v, want area %v and h/w %v", 3*k+r, a.w, a.h, want*want, ratio)
			}
		}
	}
}

// TestAnchorTargetsFollowThePaper: on a hand-made scene, the anchor that
// is the object's own box is positive for its class only; anchors far
// away are negative for every class; an anchor at 0.4 ≤ IoU < 0.5 is
// ignored; nothing else is positive than anchors at IoU ≥ 0.5 or the best.
func TestAnchorTargetsFollowThePaper(t *testing.T) {
	const stride, k = 4, 3
	// Anchor 4 (middle scale, 1:1, side 13.0) of cell (5, 5) is centred at
	// (22, 22); the object is the 13×13 box there, rounded to pixels.
	a := anchorBox(5, 5, 4, stride)
	o := Object{X0: int(math.Round(a.X0)), Y0: int(math.Round(a.Y0)), X1: int(math.Round(a.X1)), Y1: int(math.Round(a.Y1)), Class: 2}
	s := Scene{Size: 48, Objects: []Object{o}}
	targets, use := s.AnchorTargets(stride, k)
	g, na := 48/stride, len(anchorShapes)
	if len(targets) != g*g*na*k || len(use) != g*g*na {
		t.Fatalf("%d targets, %d use flags", len(targets), len(use))
	}
	idx := (5*g+5)*na + 4
	if !use[idx] || targets[idx*k+2] != 1 || targets[idx*k] != 0 || targets[idx*k+1] != 0 {
		t.Errorf("the object's own anchor: use %v, targets %v, want positive for class 2 only", use[idx], targets[idx*k:idx*k+k])
	}
	var ignored int
	for i := range g {
		for j := range g {
			for an := range na {
				id := (i*g+j)*na + an
				v := iou(anchorBox(i, j, an, stride), objectBox(o))
				pos := targets[id*k+2] == 1
				switch {
				case v >= iouPositive && (!pos || !use[id]):
					t.Errorf("cell (%d, %d) anchor %d: IoU %.3f, want positive", i, j, an, v)
				case v < iouPositive && pos:
					t.Errorf("cell (%d, %d) anchor %d: IoU %.3f positive, but the best anchor is at IoU 1", i, j, an, v)
				case v >= iouNegative && v < iouPositive && use[id]:
					t.Errorf("cell (%d, %d) anchor %d: IoU %.3f, want ignored", i, j, an, v)
				case v < iouNegative && !use[id]:
					t.Errorf("cell (%d, %d) anchor %d: IoU %.3f, want used (negative)", i, j, an, v)
				}
				if !use[id] {
					ignored++
				}
				if targets[id*k] != 0 || targets[id*k+1] != 0 {
					t.Errorf("cell (%d, %d) anchor %d: positive for another class", i, j, an)
				}
			}
		}
	}
	if ignored == 0 {
		t.Errorf("no anchor ignored: the test does not exercise the band")
	}
}

// TestEveryObjectHasAPositiveAnchor: the low-quality matches give every
// object of generated scenes at least one positive anchor of its class,
// even the smallest, and the positive fraction per logit is far below the
// cells task's 1% (at 64×64 with the 5 shape classes about 1.4e-3; with
// Fashion-MNIST's 10 classes half of it).
func TestEveryObjectHasAPositiveAnchor(t *testing.T) {
	gen := Generator{Size: 64, MinExtent: anchorMinExtent, MaxExtent: anchorMaxExtent, MaxObjects: anchorMaxObjects}
	k := gen.Classes()
	rng := rand.New(rand.NewPCG(5, 5))
	g, na := 64/Stride, len(anchorShapes)
	var pos, all int
	for range 200 {
		s := gen.Scene(rng)
		targets, use := s.AnchorTargets(Stride, k)
		for oi, o := range s.Objects {
			found := false
			for id := range g * g * na {
				if targets[id*k+o.Class] == 1 && use[id] && iou(anchorBox(id/na/g, id/na%g, id%na, Stride), objectBox(o)) > 0 {
					found = true
					break
				}
			}
			if !found {
				t.Fatalf("object %d %+v has no positive anchor", oi, o)
			}
			if e := o.Extent(); e < anchorMinExtent || e > anchorMaxExtent {
				t.Errorf("object extent %d outside [%d, %d]", e, anchorMinExtent, anchorMaxExtent)
			}
		}
		p, a := countTargets(targets, use, taskShape{classes: k, anchors: na})
		pos, all = pos+p, all+a
	}
	if f := float64(pos) / float64(all); !(f > 1e-4 && f < 3e-3) {
		t.Errorf("positive fraction per used logit %v, want between 1e-4 and 3e-3", f)
	}
}

package demo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/logistic"
)

// apScene is a 48×48 scene with two objects of class 0 (one small, one
// large) and one of class 1 (medium).
var apScene = Scene{Size: 48, Objects: []Object{
	{X0: 2, Y0: 2, X1: 8, Y1: 8, Class: 0},     // small (6 px)
	{X0: 20, Y0: 20, X1: 40, Y1: 40, Class: 0}, // large (20 px)
	{X0: 2, Y0: 30, X1: 12, Y1: 40, Class: 1},  // medium (10 px)
}}

func det(image, class int, o Object, score float32) BoxDetection {
	return BoxDetection{Image: image, Class: class, Box: objectBox(o), Score: score}
}

func TestBoxAPOfHandMadeDetections(t *testing.T) {
	scenes := []Scene{apScene}
	o := apScene.Objects
	miss := Object{X0: 30, Y0: 2, X1: 40, Y1: 12} // a medium box on nothing
	cases := []struct {
		name string
		dets []BoxDetection
		want BoxAP
	}{
		{"every object found, nothing else", []BoxDetection{det(0, 0, o[0], 0.9), det(0, 0, o[1], 0.8), det(0, 1, o[2], 0.7)},
			BoxAP{1, 1, 1, 1}},
		{"nothing", nil, BoxAP{0, 0, 0, 0}},
		// Class 0: FP, TP, TP → precision 1/2 at recall 1/2 and 2/3 at 1:
		// AP = 2/3 (envelope). Class 1: TP → 1. Mean 5/6.
		{"a false positive above class 0's objects",
			[]BoxDetection{det(0, 0, miss, 0.95), det(0, 0, o[0], 0.9), det(0, 0, o[1], 0.8), det(0, 1, o[2], 0.7)},
			// Small (class 0 only; the medium FP is ignored): 1. Medium
			// (class 0 has no medium object; class 1: 1): 1. Large (class
			// 0, the small TP is ignored): 1.
			BoxAP{All: 5.0 / 6, Small: 1, Medium: 1, Large: 1}},
		// The wrong class finds nothing; a duplicate is a false positive.
		{"wrong class and a duplicate",
			[]BoxDetection{det(0, 1, o[0], 0.9), det(0, 0, o[1], 0.8), det(0, 0, o[1], 0.75), det(0, 1, o[2], 0.7)},
			// Class 0: TP (large) then FP: recall 1/2 at precision 1 → 1/2.
			// Class 1: FP (small box), TP → precision 1/2 at recall 1 → 1/2.
			BoxAP{All: 0.5, Small: 0, Medium: 1, Large: 1}},
	}
	for _, c := range cases {
		got := boxAP(scenes, c.dets, 2)
		for _, v := range [][3]any{{"all", got.All, c.want.All}, {"small", got.Small, c.want.Small},
			{"medium", got.Medium, c.want.Medium}, {"large", got.Large, c.want.Large}} {
			if math.Abs(v[1].(float64)-v[2].(float64)) > 1e-12 {
				t.Errorf("%s: %s AP = %v, want %v", c.name, v[0], v[1], v[2])
			}
		}
	}
}

// TestBoxDetectionsSuppressPerClass: NMS removes an overlapping box of the
// same class, keeps one of another class, keeps the higher score, and
// caps the count.
func TestBoxDetectionsSuppressPerClass(t *testing.T) {
	const g, k = 4, 2
	na := len(anchorShapes)
	logits := make([]float32, g*g*na*k)
	for i := range logits {
		logits[i] = -20
	}
	at := func(i, j, a, c int) int { return ((i*g+j)*na+a)*k + c }
	logits[at(1, 1, 4, 0)] = 3 // kept
	logits[at(1, 2, 4, 0)] = 2 // the same class, IoU > 0.5 with the first: suppressed
	logits[at(1, 2, 4, 1)] = 1 // the other class: kept
	dets := boxDetections(0, logits, g, k, Stride)
	if len(dets) != perImage {
		t.Fatalf("%d detections, want the cap %d", len(dets), perImage)
	}
	if dets[0].Class != 0 || dets[0].Box != anchorBox(1, 1, 4, Stride) || dets[1].Class != 1 || dets[1].Box != anchorBox(1, 2, 4, Stride) {
		t.Errorf("top detections %+v, %+v: want class 0 at (1, 1) then class 1 at (1, 2)", dets[0], dets[1])
	}
	for _, d := range dets[1:] {
		if d.Class == 0 && iou(d.Box, dets[0].Box) > nmsIoU {
			t.Errorf("detection %+v overlaps the first of its class at IoU > %v", d, nmsIoU)
		}
	}
	if math.Abs(float64(dets[0].Score)-logistic.Sigmoid(3)) > 1e-7 {
		t.Errorf("score %v, want σ(3)", dets[0].Score)
	}
}

func TestTopIndicesMatchesAFullSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, n := range []int{1, 7, 100, 1000} {
		v := make([]float32, 5000)
		for i := range v {
			v[i] = float32(rng.IntN(50)) // many ties
		}
		want := make([]int, len(v))
		for i := range want {
			want[i] = i
		}
		slices.SortStableFunc(want, func(a, b int) int { return cmp.Compare(v[b], v[a]) })
		if got := topIndices(v, n); !slices.Equal(got, want[:n]) {
			t.Errorf("n = %d: %v…, want %v…", n, got[:min(5, n)], want[:min(5, n)])
		}
	}
	if got := topIndices([]float32{1, 3, 2}, 10); !slices.Equal(got, []int{1, 2, 0}) {
		t.Errorf("n > len: %v", got)
	}
}

// TestReachableCountsAnchorsAtIoUHalf: an object that is an anchor is
// reachable; a 6×6 object between grid centres whose best anchor is below
// IoU 0.5 is not.
func TestReachableCountsAnchorsAtIoUHalf(t *testing.T) {
	a := anchorBox(3, 3, 4, Stride)
	exact := Object{X0: int(math.Round(a.X0)), Y0: int(math.Round(a.Y0)), X1: int(math.Round(a.X1)), Y1: int(math.Round(a.Y1))}
	tiny := Object{X0: 4, Y0: 4, X1: 7, Y1: 7} // 3 px: below every anchor's half
	if r := reachable([]Scene{{Size: 32, Objects: []Object{exact}}}, Stride); r != 1 {
		t.Errorf("an anchor-shaped object: reachable %v, want 1", r)
	}
	if r := reachable([]Scene{{Size: 32, Objects: []Object{exact, tiny}}}, Stride); r != 0.5 {
		t.Errorf("with a 3-px object: reachable %v, want 0.5", r)
	}
}

// TestIoUOracleScoresHigh: a detector whose logit for an anchor and class
// grows with the anchor's IoU with the best object of that class ranks
// each object's best anchor first: its AP@0.5 is close to the fraction of
// objects that an anchor reaches at IoU ≥ 0.5, and a constant predictor
// scores far less. Logits equal to the training targets, whose positives
// tie, score less than the oracle (the ties mix the objects' best anchors
// with their other positive anchors, which NMS keeps as duplicates when
// their shapes differ).
func TestIoUOracleScoresHigh(t *testing.T) {
	gen := Generator{Size: 64, MinExtent: anchorMinExtent, MaxExtent: anchorMaxExtent, MaxObjects: anchorMaxObjects}
	ts := taskShape{classes: gen.Classes(), anchors: len(anchorShapes)}
	h := newHeldOut(gen, ts, 1, evalStream, 100)
	g, na, k := 64/Stride, len(anchorShapes), ts.classes
	oracle := make([]float32, len(h.targets))
	targets := make([]float32, len(h.targets))
	for si, s := range h.scenes {
		for id := range g * g * na {
			ab := anchorBox(id/na/g, id/na%g, id%na, Stride)
			for c := range k {
				best := 0.0
				for _, o := range s.Objects {
					if o.Class == c {
						best = max(best, iou(ab, objectBox(o)))
					}
				}
				x := (si*g*g*na+id)*k + c
				oracle[x] = float32(20*best - 10)
				targets[x] = 10*h.targets[x] - 5
			}
		}
	}
	ap, r := h.score(oracle, ts, 1), reachable(h.scenes, Stride)
	if !(ap > 0.8*r) || ap > 1 {
		t.Errorf("AP@0.5 of the IoU oracle %v, want close to the reachable %v", ap, r)
	}
	if tg := h.score(targets, ts, 1); !(tg < ap) {
		t.Errorf("targets as logits score %v, the oracle %v", tg, ap)
	}
	if c := h.score(make([]float32, len(oracle)), ts, 1); !(c < ap/4) {
		t.Errorf("a constant predictor scores %v against the oracle's %v", c, ap)
	}
}

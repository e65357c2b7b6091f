package demo

import (
	"cmp"
	"math"
	"slices"

	"github.com/focalgo/focal/cmd/focal/internal/logistic"
)

// Detection in the anchors task follows RetinaNet's inference (Lin et al.
// 2017, §4, "Inference"), with the anchor boxes themselves as the boxes
// (the demo has no box regression): per image the top preNMS scores over
// all anchors and classes, then non-maximum suppression per class at IoU
// 0.5, then the top perImage detections. There is no score floor (RetinaNet
// uses 0.05): the losses calibrate differently, and a floor would cut one
// loss's detections more than another's.
const (
	preNMS   = 1000
	nmsIoU   = 0.5
	perImage = 100
	matchIoU = 0.5 // AP@0.5
)

// A BoxDetection is one detection of the anchors task.
type BoxDetection struct {
	Image, Class int
	Box          box
	Score        float32
}

// boxDetections returns the detections of one image from its logits,
// g·g·A·k values ordered (row, column, anchor, class).
func boxDetections(image int, logits []float32, g, k, stride int) []BoxDetection {
	na := len(anchorShapes)
	idx := topIndices(logits, preNMS)
	var kept []BoxDetection
	for _, x := range idx {
		cell, a, c := x/(na*k), (x/k)%na, x%k
		d := BoxDetection{Image: image, Class: c, Box: anchorBox(cell/g, cell%g, a, stride),
			Score: float32(logistic.Sigmoid(float64(logits[x])))}
		suppressed := false
		for _, e := range kept {
			if e.Class == c && iou(e.Box, d.Box) > nmsIoU {
				suppressed = true
				break
			}
		}
		if !suppressed {
			kept = append(kept, d)
			if len(kept) == perImage {
				break
			}
		}
	}
	return kept
}

// BoxAP is the anchors task's score on a set of scenes: average precision
// at IoU 0.5, the mean over classes, overall and by object size.
type BoxAP struct {
	All                  float64
	Small, Medium, Large float64
}

// boxAP returns AP@0.5 of dets on scenes for k classes: per class, the
// detections of all images in decreasing score each match the unmatched
// object of that class with the highest IoU ≥ 0.5 in their image (true
// positive) or none (false positive); AP is the area under the precision
// envelope (PASCAL VOC 2010 onwards, COCO's all-point form); the result is
// the mean over the classes that have objects. The size columns are COCO's
// area breakdown with our extent classes: objects of other sizes are
// ignored (a detection matching one counts as nothing), and so are
// unmatched detections whose box is of another size. A size with no object
// is NaN.
func boxAP(scenes []Scene, dets []BoxDetection, k int) BoxAP {
	var r BoxAP
	r.All = meanClassAP(scenes, dets, k, -1)
	r.Small = meanClassAP(scenes, dets, k, Small)
	r.Medium = meanClassAP(scenes, dets, k, Medium)
	r.Large = meanClassAP(scenes, dets, k, Large)
	return r
}

// sizeOfExtent is the size class of a box or object of extent e px.
func sizeOfExtent(e float64) SizeClass {
	switch {
	case e < 8:
		return Small
	case e < 16:
		return Medium
	}
	return Large
}

// meanClassAP is boxAP's mean over classes for one size class (−1: all).
func meanClassAP(scenes []Scene, dets []BoxDetection, k int, size SizeClass) float64 {
	byClass := make([][]BoxDetection, k)
	for _, d := range dets {
		byClass[d.Class] = append(byClass[d.Class], d)
	}
	var sum float64
	var n int
	for c := range k {
		if ap := classAP(scenes, byClass[c], c, size); !math.IsNaN(ap) {
			sum += ap
			n++
		}
	}
	if n == 0 {
		return nan
	}
	return sum / float64(n)
}

// classAP is the AP of one class's detections (see boxAP); NaN when the
// class has no object of the size.
func classAP(scenes []Scene, dets []BoxDetection, class int, size SizeClass) float64 {
	counts := func(o Object) bool { return size < 0 || o.SizeClass() == size }
	npos := 0
	matched := make([][]bool, len(scenes))
	for i, s := range scenes {
		matched[i] = make([]bool, len(s.Objects))
		for _, o := range s.Objects {
			if o.Class == class && counts(o) {
				npos++
			}
		}
	}
	if npos == 0 {
		return nan
	}
	dets = slices.Clone(dets)
	slices.SortStableFunc(dets, func(a, b BoxDetection) int { return cmp.Compare(b.Score, a.Score) })
	var tp, fp int
	var prec, rec []float64
	for _, d := range dets {
		s := scenes[d.Image]
		top, arg := matchIoU, -1
		for oi, o := range s.Objects {
			if o.Class != class || matched[d.Image][oi] {
				continue
			}
			if v := iou(d.Box, objectBox(o)); v >= top {
				top, arg = v, oi
			}
		}
		switch {
		case arg >= 0:
			matched[d.Image][arg] = true
			if !counts(s.Objects[arg]) {
				continue // matched an ignored object
			}
			tp++
		case size >= 0 && sizeOfExtent(d.Box.extent()) != size:
			continue // an unmatched detection of another size
		default:
			fp++
		}
		prec = append(prec, float64(tp)/float64(tp+fp))
		rec = append(rec, float64(tp)/float64(npos))
	}
	// Area under the precision envelope.
	for i := len(prec) - 2; i >= 0; i-- {
		prec[i] = max(prec[i], prec[i+1])
	}
	var ap, last float64
	for i := range prec {
		ap += (rec[i] - last) * prec[i]
		last = rec[i]
	}
	return ap
}

// reachable returns the fraction of the objects of scenes that some
// anchor box overlaps with IoU ≥ 0.5: the recall, and so the AP, that a
// detector without box regression cannot exceed.
func reachable(scenes []Scene, stride int) float64 {
	var n, ok int
	for _, s := range scenes {
		g := s.Size / stride
		for _, o := range s.Objects {
			n++
			found := false
			for i := 0; i < g && !found; i++ {
				for j := 0; j < g && !found; j++ {
					for a := range anchorShapes {
						if iou(anchorBox(i, j, a, stride), objectBox(o)) >= matchIoU {
							found = true
							break
						}
					}
				}
			}
			if found {
				ok++
			}
		}
	}
	if n == 0 {
		return nan
	}
	return float64(ok) / float64(n)
}

// topIndices returns the indices of the n largest values of v (all of
// them if there are fewer), in decreasing value; equal values in
// increasing index, so the result is unique. It selects in linear time
// before sorting the n.
func topIndices(v []float32, n int) []int {
	var idx []int
	if n >= len(v) {
		idx = make([]int, len(v))
		for i := range idx {
			idx[i] = i
		}
	} else {
		cut := kthLargest(slices.Clone(v), n)
		for i, x := range v {
			if x > cut {
				idx = append(idx, i)
			}
		}
		for i, x := range v {
			if len(idx) == n {
				break
			}
			if x == cut {
				idx = append(idx, i)
			}
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(v[b], v[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return idx
}

// kthLargest returns the k-th largest value of v (1 ≤ k ≤ len(v)),
// reordering v (Hoare's quickselect with a middle pivot).
func kthLargest(v []float32, k int) float32 {
	lo, hi, want := 0, len(v)-1, k-1 // want: index in decreasing order
	for lo < hi {
		p := v[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for v[i] > p {
				i++
			}
			for v[j] < p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case want <= j:
			hi = j
		case want >= i:
			lo = i
		default:
			return v[want]
		}
	}
	return v[want]
}

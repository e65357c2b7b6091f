package demo

import (
	"cmp"
	"slices"
)

// A Detection is a local maximum of a score map.
type Detection struct {
	// Image indexes the scene, Cell the cell (row-major) on its grid.
	Image, Cell int
	Score       float32
	// Object is the index in the scene's Objects of the object this
	// detection found, or −1 for a false positive.
	Object int
}

// peaks returns the cells of a g×g score map that are local maxima over
// their 3×3 neighbourhood (non-maximum suppression on the grid). Of equal
// neighbouring scores only the first in row-major order is kept.
func peaks(scores []float32, g int) []int {
	var out []int
	for i := range g {
		for j := range g {
			s := scores[i*g+j]
			peak := true
			for di := -1; di <= 1 && peak; di++ {
				for dj := -1; dj <= 1; dj++ {
					ni, nj := i+di, j+dj
					if (di == 0 && dj == 0) || ni < 0 || nj < 0 || ni >= g || nj >= g {
						continue
					}
					t := scores[ni*g+nj]
					// An earlier equal neighbour wins the tie.
					if t > s || (t == s && ni*g+nj < i*g+j) {
						peak = false
						break
					}
				}
			}
			if peak {
				out = append(out, i*g+j)
			}
		}
	}
	return out
}

// matchDetections returns the peaks of one scene's g×g score map with
// the object each one found. Peaks are taken in decreasing score; a peak
// finds the first not yet found object whose box, grown by half a cell on
// every side, contains the peak cell's centre. A peak that finds no object
// (including a second peak on an already found object) is a false
// positive, as in PASCAL VOC and COCO.
func matchDetections(image int, s Scene, scores []float32, g, stride int) []Detection {
	cells := peaks(scores, g)
	slices.SortStableFunc(cells, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	found := make([]bool, len(s.Objects))
	dets := make([]Detection, len(cells))
	half := float64(stride) / 2
	for k, c := range cells {
		x, y := (float64(c%g)+0.5)*float64(stride), (float64(c/g)+0.5)*float64(stride)
		dets[k] = Detection{Image: image, Cell: c, Score: scores[c], Object: -1}
		for oi, o := range s.Objects {
			if !found[oi] && x >= float64(o.X0)-half && x <= float64(o.X1)+half &&
				y >= float64(o.Y0)-half && y <= float64(o.Y1)+half {
				found[oi] = true
				dets[k].Object = oi
				break
			}
		}
	}
	return dets
}

// A Recall is the fraction of objects found, overall and by size class.
type Recall struct {
	All                  float64
	Small, Medium, Large float64
	// Threshold is the lowest detection score kept.
	Threshold float32
}

// recallAtFPPI returns the object recall of the detections of nImages
// scenes at the lowest score threshold that keeps at most fppi false
// positives per image on average. Detections of equal score are kept or
// dropped together. A size class without objects has recall NaN.
func recallAtFPPI(scenes []Scene, dets []Detection, fppi float64) Recall {
	dets = slices.Clone(dets)
	slices.SortStableFunc(dets, func(a, b Detection) int { return cmp.Compare(b.Score, a.Score) })
	budget := int(fppi * float64(len(scenes)))
	var total [numSizeClasses]int
	for _, s := range scenes {
		for _, o := range s.Objects {
			total[o.SizeClass()]++
		}
	}
	var found, foundTie [numSizeClasses]int
	fp := 0
	r := Recall{Threshold: float32(posInf)}
	for i := 0; i < len(dets); {
		// One group of equal scores.
		j, fpTie := i, 0
		foundTie = [numSizeClasses]int{}
		for ; j < len(dets) && dets[j].Score == dets[i].Score; j++ {
			if d := dets[j]; d.Object < 0 {
				fpTie++
			} else {
				foundTie[scenes[d.Image].Objects[d.Object].SizeClass()]++
			}
		}
		if fp+fpTie > budget {
			break
		}
		fp += fpTie
		for c := range found {
			found[c] += foundTie[c]
		}
		r.Threshold = dets[i].Score
		i = j
	}
	frac := func(f, t int) float64 {
		if t == 0 {
			return nan
		}
		return float64(f) / float64(t)
	}
	r.Small, r.Medium, r.Large = frac(found[Small], total[Small]), frac(found[Medium], total[Medium]), frac(found[Large], total[Large])
	r.All = frac(found[Small]+found[Medium]+found[Large], total[Small]+total[Medium]+total[Large])
	return r
}

// averagePrecision returns the average precision of scores against
// binary targets (y > 0 is positive),
//
//	AP = Σₙ (Rₙ − Rₙ₋₁) Pₙ
//
// over the distinct score thresholds in decreasing order (scikit-learn's
// average_precision_score: no interpolation, ties form one step).
// It is NaN when there is no positive.
func averagePrecision(scores, targets []float32) float64 {
	idx := make([]int, len(scores))
	npos := 0
	for i := range idx {
		idx[i] = i
		if targets[i] > 0 {
			npos++
		}
	}
	if npos == 0 {
		return nan
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	var ap float64
	tp, k := 0, 0
	for k < len(idx) {
		s := scores[idx[k]]
		tpBefore := tp
		for ; k < len(idx) && scores[idx[k]] == s; k++ {
			if targets[idx[k]] > 0 {
				tp++
			}
		}
		ap += float64(tp-tpBefore) / float64(npos) * float64(tp) / float64(k)
	}
	return ap
}

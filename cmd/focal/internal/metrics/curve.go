package metrics

import (
	"fmt"
	"sort"
)

// Point is one operating point of a score threshold: examples with a score
// ≥ Threshold are predicted positive.
type Point struct {
	Threshold float64
	TP, FP    int
	Precision float64
	Recall    float64
}

// PRCurve returns the precision-recall curve of scores p for labels y, one
// Point per distinct score, in decreasing order of threshold (so increasing
// recall). Tied scores form one point, as in scikit-learn's
// precision_recall_curve; the implicit start (recall 0, precision 1) is not
// included.
func PRCurve(p []float64, y []bool) ([]Point, error) {
	if err := checkBinary(p, y); err != nil {
		return nil, err
	}
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	pos := 0
	for _, v := range y {
		if v {
			pos++
		}
	}
	var pts []Point
	tp, fp := 0, 0
	for k, i := range idx {
		if y[i] {
			tp++
		} else {
			fp++
		}
		if k+1 < len(idx) && p[idx[k+1]] == p[i] {
			continue
		}
		pts = append(pts, Point{
			Threshold: p[i],
			TP:        tp,
			FP:        fp,
			Precision: float64(tp) / float64(tp+fp),
			Recall:    float64(tp) / float64(pos),
		})
	}
	return pts, nil
}

// AveragePrecision returns the step-wise area under the precision-recall
// curve,
//
//	AP = Σₖ (Rₖ − Rₖ₋₁) Pₖ,  R₀ = 0,
//
// over the points of PRCurve (scikit-learn's average_precision_score; no
// interpolation). A random ranking has AP ≈ the positive rate.
func AveragePrecision(p []float64, y []bool) (float64, error) {
	pts, err := PRCurve(p, y)
	if err != nil {
		return 0, err
	}
	ap, prev := 0.0, 0.0
	for _, pt := range pts {
		ap += (pt.Recall - prev) * pt.Precision
		prev = pt.Recall
	}
	return ap, nil
}

// BestF1 returns the largest F1 = 2PR/(P + R) over the thresholds of
// PRCurve, with the recall and the threshold where it is reached (the
// highest such threshold on ties). The threshold is chosen on the very data
// it is scored on, so this is an optimistic ("oracle") operating point.
func BestF1(p []float64, y []bool) (f1, recall, threshold float64, err error) {
	pts, err := PRCurve(p, y)
	if err != nil {
		return 0, 0, 0, err
	}
	f1 = -1
	for _, pt := range pts {
		var f float64
		if pt.TP > 0 {
			f = 2 * pt.Precision * pt.Recall / (pt.Precision + pt.Recall)
		}
		if f > f1 {
			f1, recall, threshold = f, pt.Recall, pt.Threshold
		}
	}
	return f1, recall, threshold, nil
}

// RecallAtPrecision returns the largest recall over the thresholds of
// PRCurve whose precision is at least minPrecision, and 0 when none is.
func RecallAtPrecision(p []float64, y []bool, minPrecision float64) (float64, error) {
	pts, err := PRCurve(p, y)
	if err != nil {
		return 0, err
	}
	best := 0.0
	for _, pt := range pts {
		if pt.Precision >= minPrecision && pt.Recall > best {
			best = pt.Recall
		}
	}
	return best, nil
}

func checkBinary(p []float64, y []bool) error {
	if len(p) != len(y) {
		return fmt.Errorf("%w: %d scores, %d labels", ErrLength, len(p), len(y))
	}
	if len(p) == 0 {
		return ErrEmpty
	}
	if err := checkProbs(p); err != nil {
		return err
	}
	pos := 0
	for _, v := range y {
		if v {
			pos++
		}
	}
	if pos == 0 || pos == len(y) {
		return fmt.Errorf("%w: %d positives of %d", ErrOneClass, pos, len(y))
	}
	return nil
}

func checkProbs(p []float64) error {
	for i, v := range p {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("%w: element %d is %v", ErrScore, i, v)
		}
	}
	return nil
}

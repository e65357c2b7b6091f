package metrics

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

// A value is a computed metric and what it should be.
type value struct {
	name      string
	got, want float64
}

// wantValues fails the test for every value more than 1e-12 from what it
// should be; where, when not empty, names the case they belong to.
func wantValues(t *testing.T, where string, values []value) {
	t.Helper()
	if where != "" {
		where += ": "
	}
	for _, v := range values {
		if math.Abs(v.got-v.want) > 1e-12 {
			t.Errorf("%s%s: got %v, want %v", where, v.name, v.got, v.want)
		}
	}
}

// The hand-worked case: scores in decreasing order, labels 1 0 1 1 0 0.
// PR points (P, R): (1, ⅓) (½, ⅓) (⅔, ⅔) (¾, 1) (⅗, 1) (½, 1).
var (
	handP = []float64{0.9, 0.8, 0.7, 0.6, 0.5, 0.4}
	handY = []bool{true, false, true, true, false, false}
)

func TestBinaryHandComputed(t *testing.T) {
	r, err := EvaluateBinary(handP, handY)
	if err != nil {
		t.Fatal(err)
	}
	wantValues(t, "", []value{
		{"AP is Σ ΔR·P = ⅓ + ⅔·⅓ + ¾·⅓", r.AveragePrecision, 29.0 / 36},
		{"ROC-AUC counts 7 of 9 positive-negative pairs ordered", r.ROCAUC, 7.0 / 9},
		{"best F1 is at threshold 0.6: P = ¾, R = 1", r.BestF1, 6.0 / 7},
		{"recall at best F1", r.RecallAtBestF1, 1},
		{"best-F1 threshold", r.BestF1Threshold, 0.6},
		{"only the top score reaches precision 0.9", r.RecallAtPrecision90, 1.0 / 3},
		{"Brier is the mean squared error", r.Brier, 1.31 / 6},
		{"ECE with one example per bin is the mean |y − p|", r.ECE, 2.5 / 6},
	})
	if r.Count != 6 || r.Positives != 3 {
		t.Errorf("count %d positives %d, want 6 and 3", r.Count, r.Positives)
	}
}

func TestECEPoolsBins(t *testing.T) {
	// Two bins, (0, ½] and (½, 1]: {0.5, 0.4}, both negative, adds
	// |0 − 0.9|; {0.9 … 0.6}, three of four positive, adds |3 − 3.0|.
	// 0.9/6.
	got, err := ECE(handP, handY, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !near(got, 0.15) {
		t.Errorf("ECE = %v, want 0.15", got)
	}
	bins, _ := Reliability([]float64{0, 1, 1}, []bool{false, true, true}, 15)
	if bins[14].Count != 2 || bins[0].Count != 1 {
		t.Errorf("confidence 1 must fall in the last bin and 0 in the first: %+v", bins)
	}
}

func TestTiedScoresAreOnePoint(t *testing.T) {
	p := []float64{0.5, 0.5, 0.5, 0.5}
	y := []bool{true, false, true, false}
	pts, _ := PRCurve(p, y)
	if len(pts) != 1 {
		t.Fatalf("%d points for one distinct score", len(pts))
	}
	ap, _ := AveragePrecision(p, y)
	auc, _ := ROCAUC(p, y)
	if !near(ap, 0.5) || !near(auc, 0.5) {
		t.Errorf("all-tied scores: AP %v AUC %v, want 0.5 and 0.5", ap, auc)
	}
}

// ROC-AUC is the Mann-Whitney statistic: P(score₊ > score₋) + ½ P(tie).
func TestROCAUCIsPairwiseOrdering(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		n := 5 + rng.IntN(60)
		p, y := draws(n, func() (float64, bool) { return float64(rng.IntN(7)) / 6, rng.Float64() < 0.4 }) // many ties
		y[0], y[1] = true, false
		var pairs, wins float64
		for i := range p {
			for j := range p {
				if y[i] && !y[j] {
					pairs++
					switch {
					case p[i] > p[j]:
						wins++
					case p[i] == p[j]:
						wins += 0.5
					}
				}
			}
		}
		got, err := ROCAUC(p, y)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-wins/pairs) > 1e-12 {
			t.Errorf("trial %d: ROCAUC %v, pairwise %v", trial, got, wins/pairs)
		}
	}
}

func TestPerfectAndReversedRankings(t *testing.T) {
	y := []bool{false, false, true, true}
	good := []float64{0.1, 0.2, 0.8, 0.9}
	bad := []float64{0.9, 0.8, 0.2, 0.1}
	if r, _ := EvaluateBinary(good, y); r.AveragePrecision != 1 || r.ROCAUC != 1 || r.BestF1 != 1 || r.RecallAtPrecision90 != 1 {
		t.Errorf("perfect ranking: %+v", r)
	}
	if r, _ := EvaluateBinary(bad, y); r.ROCAUC != 0 || r.RecallAtPrecision90 != 0 {
		t.Errorf("reversed ranking: %+v", r)
	}
}

// TestRejectsBadInput: the Evaluate functions name what is wrong with
// their input by the package's errors.
func TestRejectsBadInput(t *testing.T) {
	binary := func(p []float64, y []bool) error { _, err := EvaluateBinary(p, y); return err }
	multiclass := func(probs []float64, y []int, classes int) error {
		_, err := EvaluateMulticlass(probs, y, classes)
		return err
	}
	for _, c := range []struct {
		name string
		err  error
		want error
	}{
		{"length mismatch", binary([]float64{0.1}, []bool{true, false}), ErrLength},
		{"no examples", binary(nil, nil), ErrEmpty},
		{"only positives", binary([]float64{0.1, 0.2}, []bool{true, true}), ErrOneClass},
		{"NaN score", binary([]float64{math.NaN(), 0.2}, []bool{true, false}), ErrScore},
		{"score above one", binary([]float64{1.5, 0.2}, []bool{true, false}), ErrScore},
		{"multi-class label out of range", multiclass([]float64{0.5, 0.5}, []int{3}, 2), ErrLabel},
		{"multi-class short matrix", multiclass([]float64{0.5}, []int{0}, 2), ErrLength},
	} {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, c.err, c.want)
		}
	}
}

func TestMulticlassHandComputed(t *testing.T) {
	probs := []float64{
		0.7, 0.2, 0.1, // y 0, predicted 0
		0.3, 0.6, 0.1, // y 0, predicted 1
		0.2, 0.5, 0.3, // y 1, predicted 1
		0.1, 0.1, 0.8, // y 2, predicted 2
		0.4, 0.3, 0.3, // y 2, predicted 0
	}
	y := []int{0, 0, 1, 2, 2}
	r, err := EvaluateMulticlass(probs, y, 3)
	if err != nil {
		t.Fatal(err)
	}
	wantValues(t, "", []value{
		{"accuracy 3 of 5", r.Accuracy, 0.6},
		{"balanced accuracy is mean recall (½ + 1 + ½)/3", r.BalancedAccuracy, 2.0 / 3},
		{"macro-F1 is (½ + ⅔ + ⅔)/3", r.MacroF1, 11.0 / 18},
		{"recall of class 0", r.Recall[0], 0.5},
		{"recall of class 1", r.Recall[1], 1},
		{"recall of class 2", r.Recall[2], 0.5},
		{"top-label ECE, one example per bin", r.ECE, 0.4},
	})
}

func TestMulticlassAbsentClassLeftOutOfMeans(t *testing.T) {
	// Class 2 is neither present nor predicted: it must not drag the
	// balanced accuracy or macro-F1 down.
	probs := []float64{0.9, 0.05, 0.05, 0.1, 0.8, 0.1}
	r, err := EvaluateMulticlass(probs, []int{0, 1}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r.BalancedAccuracy != 1 || r.MacroF1 != 1 || r.Support[2] != 0 {
		t.Errorf("%+v", r)
	}
}

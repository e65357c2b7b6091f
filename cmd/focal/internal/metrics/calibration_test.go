package metrics

import (
	"errors"
	"math"
	"testing"
)

// The hand-worked multi-class case: 6 examples, 3 classes. The top label
// (confidence, right?) is given per row; row 4 ties classes 0 and 1, and
// the first maximum, class 0, is wrong.
var (
	handProbs = []float64{
		0.9, 0.05, 0.05, // y 0: 0.9 right
		0.25, 0.65, 0.1, // y 1: 0.65 right
		0.3, 0.6, 0.1, // y 0: 0.6 wrong
		0.5, 0.5, 0.0, // y 1: 0.5 wrong (tie: class 0 predicted)
		0.1, 0.1, 0.8, // y 2: 0.8 right
		0.4, 0.35, 0.25, // y 0: 0.4 right
	}
	handLabels = []int{0, 1, 0, 1, 2, 0}
)

func TestTopLabelTakesFirstMaximum(t *testing.T) {
	conf, correct, err := TopLabel(handProbs, handLabels, 3)
	if err != nil {
		t.Fatal(err)
	}
	wantConf := []float64{0.9, 0.65, 0.6, 0.5, 0.8, 0.4}
	wantCorrect := []bool{true, true, false, false, true, true}
	for i := range wantConf {
		if conf[i] != wantConf[i] || correct[i] != wantCorrect[i] {
			t.Errorf("row %d: (%v, %v), want (%v, %v)", i, conf[i], correct[i], wantConf[i], wantCorrect[i])
		}
	}
}

// Three bins: each bin's term |B|·|freq − conf| is |Σ_{i∈B} (oᵢ − cᵢ)|, so
// the errors below are sums of those over N = 6.
func TestCalibrationHandComputedThreeBins(t *testing.T) {
	conf, correct, err := TopLabel(handProbs, handLabels, 3)
	if err != nil {
		t.Fatal(err)
	}
	ece, _ := ECE(conf, correct, 3)
	mce, _ := MCE(conf, correct, 3)
	ada, _ := AdaptiveECE(conf, correct, 3)
	cw, _ := ClasswiseECE(handProbs, handLabels, 3, 3)
	nll, _ := NLL(handProbs, handLabels, 3)
	brier, _ := MulticlassBrier(handProbs, handLabels, 3)
	wantValues(t, "", []value{
		// (0, ⅓] is empty; (⅓, ⅔] holds 0.65✓ 0.6✗ 0.5✗ 0.4✓: 2 − 2.15;
		// (⅔, 1] holds 0.9✓ 0.8✓: 2 − 1.7. (0.15 + 0.3)/6.
		{"top-label ECE", ece, 0.45 / 6},
		// Bin gaps 0.15/4 = 0.0375 and 0.3/2 = 0.15.
		{"MCE is the larger bin gap", mce, 0.15},
		// Sorted 0.4✓ 0.5✗ 0.6✗ 0.65✓ 0.8✓ 0.9✓; ranks 0, 2, 4, 6 give
		// edges 0.4, 0.6, 0.8, 0.9 (rank 6 clamps to the largest).
		// [0.4, 0.6): 1 − 0.9; [0.6, 0.8): 1 − 1.25; [0.8, 0.9]: 2 − 1.7.
		// (0.1 + 0.25 + 0.3)/6.
		{"adaptive ECE, two examples per bin", ada, 0.65 / 6},
		// Class 0, p = .9 .25 .3 .5 .1 .4, y = 1 0 1 0 0 1:
		//   (0, ⅓] .25 .3 .1 → 1 − .65; (⅓, ⅔] .5 .4 → 1 − .9; (⅔, 1] .9 → 1 − .9.
		//   0.35 + 0.1 + 0.1 = 0.55.
		// Class 1, p = .05 .65 .6 .5 .1 .35, y = 0 1 0 1 0 0:
		//   (0, ⅓] .05 .1 → 0 − .15; (⅓, ⅔] .65 .6 .5 .35 → 2 − 2.1. 0.25.
		// Class 2, p = .05 .1 .1 0 .8 .25, y = 0 0 0 0 1 0:
		//   [0, ⅓] .05 .1 .1 0 .25 → 0 − .5; (⅔, 1] .8 → 1 − .8. 0.7.
		// (0.55 + 0.25 + 0.7) / (3 classes · 6).
		{"class-wise ECE", cw, 1.5 / 18},
		// p_y = .9 .65 .3 .5 .8 .4, product 0.02808.
		{"NLL", nll, -math.Log(0.02808) / 6},
		// Σ_c (p_c − 1[y=c])² per row: .01+.0025+.0025, .0625+.1225+.01,
		// .49+.36+.01, .25+.25+0, .01+.01+.04, .36+.1225+.0625
		// = .015 + .195 + .86 + .5 + .06 + .545 = 2.175.
		{"multi-class Brier", brier, 2.175 / 6},
	})
	bins, _ := Reliability(conf, correct, 3)
	want := []Bin{
		{Lo: 0, Hi: 1.0 / 3},
		{Lo: 1.0 / 3, Hi: 2.0 / 3, Count: 4, Confidence: 2.15 / 4, Frequency: 0.5},
		{Lo: 2.0 / 3, Hi: 1, Count: 2, Confidence: 0.85, Frequency: 1},
	}
	for b := range want {
		g, w := bins[b], want[b]
		if g.Lo != w.Lo || g.Hi != w.Hi || g.Count != w.Count ||
			math.Abs(g.Confidence-w.Confidence) > 1e-12 || g.Frequency != w.Frequency {
			t.Errorf("bin %d: %+v, want %+v", b, g, w)
		}
	}
}

// At Bins = 15 every top-label confidence of the multi-class hand case
// has a bin of its own (0.9 → 13, 0.65 → 9, 0.6 = 9/15 → 8, 0.5 → 7,
// 0.8 = 12/15 → 11, 0.4 = 6/15 → 5), and so has every p of the binary
// hand case of metrics_test.go (p = .9 .8 .7 .6 .5 .4, y = 1 0 1 1 0 0),
// in both its forms: ECE is the mean |o − c| and MCE the largest.
func TestEvaluateCalibrationHandComputed(t *testing.T) {
	multi, multiErr := EvaluateCalibration(handProbs, handLabels, 3)
	binary, binaryErr := EvaluateBinaryCalibration(handP, handY)
	for _, c := range []struct {
		name string
		got  Calibration
		err  error
		want refScores
	}{
		{"multi-class", multi, multiErr, refScores{
			// |o − c| = .1 .35 .6 .5 .2 .6.
			ECE: 2.35 / 6,
			MCE: 0.6,
			// 6 examples in 15 equal-mass bins: rank intervals [0.4j, 0.4(j+1))
			// hold at most one rank each (and the largest goes to the last
			// bin), so again one example per bin.
			AdaptiveECE: 2.35 / 6,
			// Class 0 and class 1 each have one example per bin: Σ|y − p| =
			// .1+.25+.7+.5+.1+.6 = 2.25 and .05+.35+.6+.5+.1+.35 = 1.95.
			// Class 2 bins {.05, 0} {.1, .1} {.25} {.8}: .05 + .2 + .25 + .2 = .7.
			ClasswiseECE: 4.9 / 18,
			NLL:          -math.Log(0.02808) / 6,
			Brier:        2.175 / 6,
		}},
		{"binary", binary, binaryErr, refScores{
			// |y − p| = .1 .8 .3 .4 .5 .4.
			ECE:         2.5 / 6,
			MCE:         0.8,
			AdaptiveECE: 2.5 / 6,
			// Singleton bins in both classes: class 0 gives the same Σ|y − p|.
			ClasswiseECE: 2.5 / 6,
			// p of the label = .9 .2 .7 .6 .5 .6.
			NLL: -math.Log(0.9*0.2*0.7*0.6*0.5*0.6) / 6,
			// .01 + .64 + .09 + .16 + .25 + .16.
			Brier: 1.31 / 6,
		}},
	} {
		if c.err != nil {
			t.Fatalf("%s: %v", c.name, c.err)
		}
		wantScores(t, c.name, c.got, c.want)
	}
	if multi.Count != 6 || multi.Classes != 3 || len(multi.Reliability) != Bins {
		t.Errorf("count %d classes %d bins %d, want 6, 3, %d", multi.Count, multi.Classes, len(multi.Reliability), Bins)
	}
	histogram := make([]int, Bins)
	for _, b := range []int{13, 9, 8, 7, 11, 5} {
		histogram[b]++
	}
	for b, bin := range multi.Reliability {
		if bin.Count != histogram[b] {
			t.Errorf("bin %d holds %d confidences, want %d", b, bin.Count, histogram[b])
		}
	}
}

func TestAdaptiveECEHandComputedBinary(t *testing.T) {
	// Sorted .4✗ .5✗ .6✓ .7✓ .8✗ .9✓, 3 bins: edges .4 .6 .8 .9.
	// [.4, .6): 0 − .9; [.6, .8): 2 − 1.3; [.8, .9]: 1 − 1.7.
	got, err := AdaptiveECE(handP, handY, 3)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-2.3/6) > 1e-12 {
		t.Errorf("adaptive ECE = %v, want 2.3/6", got)
	}
}

func TestAdaptiveBinsHoldEveryExample(t *testing.T) {
	// The published loop tests (e_j, e_{j+1}] and so misses the smallest
	// confidence; here every example is counted, in 2 + 2 + 2.
	bins, err := AdaptiveReliability(handP, handY, 3)
	if err != nil {
		t.Fatal(err)
	}
	for b, want := range []Bin{
		{Lo: 0.4, Hi: 0.6, Count: 2, Confidence: 0.45, Frequency: 0},
		{Lo: 0.6, Hi: 0.8, Count: 2, Confidence: 0.65, Frequency: 1},
		{Lo: 0.8, Hi: 0.9, Count: 2, Confidence: 0.85, Frequency: 0.5},
	} {
		g := bins[b]
		if g.Lo != want.Lo || g.Hi != want.Hi || g.Count != want.Count ||
			math.Abs(g.Confidence-want.Confidence) > 1e-12 || g.Frequency != want.Frequency {
			t.Errorf("bin %d: %+v, want %+v", b, g, want)
		}
	}
}

func TestAdaptiveTiesShareOneBin(t *testing.T) {
	for _, c := range []struct {
		name   string
		conf   []float64
		counts []int
	}{
		// Ranks 0, 2, 4, 6 give edges .1 .5 .5 .9: [.1, .5) holds .1 .2,
		// [.5, .5) is empty, and the last bin holds the three .5s and .9.
		{"ties across two edges go to the last bin they reach", []float64{0.5, 0.1, 0.5, 0.9, 0.2, 0.5}, []int{2, 0, 4}},
		{"all equal: every edge is 0.7, the last bin takes all", []float64{0.7, 0.7, 0.7, 0.7, 0.7}, []int{0, 0, 5}},
		{"one example", []float64{0.3}, []int{0, 0, 1}},
	} {
		bins, err := AdaptiveReliability(c.conf, make([]bool, len(c.conf)), 3)
		if err != nil {
			t.Fatal(err)
		}
		for b, want := range c.counts {
			if bins[b].Count != want {
				t.Errorf("%s: bin %d holds %d, want %d", c.name, b, bins[b].Count, want)
			}
		}
	}
}

func TestAdaptiveRemainderSpreadsEvenly(t *testing.T) {
	// 17 distinct confidences in 5 bins: ranks [3.4j, 3.4(j+1)) hold
	// ⌈3.4(j+1)⌉ − ⌈3.4j⌉ = 4 3 4 3 3 examples.
	conf := make([]float64, 17)
	for i := range conf {
		conf[i] = float64(16-i) / 20 // descending: the order must not matter
	}
	bins, err := AdaptiveReliability(conf, make([]bool, 17), 5)
	if err != nil {
		t.Fatal(err)
	}
	for b, want := range []int{4, 3, 4, 3, 3} {
		if bins[b].Count != want {
			t.Errorf("bin %d holds %d, want %d", b, bins[b].Count, want)
		}
	}
}

// Guo et al. close the equal-width bins on the right: ((m−1)/M, m/M].
func TestEqualWidthBinsCloseOnTheRight(t *testing.T) {
	for _, c := range []struct {
		name string
		conf float64
		n    int
		bin  int
	}{
		{"0.5 closes the first of two bins", 0.5, 2, 0},
		{"0.8 = 12/15 closes bin 11", 0.8, 15, 11},
		{"0.4 = 6/15 closes bin 5", 0.4, 15, 5},
		{"just above 0.8 opens bin 12", math.Nextafter(0.8, 1), 15, 12},
		{"0 belongs to the first bin", 0, 15, 0},
		{"1 belongs to the last bin", 1, 15, 14},
		{"0.1 = 1/10 closes bin 0 of 10", 0.1, 10, 0},
		{"0.7 = 7/10 closes bin 6 of 10", 0.7, 10, 6},
	} {
		bins, err := Reliability([]float64{c.conf}, []bool{true}, c.n)
		if err != nil {
			t.Fatal(err)
		}
		if bins[c.bin].Count != 1 {
			t.Errorf("%s: %v fell elsewhere: %+v", c.name, c.conf, bins)
		}
	}
}

func TestNLLFloorsZeroProbability(t *testing.T) {
	// Row 0 gives its label probability 0: it costs −ln 2⁻⁵² = 52 ln 2;
	// row 1 is certain and right and costs 0.
	got, err := NLL([]float64{0, 1, 0, 1}, []int{0, 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := 52 * math.Ln2 / 2; math.Abs(got-want) > 1e-12 {
		t.Errorf("NLL = %v, want %v", got, want)
	}
}

func TestCertainAndRightIsPerfect(t *testing.T) {
	probs := []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}
	r, err := EvaluateCalibration(probs, []int{0, 1, 2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r.ECE != 0 || r.AdaptiveECE != 0 || r.ClasswiseECE != 0 || r.MCE != 0 || r.NLL != 0 || r.Brier != 0 {
		t.Errorf("one-hot right predictions: %+v", r)
	}
}

// A badInput is input that a function of scores p (probabilities, row by
// row, or confidences), labels (class labels, or outcomes) and a count n
// (classes, or bins) must refuse with the error want.
type badInput[L int | bool] struct {
	name   string
	p      []float64
	labels []L
	n      int
	want   error
}

// wantRejected fails the test for every function of funcs, by name, that
// does not refuse every input of cases with its error.
func wantRejected[L int | bool](t *testing.T, funcs map[string]func([]float64, []L, int) error, cases []badInput[L]) {
	t.Helper()
	for fname, f := range funcs {
		for _, c := range cases {
			if err := f(c.p, c.labels, c.n); !errors.Is(err, c.want) {
				t.Errorf("%s, %s: error %v, want %v", fname, c.name, err, c.want)
			}
		}
	}
}

func TestCalibrationRejectsBadInput(t *testing.T) {
	ok := []float64{0.6, 0.4, 0.3, 0.7}
	nan := []float64{0.6, 0.4, math.NaN(), 0.7}
	neg := []float64{0.6, 0.4, -0.1, 1.1}
	matrix := []badInput[int]{
		{"no examples", nil, nil, 2, ErrEmpty},
		{"one class", []float64{1, 1}, []int{0, 0}, 1, ErrLength},
		{"short matrix", ok[:3], []int{0, 1}, 2, ErrLength},
		{"NaN probability", nan, []int{0, 1}, 2, ErrScore},
		{"negative probability", neg, []int{0, 1}, 2, ErrScore},
		{"label past the classes", ok, []int{0, 2}, 2, ErrLabel},
		{"negative label", ok, []int{-1, 0}, 2, ErrLabel},
	}
	matrixFuncs := map[string]func([]float64, []int, int) error{
		"EvaluateCalibration": func(p []float64, y []int, c int) error { _, err := EvaluateCalibration(p, y, c); return err },
		"TopLabel":            func(p []float64, y []int, c int) error { _, _, err := TopLabel(p, y, c); return err },
		"ClasswiseECE":        func(p []float64, y []int, c int) error { _, err := ClasswiseECE(p, y, c, Bins); return err },
		"NLL":                 func(p []float64, y []int, c int) error { _, err := NLL(p, y, c); return err },
		"MulticlassBrier":     func(p []float64, y []int, c int) error { _, err := MulticlassBrier(p, y, c); return err },
	}
	wantRejected(t, matrixFuncs, matrix)
	if _, err := ClasswiseECE(ok, []int{0, 1}, 2, 0); !errors.Is(err, ErrBins) {
		t.Errorf("ClasswiseECE with 0 bins: %v", err)
	}

	binned := []badInput[bool]{
		{"length mismatch", []float64{0.5}, []bool{true, false}, 3, ErrLength},
		{"no examples", nil, nil, 3, ErrEmpty},
		{"no bins", []float64{0.5}, []bool{true}, 0, ErrBins},
		{"NaN confidence", []float64{math.NaN()}, []bool{true}, 3, ErrScore},
		{"confidence above one", []float64{1.5}, []bool{true}, 3, ErrScore},
	}
	binnedFuncs := map[string]func([]float64, []bool, int) error{
		"ECE":                 func(c []float64, o []bool, n int) error { _, err := ECE(c, o, n); return err },
		"MCE":                 func(c []float64, o []bool, n int) error { _, err := MCE(c, o, n); return err },
		"AdaptiveECE":         func(c []float64, o []bool, n int) error { _, err := AdaptiveECE(c, o, n); return err },
		"Reliability":         func(c []float64, o []bool, n int) error { _, err := Reliability(c, o, n); return err },
		"AdaptiveReliability": func(c []float64, o []bool, n int) error { _, err := AdaptiveReliability(c, o, n); return err },
	}
	wantRejected(t, binnedFuncs, binned)
	for _, c := range binned {
		if c.n < 1 {
			continue // EvaluateBinaryCalibration always uses Bins
		}
		if _, err := EvaluateBinaryCalibration(c.p, c.labels); !errors.Is(err, c.want) {
			t.Errorf("EvaluateBinaryCalibration, %s: error %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := EvaluateBinaryCalibration([]float64{0.2, 0.3}, []bool{false, false}); err != nil {
		t.Errorf("a single class is fine for calibration: %v", err)
	}
}

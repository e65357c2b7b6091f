package demo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/metrics"
)

func TestAveragePrecision(t *testing.T) {
	cases := []struct {
		name            string
		scores, targets []float32
		want            float64
	}{
		{"perfect ranking", []float32{0.9, 0.8, 0.1, 0.05}, []float32{1, 1, 0, 0}, 1},
		{"worst ranking", []float32{0.9, 0.8, 0.1, 0.05}, []float32{0, 0, 1, 1}, (1.0/3 + 2.0/4) / 2},
		// sklearn.metrics.average_precision_score([0,1,0,1],[.9,.8,.7,.1]) = 0.5
		{"interleaved (scikit-learn 0.5)", []float32{0.9, 0.8, 0.7, 0.1}, []float32{0, 1, 0, 1}, 0.5},
		{"all tied: the positive fraction", []float32{0.5, 0.5, 0.5, 0.5}, []float32{1, 0, 0, 0}, 0.25},
		{"tie across a positive and a negative is one step", []float32{0.9, 0.5, 0.5}, []float32{1, 1, 0}, 0.5*1 + 0.5*2.0/3},
	}
	for _, c := range cases {
		if got := averagePrecision(c.scores, c.targets); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: AP = %v, want %v", c.name, got, c.want)
		}
	}
	if got := averagePrecision([]float32{1, 2}, []float32{0, 0}); !math.IsNaN(got) {
		t.Errorf("no positives: AP = %v, want NaN", got)
	}
}

func TestPeaksAreLocalMaxima(t *testing.T) {
	cases := []struct {
		name   string
		scores []float32
		want   []int
	}{
		{"one blob has one peak", []float32{
			0, 1, 0, 0,
			1, 3, 2, 0,
			0, 2, 1, 0,
			0, 0, 0, 0}, []int{5}},
		{"two separated peaks and a flat corner", []float32{
			5, 0, 0, 0,
			0, 0, 0, 0,
			0, 0, 0, 4,
			0, 0, 0, 0}, []int{0, 11}},
		{"a plateau keeps its first cell", []float32{
			2, 2, 0, 0,
			2, 2, 0, 0,
			0, 0, 0, 0,
			0, 0, 0, 1}, []int{0, 15}},
	}
	for _, c := range cases {
		if got := peaks(c.scores, 4); !slices.Equal(got, c.want) {
			t.Errorf("%s: peaks %v, want %v", c.name, got, c.want)
		}
	}
}

// A 16-px scene with a 4×4 cell grid (stride 4) and two objects.
var detectScene = Scene{Size: 16, Objects: []Object{
	{X0: 1, Y0: 1, X1: 4, Y1: 4},   // small, in cell 0
	{X0: 8, Y0: 8, X1: 16, Y1: 16}, // medium, cells 10, 11, 14, 15
}}

func TestMatchDetections(t *testing.T) {
	scores := []float32{
		9, 0, 0, 0,
		0, 0, 0, 0,
		0, 0, 8, 0,
		5, 0, 0, 7} // 7 touches 8 (cells 15 and 10): suppressed
	dets := matchDetections(0, detectScene, scores, 4, Stride)
	want := []Detection{
		{Image: 0, Cell: 0, Score: 9, Object: 0},
		{Image: 0, Cell: 10, Score: 8, Object: 1},
		{Image: 0, Cell: 12, Score: 5, Object: -1},
	}
	if !slices.Equal(dets, want) {
		t.Errorf("detections %+v, want %+v", dets, want)
	}
	// A second, separate peak on a found object is a false positive.
	scores = []float32{
		3, 0, 0, 0,
		0, 0, 0, 0,
		0, 0, 8, 0,
		0, 0, 0, 0}
	s := Scene{Size: 16, Objects: []Object{{X0: 0, Y0: 0, X1: 16, Y1: 16}}}
	dets = matchDetections(0, s, scores, 4, Stride)
	if len(dets) != 2 || dets[0].Object != 0 || dets[1].Object != -1 {
		t.Errorf("duplicate peak: detections %+v, want one match then one false positive", dets)
	}
}

func TestRecallAtFPPI(t *testing.T) {
	scenes := []Scene{detectScene, detectScene}
	dets := []Detection{
		{Image: 0, Score: 0.9, Object: 1}, // medium found
		{Image: 1, Score: 0.8, Object: -1},
		{Image: 0, Score: 0.7, Object: -1},
		{Image: 1, Score: 0.6, Object: 0}, // small found
		{Image: 0, Score: 0.5, Object: -1},
		{Image: 1, Score: 0.4, Object: 1},
	}
	cases := []struct {
		name    string
		fppi    float64
		want    Recall
		wantThr float32
	}{
		{"no false positive allowed", 0, Recall{All: 0.25, Small: 0, Medium: 0.5}, 0.9},
		{"one per image", 1, Recall{All: 0.5, Small: 0.5, Medium: 0.5}, 0.6},
		{"all detections", 10, Recall{All: 0.75, Small: 0.5, Medium: 1}, 0.4},
	}
	for _, c := range cases {
		got := recallAtFPPI(scenes, dets, c.fppi)
		if got.All != c.want.All || got.Small != c.want.Small || got.Medium != c.want.Medium ||
			!math.IsNaN(got.Large) || got.Threshold != c.wantThr {
			t.Errorf("%s: %+v, want %+v (large NaN) at threshold %v", c.name, got, c.want, c.wantThr)
		}
	}
	// Ties straddling the budget are dropped together.
	tied := []Detection{{Image: 0, Score: 0.9, Object: 0}, {Image: 0, Score: 0.5, Object: 1}, {Image: 1, Score: 0.5, Object: -1},
		{Image: 1, Score: 0.5, Object: -1}, {Image: 0, Score: 0.5, Object: -1}}
	if got := recallAtFPPI(scenes, tied, 1); got.All != 0.25 || got.Threshold != 0.9 {
		t.Errorf("tied group over budget: %+v, want recall 0.25 at threshold 0.9", got)
	}
}

// TestAveragePrecisionAgreesWithMetrics cross-checks the cell AP against
// the project's metrics package on random scores with many ties.
func TestAveragePrecisionAgreesWithMetrics(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for trial := range 20 {
		n := 50 + rng.IntN(500)
		s32, y32 := make([]float32, n), make([]float32, n)
		s64, yb := make([]float64, n), make([]bool, n)
		for i := range n {
			s32[i] = float32(rng.IntN(20)) / 19 // ties
			s64[i] = float64(s32[i])
			if rng.Float64() < 0.05+0.3*float64(s32[i]) {
				y32[i], yb[i] = 1, true
			}
		}
		yb[0], y32[0], yb[1], y32[1] = true, 1, false, 0 // both classes
		want, err := metrics.AveragePrecision(s64, yb)
		if err != nil {
			t.Fatal(err)
		}
		if got := averagePrecision(s32, y32); math.Abs(got-want) > 1e-12 {
			t.Errorf("trial %d: AP %v, metrics.AveragePrecision %v", trial, got, want)
		}
	}
}

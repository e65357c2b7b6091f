package focal_test

import (
	"errors"
	"math"
	"testing"

	"github.com/focalgo/focal"
)

// TestClassBalancedWeightsMatchReference checks the weights against the
// reference code's numbers (testdata/family/class_balanced.py).
func TestClassBalancedWeightsMatchReference(t *testing.T) {
	cases := []struct {
		beta   float64
		counts []int64
		want   []float64
	}{
		{0.9999, []int64{5000, 2000, 500, 100, 10}, []float64{0.011250024998865184, 0.024419534165252936, 0.09076158346973259, 0.4448659615264944, 4.428702895839654}},
		{0.99, []int64{1, 2, 5, 100, 1000}, []float64{2.8862913161679544, 1.4503976463155621, 0.5889194562081286, 0.04552742204491379, 0.028864159263440433}},
		{0.5, []int64{1, 3, 7}, []float64{1.445528455284553, 0.8260162601626017, 0.7284552845528456}},
		{0.0, []int64{4, 9}, []float64{1.0, 1.0}},
	}
	for _, c := range cases {
		got, err := focal.ClassBalancedWeights(c.beta, c.counts)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.want {
			if !closeTo(got[i], c.want[i], 1e-12) {
				t.Errorf("β = %v: w[%d] = %.16g, want %.16g", c.beta, i, got[i], c.want[i])
			}
		}
	}
}

// TestClassBalancedWeightsLimits checks that the weights sum to C, that
// β = 1 is inverse frequency and β → 1 tends to it, and bad input.
func TestClassBalancedWeightsLimits(t *testing.T) {
	counts := []int64{1, 10, 1000, 3}
	inv, err := focal.ClassBalancedWeights(1, counts)
	if err != nil {
		t.Fatal(err)
	}
	near, _ := focal.ClassBalancedWeights(1-1e-9, counts)
	var sum, isum float64
	for c, n := range counts {
		sum += near[c]
		isum += 1 / float64(n)
	}
	for c, n := range counts {
		want := (1 / float64(n)) / isum * float64(len(counts))
		if !closeTo(inv[c], want, 1e-14) || !closeTo(near[c], want, 1e-5) {
			t.Errorf("class %d: β = 1 gives %v, β = 1 − 1e-9 gives %v, want %v", c, inv[c], near[c], want)
		}
	}
	if math.Abs(sum-float64(len(counts))) > 1e-12 {
		t.Errorf("weights sum to %v, want %d", sum, len(counts))
	}
	for _, bad := range []struct {
		beta   float64
		counts []int64
	}{{-0.1, counts}, {1.1, counts}, {math.NaN(), counts}, {0.9, []int64{3, 0}}, {0.9, nil}} {
		if _, err := focal.ClassBalancedWeights(bad.beta, bad.counts); !errors.Is(err, focal.ErrParam) {
			t.Errorf("ClassBalancedWeights(%v, %v) error = %v, want ErrParam", bad.beta, bad.counts, err)
		}
	}
}

// TestClassCountsAndClassWeights checks counting (out-of-range labels
// skipped) and the [N, C] expansion used as sigmoid weights
// (weights[n·C + c] = w_c): weighting by class equals scaling each class
// column's loss.
func TestClassCountsAndClassWeights(t *testing.T) {
	counts, err := focal.ClassCounts([]int32{0, 2, 2, -100, 1, 2, 7}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if counts[0] != 1 || counts[1] != 1 || counts[2] != 3 {
		t.Errorf("ClassCounts = %v, want [1 1 3]", counts)
	}
	w, _ := focal.ClassBalancedWeights(0.9, counts)
	x := []float64{0.3, -1, 2, 1.5, 0, -0.4}
	y := []float64{1, 0, 0, 0, 0, 1}
	ew := make([]float64, len(x))
	for i := range ew {
		ew[i] = w[i%len(w)]
	}
	loss, plain := make([]float64, len(x)), make([]float64, len(x))
	if _, err := focal.Loss(paper, positives, focal.Outputs[float64]{Loss: loss}, focal.Input[float64]{Logits: x, Targets: y, Weights: ew}); err != nil {
		t.Fatal(err)
	}
	if _, err := focal.Loss(paper, positives, focal.Outputs[float64]{Loss: plain}, focal.Input[float64]{Logits: x, Targets: y}); err != nil {
		t.Fatal(err)
	}
	for i := range x {
		if !closeTo(loss[i], w[i%3]*plain[i], 1e-15) {
			t.Errorf("loss[%d] = %v, want w[%d]·%v", i, loss[i], i%3, plain[i])
		}
	}
	if _, err := focal.ClassCounts([]int{1}, 0); !errors.Is(err, focal.ErrLayout) {
		t.Errorf("ClassCounts(classes 0) error = %v", err)
	}
}

package metrics

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// testdata/calibration_ref.json holds random cases scored by
// testdata/calibration_ref.py, an independent numpy implementation of the
// same definitions (it bins with numpy's interp and histogram, and tests
// equal-width bins one at a time); run that script to regenerate it.
type calibrationRef struct {
	Bins       int                 `json:"bins"`
	NLLFloor   float64             `json:"nll_floor"`
	Multiclass []multiclassRefCase `json:"multiclass"`
	Binary     []binaryRefCase     `json:"binary"`
}

type refScores struct {
	ECE         float64 `json:"ece"`
	MCE         float64 `json:"mce"`
	AdaptiveECE float64 `json:"adaptive_ece"`
	// AdaptiveECELoOpen is the adaptive ECE with the bins tested as
	// (e_j, e_{j+1}], as in Mukhoti et al.'s code.
	AdaptiveECELoOpen float64 `json:"adaptive_ece_lo_open"`
	ClasswiseECE      float64 `json:"classwise_ece"`
	NLL               float64 `json:"nll"`
	Brier             float64 `json:"brier"`
}

type multiclassRefCase struct {
	Name    string    `json:"name"`
	Classes int       `json:"classes"`
	Probs   []float64 `json:"probs"`
	Labels  []int     `json:"labels"`
	refScores
}

type binaryRefCase struct {
	Name string    `json:"name"`
	P    []float64 `json:"p"`
	Y    []bool    `json:"y"`
	refScores
}

func readCalibrationRef(t *testing.T) calibrationRef {
	t.Helper()
	data, err := os.ReadFile("testdata/calibration_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref calibrationRef
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	if ref.Bins != Bins || ref.NLLFloor != NLLFloor || len(ref.Multiclass) == 0 || len(ref.Binary) == 0 {
		t.Fatalf("reference made for %d bins and floor %v, %d + %d cases", ref.Bins, ref.NLLFloor, len(ref.Multiclass), len(ref.Binary))
	}
	return ref
}

// wantScores fails the test for every score of got more than 1e-12 from
// want's; name names the case.
func wantScores(t *testing.T, name string, got Calibration, want refScores) {
	t.Helper()
	wantValues(t, name, []value{
		{"ECE", got.ECE, want.ECE},
		{"MCE", got.MCE, want.MCE},
		{"adaptive ECE", got.AdaptiveECE, want.AdaptiveECE},
		{"class-wise ECE", got.ClasswiseECE, want.ClasswiseECE},
		{"NLL", got.NLL, want.NLL},
		{"Brier", got.Brier, want.Brier},
	})
}

// compareScores holds got to the reference's scores, and its adaptive
// ECE to the published loop's within the bound below.
func compareScores(t *testing.T, name string, got Calibration, want refScores) {
	t.Helper()
	wantScores(t, name, got, want)
	// AdaptiveReliability's doc bounds the distance to the published loop
	// by 2n/N on distinct confidences; the cases with ties are held to it
	// as well.
	if d, bound := math.Abs(got.AdaptiveECE-want.AdaptiveECELoOpen), 2*float64(Bins)/float64(got.Count); d > bound {
		t.Errorf("%s: adaptive ECE %v is %v from the published loop's %v, more than 2n/N = %v",
			name, got.AdaptiveECE, d, want.AdaptiveECELoOpen, bound)
	}
}

func TestCalibrationMatchesNumpyReference(t *testing.T) {
	ref := readCalibrationRef(t)
	for _, c := range ref.Multiclass {
		got, err := EvaluateCalibration(c.Probs, c.Labels, c.Classes)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		compareScores(t, c.Name, got, c.refScores)
	}
	for _, c := range ref.Binary {
		got, err := EvaluateBinaryCalibration(c.P, c.Y)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		compareScores(t, c.Name, got, c.refScores)
	}
}

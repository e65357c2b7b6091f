package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
	"github.com/focalgo/focal/cmd/focal/internal/synthetic"
	"github.com/focalgo/focal/cmd/focal/internal/train"
)

// unchanged fails the test if path's content is no longer content.
func unchanged(t *testing.T, path string, content []byte) {
	t.Helper()
	if b, err := os.ReadFile(path); err != nil || string(b) != string(content) {
		t.Errorf("%s changed (%v)", path, err)
	}
}

// TestPredictRefusesAnOutputNamingItsInputs: predict --out naming its
// --data or --model file, in any spelling, is refused with exit status 2
// and the input is left as it was.
func TestPredictRefusesAnOutputNamingItsInputs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	data := filepath.Base(synthetic.WriteCSV(t, dir, synthetic.Imbalanced(300, 3, 0.1, 2, 5)))
	if _, _, err := execute(NewTrainCommand(), "--quiet", "--data", data, "--epochs", "1", "--save", "m.model"); err != nil {
		t.Fatal(err)
	}
	os.Symlink("m.model", "mlink")
	os.Link(data, "hard.csv")
	model, _ := os.ReadFile("m.model")
	csv, _ := os.ReadFile(data)
	for _, c := range []struct {
		name, out string
		flags     []string
	}{
		{"--out over --data", data, []string{"--out and --data name the same file"}},
		{"--out over --data by absolute path", filepath.Join(dir, data), []string{"--out", "--data", "name the same file"}},
		{"--out over --data by a hard link", "hard.csv", []string{"--out", "--data", "name the same file"}},
		{"--out over --model by ./", "./m.model", []string{"--out", "--model", "name the same file"}},
		{"--out over --model through a link", "mlink", []string{"--out", "--model", "name the same file"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := execute(NewPredictCommand(), "--model", "m.model", "--data", data, "--out", c.out)
			wantStatus2(t, err, c.flags...)
			unchanged(t, "m.model", model)
			unchanged(t, data, csv)
		})
	}
}

// TestTrainChecksItsOutputsBeforeTraining: a --save or --plots
// destination that cannot be written, or that names the data, is refused
// with exit status 2 before any training: nothing is printed.
func TestTrainChecksItsOutputsBeforeTraining(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	data := filepath.Base(synthetic.WriteCSV(t, dir, synthetic.Imbalanced(300, 3, 0.1, 2, 6)))
	csv, _ := os.ReadFile(data)
	os.Mkdir("models", 0o755)
	os.WriteFile("file", []byte("x"), 0o644)
	for _, c := range []refusalAll{
		{"--save a directory", []string{"--save", "models"}, []string{"--save models: is a directory"}},
		{"--save over --data", []string{"--save", "./" + data}, []string{"--save", "--data", "name the same file"}},
		{"--save in a missing directory", []string{"--save", "none/m.model"}, []string{"--save none/m.model: directory none does not exist"}},
		{"--plots a file", []string{"--plots", "file"}, []string{"--plots file: not a directory"}},
		{"--plots and --save the same path", []string{"--save", "p", "--plots", "p"}, []string{"--plots", "--save", "name the same file (p)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, _, err := execute(NewTrainCommand(), append([]string{"--quiet", "--data", data, "--epochs", "1"}, c.args...)...)
			wantStatus2(t, err, c.want...)
			if stdout != "" {
				t.Errorf("trained before refusing: printed %q", stdout)
			}
			unchanged(t, data, csv)
			if _, err := os.Stat("p"); err == nil {
				t.Errorf("p written")
			}
		})
	}
}

// TestTrainPlotsAreValidPNGs: --plots writes, per loss, a reliability
// diagram with its confidence histogram (and class-wise curves on a
// multi-class task, PR curves on a binary one), and all losses' curves on
// one plot; with --temperature-scale before and after. Every file is a PNG
// that decodes, at least 200×200 pixels.
func TestTrainPlotsAreValidPNGs(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"multi-class, scaled", []string{"--data", word3(t, dir), "--loss", "ce,ce:ls=0.1,flsd", "--temperature-scale", "--hidden", "4", "--steps", "20"},
			[]string{"reliability.png", "reliability-bce.png", "reliability-bce_ls=0.1.png", "reliability-flsd.png",
				"classwise-bce.png", "classwise-bce_ls=0.1.png", "classwise-flsd.png"}},
		{"binary", []string{"--data", synthetic.WriteCSV(t, dir, synthetic.Imbalanced(400, 3, 0.2, 1, 1)), "--loss", "bce,focal:alpha=0"},
			[]string{"reliability.png", "reliability-bce.png", "reliability-focal_alpha=0.png", "pr.png", "pr-bce.png", "pr-focal_alpha=0.png"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			plots := filepath.Join(dir, strings.ReplaceAll(c.name, " ", ""))
			if _, _, err := execute(NewTrainCommand(), append([]string{"--quiet", "--plots", plots}, c.args...)...); err != nil {
				t.Fatal(err)
			}
			names := cmdtest.Names(t, plots)
			want := slices.Sorted(slices.Values(c.want))
			if !slices.Equal(names, want) {
				t.Errorf("files %v, want %v", names, want)
			}
			for _, name := range names {
				if b := pngSize(t, filepath.Join(plots, name)); b.Dx() < 200 || b.Dy() < 200 {
					t.Errorf("%s: %v", name, b)
				}
			}
		})
	}
}

// TestClassBalancedSigmoidModelPredicts: --class-balanced alone trains
// cb-focal; its one-against-the-rest sigmoid form saves a model whose
// class probabilities, as focal predict writes them, sum to 1 per row.
func TestClassBalancedSigmoidModelPredicts(t *testing.T) {
	dir := t.TempDir()
	data := word3(t, dir)
	stdout, _, err := execute(NewTrainCommand(), "--quiet", "--data", data, "--class-balanced", "0.99", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r train.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || len(r.Results) != 1 || r.Results[0].Name != "cb-focal" {
		t.Fatalf("--class-balanced alone trained %+v (%v)", r.Results, err)
	}
	model := filepath.Join(dir, "m.model")
	if _, _, err := execute(NewTrainCommand(), "--quiet", "--data", data, "--loss", "cb-focal-sigmoid", "--save", model); err != nil {
		t.Fatal(err)
	}
	m, err := train.Load(model)
	if err != nil || m.Output != train.OutputSigmoid || m.Outputs() != 3 {
		t.Fatalf("model %+v, %v", m, err)
	}
	rows := predicted(t, model, data, filepath.Join(dir, "p.csv"))
	if len(rows) != 61 || strings.Join(rows[0], ",") != "p_a,p_b,p_c" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	for i, row := range rows[1:] {
		sum := 0.0
		for _, v := range row {
			p, _ := strconv.ParseFloat(v, 64)
			sum += p
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Fatalf("row %d: probabilities %v sum to %v", i, row, sum)
		}
	}
}

// TestTemperatureScaleCarvesAValidationSplit: a logistic regression,
// which holds out nothing by default, holds out the default validation
// fraction for --temperature-scale, and reports the fitted temperature.
func TestTemperatureScaleCarvesAValidationSplit(t *testing.T) {
	data := synthetic.WriteCSV(t, t.TempDir(), synthetic.Imbalanced(400, 3, 0.2, 1, 1))
	stdout, _, err := execute(NewTrainCommand(), "--quiet", "--data", data, "--loss", "bce,focal", "--temperature-scale", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r train.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Solver != train.SolverLBFGS || r.Validation == nil || r.Validation.Examples != 64 {
		t.Fatalf("solver %s, validation %+v", r.Solver, r.Validation)
	}
	for _, res := range r.Results {
		c := res.Calibration
		if c == nil || c.After == nil || c.Temperature == nil || c.Temperature.NLLAfter > c.Temperature.NLLBefore {
			t.Errorf("%s: calibration %+v", res.Name, c)
		}
	}
}

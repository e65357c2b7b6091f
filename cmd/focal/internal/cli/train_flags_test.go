package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/synthetic"
	"github.com/focalgo/focal/cmd/focal/internal/train"
)

// TestTrainRefusesBadSettings: every bad value of the training flags, and
// every combination that cannot be honoured, stops focal train with exit
// status 2 and one line naming the flag, before anything is trained or
// written.
func TestTrainRefusesBadSettings(t *testing.T) {
	dir := t.TempDir()
	good := synthetic.WriteCSV(t, dir, synthetic.Imbalanced(400, 3, 0.1, 2, 1))
	model := filepath.Join(dir, "m.model")
	for _, c := range []refusal{
		{"C zero", []string{"--C", "0"}, "--C 0"},
		{"C negative", []string{"--C", "-1"}, "--C -1"},
		{"C NaN", []string{"--C", "nan"}, "--C NaN"},
		{"max-iter zero", []string{"--max-iter", "0"}, "--max-iter 0"},
		{"steps zero", []string{"--steps", "0"}, "--steps 0"},
		{"steps and epochs", []string{"--steps", "100", "--epochs", "2"}, "--steps 100 and --epochs 2"},
		{"batch zero", []string{"--batch", "0"}, "--batch 0"},
		{"lr zero", []string{"--lr", "0"}, "--lr 0"},
		{"lr infinite", []string{"--lr", "inf"}, "--lr +Inf"},
		{"warmup one", []string{"--warmup", "1"}, "--warmup 1"},
		{"warmup negative", []string{"--warmup", "-0.1"}, "--warmup -0.1"},
		{"unknown schedule", []string{"--schedule", "linear"}, `--schedule "linear"`},
		{"negative weight decay", []string{"--weight-decay", "-1"}, "--weight-decay -1"},
		{"eval-every zero", []string{"--eval-every", "0"}, "--eval-every 0"},
		{"negative patience", []string{"--patience", "-1"}, "--patience -1"},
		{"val-fraction one", []string{"--val-fraction", "1"}, "--val-fraction 1"},
		{"val-fraction negative", []string{"--val-fraction", "-0.1"}, "--val-fraction -0.1"},
		{"long-tail below one", []string{"--long-tail", "0.5"}, "--long-tail 0.5"},
		{"unknown solver", []string{"--solver", "sgd"}, `--solver "sgd"`},
		{"lbfgs for an MLP", []string{"--solver", "lbfgs", "--hidden", "8"}, "--solver lbfgs"},
		{"settings of both solvers", []string{"--C", "2", "--lr", "0.1"}, "--solver"},
		{"an Adam setting for lbfgs", []string{"--solver", "lbfgs", "--lr", "0.1"}, "--lr"},
		{"an L-BFGS setting for Adam", []string{"--hidden", "8", "--C", "2"}, "--C"},
		{"seeds not numbers", []string{"--seeds", "1,x"}, `--seeds "1,x"`},
		{"seed twice", []string{"--seeds", "1,1"}, "given twice"},
		{"seeds and seed", []string{"--seeds", "1,2", "--seed", "3"}, "--seeds"},
		{"repeat zero", []string{"--repeat", "0"}, "--repeat 0"},
		{"beta above one", []string{"--class-balanced", "1.5"}, "--class-balanced 1.5"},
		{"beta without a cb- loss", []string{"--class-balanced", "0.99", "--loss", "bce,focal"}, "--class-balanced 0.99"},
		{"alpha list with a word", []string{"--alpha", "0.5,x"}, `--alpha "0.5,x"`},
		{"negative class weight", []string{"--alpha", "0.5,-1"}, `--alpha "0.5,-1"`},
		{"a weight per class, three for two", []string{"--alpha", "1,2,3", "--loss", "focal"}, `--alpha "1,2,3": 3 values for 2 classes`},
		{"cb-balanced", []string{"--loss", "cb-balanced"}, `--loss "cb-balanced"`},
		{"save with seeds", []string{"--seeds", "1,2", "--save", model}, "--save"},
		{"label smoothing one", []string{"--label-smoothing", "1"}, "--label-smoothing 1"},
		{"label smoothing negative", []string{"--label-smoothing", "-0.1"}, "--label-smoothing -0.1"},
		{"label smoothing NaN", []string{"--label-smoothing", "nan"}, "--label-smoothing NaN"},
		{"label smoothing a word", []string{"--label-smoothing", "x"}, "--label-smoothing"},
		{"label smoothing of a binary task", []string{"--label-smoothing", "0.1", "--loss", "bce"}, "--label-smoothing 0.1"},
		{"label smoothing of flsd", []string{"--data", word3(t, t.TempDir()), "--loss", "flsd:ls=0.1"}, "--label-smoothing 0.1"},
		{"loss option without a value", []string{"--loss", "focal:gamma"}, `--loss "focal:gamma"`},
		{"loss option out of range", []string{"--loss", "bce,focal:gamma=-2"}, `--loss "focal:gamma=-2"`},
		{"loss option unknown", []string{"--loss", "focal:tau=1"}, `--loss "focal:tau=1"`},
		{"temperature scaling without validation", []string{"--temperature-scale", "--val-fraction", "0"}, "--temperature-scale"},
		{"temperature scaling of an MLP without validation", []string{"--temperature-scale", "--hidden", "4", "--val-fraction", "0"}, "--temperature-scale"},
		{"temperature-scale given a value", []string{"--temperature-scale=maybe"}, "--temperature-scale"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"--quiet", "--data", good}, c.args...)
			stdout, _, err := execute(NewTrainCommand(), args...)
			wantStatus2(t, err, c.want)
			if stdout != "" {
				t.Errorf("printed %q before refusing", stdout)
			}
			if _, err := os.Stat(model); !os.IsNotExist(err) {
				t.Errorf("--save file written despite the error")
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

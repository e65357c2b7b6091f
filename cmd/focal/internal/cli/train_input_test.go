package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
	"github.com/focalgo/focal/cmd/focal/internal/synthetic"
)

// badRun runs a command that must fail on its input and returns the
// error's message, checking the exit status and that it is one line.
func badRun(t *testing.T, predict bool, args ...string) string {
	t.Helper()
	cmd := NewTrainCommand()
	if predict {
		cmd = NewPredictCommand()
	}
	stdout, _, err := execute(cmd, args...)
	if err == nil {
		t.Fatalf("%v: no error; output %q", args, stdout)
	}
	msg := err.Error()
	if exitcode.Code(err) != 2 || strings.Contains(msg, "\n") {
		t.Errorf("%v: exit status %d, error %q: want status 2 and one line", args, exitcode.Code(err), msg)
	}
	return msg
}

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

func TestDataErrorsNameTheFlagAndTheFile(t *testing.T) {
	dir := t.TempDir()
	good := synthetic.WriteCSV(t, dir, synthetic.Imbalanced(200, 2, 0.2, 2, 1))
	dup := filepath.Join(dir, "dup.csv")
	os.WriteFile(dup, []byte("a,a,b,label\n1,2,3,0\n4,5,6,1\n"), 0o644)
	leak := filepath.Join(dir, "leak.csv")
	os.WriteFile(leak, []byte("a,label,b,label\n1,0,3,0\n4,1,6,1\n"), 0o644)
	absent := filepath.Join(dir, "absent.csv")
	one := filepath.Join(dir, "one.csv")
	os.WriteFile(one, []byte("x,label\n1,1\n2,1\n3,1\n"), 0o644)
	for _, tc := range []refusal{
		{"a feature named twice", []string{"--data", dup}, "--data " + dup + `: duplicate column: "a" appears twice in the header (columns 1 and 2)`},
		{"the label named twice", []string{"--data", leak}, "--data " + leak + `: duplicate column: "label" appears twice in the header (columns 2 and 4)`},
		{"test file with a column named twice", []string{"--data", good, "--test", dup}, "--test " + dup + `: duplicate column: "a" appears twice in the header (columns 1 and 2)`},
		{"missing data file", []string{"--data", absent}, "--data " + absent + ": no such file or directory"},
		{"missing test file", []string{"--data", good, "--test", absent}, "--test " + absent + ": no such file or directory"},
		{"a single class", []string{"--data", one}, "--data " + one + `: a single class: all 3 examples have label "1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if msg := badRun(t, false, append([]string{"--quiet", "--epochs", "1"}, tc.args...)...); msg != tc.want {
				t.Errorf("error %q, want %q", msg, tc.want)
			}
		})
	}
}

func TestPredictErrorsNameTheFlagAndTheFile(t *testing.T) {
	dir := t.TempDir()
	data := synthetic.WriteCSV(t, dir, synthetic.Imbalanced(200, 2, 0.2, 2, 1))
	model := filepath.Join(dir, "m.model")
	if _, _, err := execute(NewTrainCommand(), "--data", data, "--epochs", "1", "--quiet", "--save", model); err != nil {
		t.Fatal(err)
	}
	dup := filepath.Join(dir, "dup.csv")
	os.WriteFile(dup, []byte("f0,f0,f1,label\n1,2,3,0\n"), 0o644)
	// A model saved before duplicate columns were refused: its features
	// name "f0" twice, and predict would feed the first f0 into both.
	raw, _ := os.ReadFile(model)
	twice := filepath.Join(dir, "twice.model")
	os.WriteFile(twice, []byte(strings.Replace(string(raw), `"features":["f0","f1"]`, `"features":["f0","f0"]`, 1)), 0o644)
	absent := filepath.Join(dir, "absent")
	empty := filepath.Join(dir, "empty.model")
	os.WriteFile(empty, nil, 0o644)
	out := filepath.Join(dir, "p.csv")
	for _, tc := range []refusal{
		{"data with a column named twice", []string{"--model", model, "--data", dup}, "--data " + dup + `: duplicate column: "f0" appears twice in the header (columns 1 and 2)`},
		{"missing data file", []string{"--model", model, "--data", absent}, "--data " + absent + ": no such file or directory"},
		{"missing model", []string{"--model", absent, "--data", data}, "--model " + absent + ": no such file or directory"},
		{"model a directory", []string{"--model", dir, "--data", data}, "--model " + dir + ": is a directory, want a model file"},
		{"model an empty file", []string{"--model", empty, "--data", data}, "--model " + empty + ": not a focal model: empty file"},
		{"model naming a feature twice", []string{"--model", twice, "--data", data}, "--model " + twice + `: feature "f0" appears twice (features 1 and 2)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if msg := badRun(t, true, append(tc.args, "--out", out)...); msg != tc.want {
				t.Errorf("error %q, want %q", msg, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("output written despite the error")
			}
		})
	}
}

func TestTrainFlagsRefuseNaNEmptyAndHugeValues(t *testing.T) {
	dir := t.TempDir()
	good := synthetic.WriteCSV(t, dir, synthetic.Imbalanced(200, 2, 0.2, 2, 1))
	long := strings.Repeat("1,", 10000) + "1"
	for _, tc := range []refusal{
		{"NaN gamma", []string{"--gamma", "NaN"}, "--gamma NaN"},
		{"NaN alpha", []string{"--alpha", "NaN"}, `--alpha "NaN"`},
		{"empty label column name", []string{"--label", ""}, "--label"},
		{"10001 hidden layers", []string{"--hidden", long}, "--hidden"},
		{"4·10⁹ weights", []string{"--hidden", "65536,65536"}, "--hidden 65536,65536: more than 67108864 weights"},
		{"long alpha", []string{"--alpha", long}, "--alpha"},
		{"long loss list given twice", []string{"--loss", "bce,bce," + long}, "--loss"},
		{"long param", []string{"--loss", "poly1", "--positive", "1", "--param", "epsilon=" + long}, "--param"},
		{"long param name", []string{"--loss", "poly1", "--positive", "1", "--param", long + "=1"}, "--param"},
		{"long positive class", []string{"--positive", long}, "--positive"},
		{"long label column name", []string{"--label", long}, "no label column"},
		{"long labels file", []string{"--data", good + "," + long}, "holds its own labels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			args := append([]string{"--data", good, "--quiet", "--epochs", "1"}, tc.args...)
			msg := badRun(t, false, args...)
			if !strings.Contains(msg, tc.want) || len(msg) > len(good)+300 {
				t.Errorf("error of %d bytes %.400q…, want a short one mentioning %q", len(msg), msg, tc.want)
			}
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("took %v to refuse", d)
			}
		})
	}
}

func TestBatchLargerThanTheDataIsTheWholeSet(t *testing.T) {
	dir := t.TempDir()
	good := synthetic.WriteCSV(t, dir, synthetic.Imbalanced(200, 2, 0.2, 2, 1))
	stdout, _, err := execute(NewTrainCommand(), "--data", good, "--quiet", "--epochs", "2", "--batch", "99999999999", "--loss", "bce", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, `"steps": 2`) {
		t.Errorf("--batch beyond the data: want one step per epoch, 2 in all:\n%s", stdout)
	}
}

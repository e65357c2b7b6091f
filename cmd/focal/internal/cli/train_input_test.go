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

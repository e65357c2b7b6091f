package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
	"github.com/focalgo/focal/cmd/focal/internal/synthetic"
	"github.com/focalgo/focal/cmd/focal/internal/train"
)

func execute(cmd *cobra.Command, args ...string) (stdout, stderr string, err error) {
	var o, e bytes.Buffer
	cmd.SetOut(&o)
	cmd.SetErr(&e)
	cmd.SetArgs(args)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err = cmd.Execute()
	return o.String(), e.String(), err
}

// predicted runs focal predict with model on data, writing the CSV file
// out, and returns the file's rows; any error fails the test.
func predicted(t *testing.T, model, data, out string) [][]string {
	t.Helper()
	if _, _, err := execute(NewPredictCommand(), "--model", model, "--data", data, "--out", out); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	return rows
}

func TestTrainCommandBadInputIsExitStatus2(t *testing.T) {
	dir := t.TempDir()
	good := synthetic.WriteCSV(t, dir, synthetic.Imbalanced(400, 3, 0.05, 2, 1))
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	empty := file("empty.csv", "")
	oneClass := file("one.csv", "label,x\n1,0.5\n1,0.7\n1,0.1\n")
	nan := file("nan.csv", "label,x\n0,0.5\n1,nan\n")
	word := file("word.csv", "label,x,y\n0,0.5,1\n1,0.7,oops\n")
	model := filepath.Join(dir, "m.model")
	for _, c := range []refusal{
		{"empty file", []string{"--data", empty}, "empty file"},
		{"single class", []string{"--data", oneClass}, "single class"},
		{"missing label column", []string{"--data", good, "--label", "target"}, `no label column "target"`},
		{"NaN feature", []string{"--data", nan}, "line 3, column 2"},
		{"non-numeric cell", []string{"--data", word}, `line 3, column 3 ("y"): "oops"`},
		{"missing file", []string{"--data", filepath.Join(dir, "nope.csv")}, "nope.csv"},
		{"unknown loss", []string{"--data", good, "--loss", "hinge"}, `--loss "hinge"`},
		{"bad hidden", []string{"--data", good, "--hidden", "64,x"}, "--hidden"},
		{"bad alpha", []string{"--data", good, "--alpha", "2"}, "--alpha"},
		{"zero epochs", []string{"--data", good, "--epochs", "0"}, "--epochs"},
		{"bad test fraction", []string{"--data", good, "--test-fraction", "1.5"}, "--test-fraction"},
		{"unknown flag", []string{"--data", good, "--epoch", "3"}, "unknown flag"},
		{"unknown positive class", []string{"--data", good, "--positive", "7"}, `--positive "7"`},
		{"save with two losses", []string{"--data", good, "--loss", "bce,focal", "--save", model}, "--save"},
		{"no data", []string{"--epochs", "1"}, "--data"},
		{"test file and fraction", []string{"--data", good, "--test", good, "--test-fraction", "0.3"}, "--test-fraction"},
		{"bad family parameter", []string{"--data", good, "--loss", "poly1", "--param", "epsilon"}, "--param"},
		{"family loss on a multi-class task", []string{"--data", word3(t, dir), "--loss", "asl"}, "--positive"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"--quiet", "--epochs", "1"}, c.args...)
			if !strings.Contains(strings.Join(c.args, " "), "--save") {
				args = append(args, "--save", model)
			}
			_, _, err := execute(NewTrainCommand(), args...)
			wantStatus2(t, err, c.want)
			if _, err := os.Stat(model); !os.IsNotExist(err) {
				t.Errorf("--save file written despite the error")
			}
		})
	}
}

func TestTrainSavePredictRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := synthetic.Imbalanced(600, 4, 0.05, 2, 3)
	data := synthetic.WriteCSV(t, dir, s)
	model := filepath.Join(dir, "m.model")
	stdout, _, err := execute(NewTrainCommand(), "--data", data, "--hidden", "8", "--epochs", "2",
		"--loss", "focal", "--save", model, "--json", "--plots", filepath.Join(dir, "plots"))
	if err != nil {
		t.Fatal(err)
	}
	var r train.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, stdout)
	}
	if r.Task != "binary" || r.Positive != "1" || len(r.Results) != 1 || r.Results[0].Binary == nil || r.Results[0].Epochs != 2 {
		t.Fatalf("report %+v", r)
	}
	for _, f := range []string{"pr-focal.png", "reliability-focal.png"} {
		if st, err := os.Stat(filepath.Join(dir, "plots", f)); err != nil || st.Size() == 0 {
			t.Errorf("plot %s: %v", f, err)
		}
	}
	m, err := train.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Predict(s.X, s.N)
	if err != nil {
		t.Fatal(err)
	}

	rows := predicted(t, model, data, filepath.Join(dir, "p.csv"))
	if len(rows) != s.N+1 || rows[0][0] != "p_1" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	for i, row := range rows[1:] {
		v, _ := strconv.ParseFloat(row[0], 64)
		if v != want[i] {
			t.Fatalf("row %d: %v, want %v", i, v, want[i])
		}
	}

	// A CSV without the label column, features in another order.
	var b strings.Builder
	b.WriteString("f3,f2,f1,f0\n")
	for i := range s.N {
		r := s.Row(i)
		for j := 3; j >= 0; j-- {
			b.WriteString(strconv.FormatFloat(float64(r[j]), 'g', -1, 32))
			if j > 0 {
				b.WriteString(",")
			}
		}
		b.WriteString("\n")
	}
	shuffled := filepath.Join(dir, "shuffled.csv")
	os.WriteFile(shuffled, []byte(b.String()), 0o644)
	npy := filepath.Join(dir, "p.npy")
	if _, _, err := execute(NewPredictCommand(), "--model", model, "--data", shuffled, "--out", npy); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(npy); err != nil || st.Size() < int64(8*s.N) {
		t.Errorf(".npy output: %v", err)
	}

	// Bad input: nothing written, exit status 2.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("f0,f1\n1,2\n"), 0o644)
	out2 := filepath.Join(dir, "never.csv")
	for _, args := range [][]string{
		{"--model", model, "--data", bad, "--out", out2},
		{"--model", data, "--data", data, "--out", out2},
		{"--model", model, "--data", data},
	} {
		_, _, err := execute(NewPredictCommand(), args...)
		if exitcode.Code(err) != 2 {
			t.Errorf("%v: exit status %d (%v), want 2", args, exitcode.Code(err), err)
		}
		if _, err := os.Stat(out2); !os.IsNotExist(err) {
			t.Errorf("%v: output written despite the error", args)
		}
	}
}

func TestTrainCompareTable(t *testing.T) {
	dir := t.TempDir()
	data := synthetic.WriteCSV(t, dir, synthetic.Imbalanced(800, 4, 0.05, 2, 4))
	plots := filepath.Join(dir, "plots")
	stdout, stderr, err := execute(NewTrainCommand(), "--data", data, "--epochs", "2", "--compare", "--lr", "0.01", "--plots", plots)
	if err != nil {
		t.Fatal(err)
	}
	if stderr != "" {
		t.Errorf("stdout is not a terminal, yet stderr got %q (a progress bar?)", stderr)
	}
	for _, f := range []string{"pr.png", "pr-bce.png", "pr-balanced.png", "reliability-focal.png"} {
		if _, err := os.Stat(filepath.Join(plots, f)); err != nil {
			t.Errorf("plot %s: %v", f, err)
		}
	}
	for _, want := range []string{"bce ", "balanced α=0.75", "focal α=0.25 γ=2", "AP", "recall@P≥0.9"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
}

func TestTrainMulticlassTable(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("x,y,label\n")
	for i := range 600 {
		c := []string{"cat", "dog", "eel"}[i%3]
		x, y := float64(i%3), float64((i*7)%5)/5
		b.WriteString(strconv.FormatFloat(x+y, 'g', -1, 64) + "," + strconv.FormatFloat(y, 'g', -1, 64) + "," + c + "\n")
	}
	p := filepath.Join(dir, "three.csv")
	os.WriteFile(p, []byte(b.String()), 0o644)
	stdout, _, err := execute(NewTrainCommand(), "--data", p, "--epochs", "3", "--lr", "0.05", "--loss", "bce,focal")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"multi-class task: 3 classes", "balanced acc", "recall per class", "eel", "focal γ=2"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
}

func TestTrainWithSeparateTestFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, classes []string, n int) string {
		var b strings.Builder
		b.WriteString("x,label\n")
		for i := range n {
			k := i % len(classes)
			b.WriteString(strconv.Itoa(k*3+i%2) + "," + classes[k] + "\n")
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(b.String()), 0o644)
		return p
	}
	// The test file has a class the training file lacks: the class indices
	// must still agree between the two.
	tr := write("train.csv", []string{"a", "c"}, 200)
	te := write("test.csv", []string{"a", "b", "c"}, 90)
	stdout, _, err := execute(NewTrainCommand(), "--data", tr, "--test", te, "--positive", "c", "--epochs", "5", "--batch", "16", "--lr", "0.05", "--loss", "bce", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r train.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	// Adam holds out a validation split of the training file.
	if r.Test.Examples != 90 || r.Test.PerClass[1] != 30 || r.Validation == nil || r.Train.PerClass[1]+r.Validation.PerClass[1] != 100 {
		t.Errorf("train %+v validation %+v test %+v", r.Train, r.Validation, r.Test)
	}
	if auc := r.Results[0].Binary.ROCAUC; auc < 0.9 {
		t.Errorf("ROC-AUC %.3f on a separable task", auc)
	}
}

// word3 writes a three-class CSV file.
func word3(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("x,label\n")
	for i := range 60 {
		b.WriteString(strconv.Itoa(i) + "," + []string{"a", "b", "c"}[i%3] + "\n")
	}
	p := filepath.Join(dir, "three.csv")
	os.WriteFile(p, []byte(b.String()), 0o644)
	return p
}

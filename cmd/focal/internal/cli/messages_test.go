package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mainRun runs Main and returns its exit status, stdout and stderr.
func mainRun(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

// badFiles writes inputs for the error cases below into dir.
func badFiles(t *testing.T, dir string) func(string) string {
	p := func(n string) string { return filepath.Join(dir, n) }
	writeRaw(t, p("x.npy"), "<f4", []int{2, 3}, []float32{0, 1, 2, 3, 4, 5})
	writeRaw(t, p("y.npy"), "<f4", []int{2, 3}, []float32{0, 1, 0, 0, 0, 1})
	writeRaw(t, p("wnan.npy"), "<f4", []int{2, 3}, []float32{1, 1, float32(nan()), 1, 1, 1})
	writeRaw(t, p("lab3.npy"), "<i8", []int{2}, []int64{0, 3})
	os.WriteFile(p("d.csv"), []byte("a,label\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n7,0\n8,1\n9,0\n10,1\n"), 0o644)
	return p
}

// sigmoidArgs is focal loss on the files x.npy and y.npy that p names;
// softmaxArgs, with --kind softmax and the labels named.
func sigmoidArgs(p func(string) string) []string {
	return []string{"loss", "--logits", p("x.npy"), "--targets", p("y.npy")}
}

func softmaxArgs(p func(string) string, labels string) []string {
	return []string{"loss", "--kind", "softmax", "--logits", p("x.npy"), "--targets", p(labels)}
}

// with returns base followed by extra, in a new slice.
func with(base []string, extra ...string) []string {
	return append(append([]string{}, base...), extra...)
}

func TestEveryErrorSaysFocalOnce(t *testing.T) {
	p := badFiles(t, t.TempDir())
	sig := sigmoidArgs(p)
	for _, tc := range []refusal{
		{"NaN weight", with(sig, "--weights", p("wnan.npy")), "--weights " + p("wnan.npy") + ": invalid weight: weights[2] = NaN"},
		{"infinite family parameter", with(sig, "--kind", "poly1", "--param", "epsilon=Inf"), "--kind poly1: invalid parameter: epsilon = +Inf"},
		{"family parameter out of range", with(sig, "--kind", "reduced", "--param", "threshold=5"), "--kind reduced: invalid parameter: threshold = 5"},
		{"softmax label out of range", softmaxArgs(p, "lab3.npy"), "label out of range: labels[1] = 3"},
		{"curve of a bad family parameter", []string{"curve", "--kind", "poly1", "--param", "epsilon=Inf", "--out", p("c")}, "invalid parameter: epsilon = +Inf"},
		{"train with a bad family parameter", []string{"train", "--data", p("d.csv"), "--loss", "reduced", "--positive", "1", "--param", "threshold=5", "--quiet"}, "invalid parameter: threshold = 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := mainRun(tc.args...)
			if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "focal: ") {
				t.Errorf("status %d, stderr %q: want status 2 and one line starting \"focal: \"", code, stderr)
			}
			if n := strings.Count(stderr, "focal:"); n != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q says \"focal:\" %d times, want once, and %q", stderr, n, tc.want)
			}
		})
	}
}

func TestErrorsQuoteAShortPrefixOfALongValue(t *testing.T) {
	p := badFiles(t, t.TempDir())
	long := strings.Repeat("1,", 5000) + "1" // 10001 values
	sig, soft := sigmoidArgs(p), softmaxArgs(p, "lab3.npy")
	for _, tc := range []refusal{
		{"curve --gamma", []string{"curve", "--gamma", long}, "--gamma"},
		{"curve --gamma with a bad value last", []string{"curve", "--gamma", long + ",x"}, "--gamma"},
		{"curve --kind", []string{"curve", "--kind", long}, "--kind"},
		{"curve --param", []string{"curve", "--kind", "poly1", "--param", long}, "--param"},
		{"curve --param value", []string{"curve", "--kind", "poly1", "--param", "epsilon=" + long}, "--param"},
		{"curve --alpha", []string{"curve", "--alpha", long}, "--alpha"},
		{"curve --points", []string{"curve", "--points", strings.Repeat("9", 10000)}, "--points"},
		{"loss --alpha", with(sig, "--alpha", long), "--alpha"},
		{"loss --reduction", with(sig, "--reduction", long), "--reduction"},
		{"loss --kind", with(sig, "--kind", long), "--kind"},
		{"loss --ignore-index", with(sig, "--ignore-index", strings.Repeat("9", 10000)), "--ignore-index"},
		{"softmax --alpha with a bad value", with(soft, "--alpha", long+",x"), "--alpha"},
		{"softmax --alpha count", with(soft, "--alpha", long), "--alpha"},
		{"softmax --class-axis", with(soft, "--class-axis", long), "--class-axis"},
		{"unknown flag", []string{"curve", "--" + long}, `unknown flag "--1,1,`},
		{"unknown shorthand flag", []string{"curve", "-" + long}, `unknown shorthand flag "1" in "-1,1,`},
		{"unknown command", []string{long}, "unknown command"},
		{"stray argument", []string{"curve", long}, "argument"},
		{"train --alpha", []string{"train", "--data", p("d.csv"), "--alpha", long}, "--alpha"},
		{"train --epochs", []string{"train", "--data", p("d.csv"), "--epochs", strings.Repeat("9", 10000)}, "--epochs"},
		{"train stray argument", []string{"train", "--data", p("d.csv"), long}, "argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := mainRun(tc.args...)
			if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("status %d, stderr %.200q…: want status 2 and one line naming %s", code, stderr, tc.want)
			}
			if len(stderr) > 400 || !strings.Contains(stderr, "…") {
				t.Errorf("stderr of %d bytes %.400q…: want a clipped value", len(stderr), stderr)
			}
		})
	}
}

func TestLossReadsArraysFromPipes(t *testing.T) {
	p := badFiles(t, t.TempDir())
	_, want, _ := mainRun("loss", "--logits", p("x.npy"), "--targets", p("y.npy"))
	code, got, stderr := mainRun("loss", "--logits", fifoOf(t, p("x.npy")), "--targets", fifoOf(t, p("y.npy")))
	if code != 0 || got != want || want == "" {
		t.Errorf("from pipes: status %d, stdout %q, stderr %q; want status 0 and %q as from the files", code, got, stderr, want)
	}
}

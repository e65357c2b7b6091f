package cli

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/focalgo/focal/cmd/focal/internal/npy"
)

// run executes the focal command with args and returns its stdout and error.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := Root()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// printed runs the focal command with two command lines and returns what
// each printed; an error fails the test.
func printed(t *testing.T, first, second []string) (string, string) {
	t.Helper()
	var outs [2]string
	for i, args := range [][]string{first, second} {
		out, err := run(t, args...)
		if err != nil {
			t.Fatalf("focal %s: %v", strings.Join(args, " "), err)
		}
		outs[i] = out
	}
	return outs[0], outs[1]
}

type goldenCase struct {
	Name, Kind, Reduction, Dtype string
	Alpha                        any
	Gamma, Tol                   float64
	IgnoreIndex                  *int `json:"ignore_index"`
}

func (c goldenCase) args(dir string) []string {
	g := filepath.Join(goldenDir, c.Name)
	a := []string{"loss", "--kind", c.Kind, "--logits", g + ".logits.npy", "--targets", g + ".targets.npy",
		"--gamma", strconv.FormatFloat(c.Gamma, 'g', -1, 64), "--reduction", c.Reduction,
		"--out", filepath.Join(dir, "loss.npy"), "--grad", filepath.Join(dir, "grad.npy")}
	switch al := c.Alpha.(type) {
	case float64:
		a = append(a, "--alpha", strconv.FormatFloat(al, 'g', -1, 64))
	case []any:
		var s []string
		for _, v := range al {
			s = append(s, strconv.FormatFloat(v.(float64), 'g', -1, 64))
		}
		a = append(a, "--alpha", strings.Join(s, ","))
	}
	if c.IgnoreIndex != nil {
		a = append(a, "--ignore-index", strconv.Itoa(*c.IgnoreIndex))
	}
	return a
}

func readAll(t *testing.T, path string) *npy.Array {
	t.Helper()
	a, err := npy.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// goldenDir holds the PyTorch reference cases the core package's tests use
// too (one copy in the repository).
const goldenDir = "../../../../testdata/golden"

// TestLossMatchesPyTorchGolden runs every PyTorch case of testdata/golden
// (torchvision's sigmoid_focal_loss and a softmax focal loss, made by
// testdata/golden/gen.py) through the command and compares the loss and
// the gradient, their shapes and dtypes.
func TestLossMatchesPyTorchGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(goldenDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 12 {
		t.Fatalf("%d golden cases, want at least 12", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := run(t, c.args(dir)...); err != nil {
				t.Fatal(err)
			}
			g := filepath.Join(goldenDir, c.Name)
			for _, o := range []struct{ got, want string }{{"loss.npy", ".loss.npy"}, {"grad.npy", ".grad.npy"}} {
				got, want := readAll(t, filepath.Join(dir, o.got)), readAll(t, g+o.want)
				if got.Dtype != want.Dtype || fmt.Sprint(got.Shape) != fmt.Sprint(want.Shape) {
					t.Fatalf("%s: dtype %s shape %v, want %s %v", o.got, got.Dtype, got.Shape, want.Dtype, want.Shape)
				}
				gv, wv := got.Float64(), want.Float64()
				for i := range wv {
					if !scalar.EqualWithinAbsOrRel(gv[i], wv[i], c.Tol, 10*c.Tol) {
						t.Fatalf("%s[%d] = %v, want %v (tol %g)", o.got, i, gv[i], wv[i], c.Tol)
					}
				}
			}
		})
	}
}

func TestLossPrintsTheReducedValueWithoutOut(t *testing.T) {
	g := filepath.Join(goldenDir, "sig_mean_a25_g2")
	out, err := run(t, "loss", "--logits", g+".logits.npy", "--targets", g+".targets.npy")
	if err != nil {
		t.Fatal(err)
	}
	got, err := strconv.ParseFloat(strings.TrimSpace(out), 64)
	if err != nil {
		t.Fatalf("stdout %q is not one number", out)
	}
	want := readAll(t, g+".loss.npy").Float64()[0]
	if !scalar.EqualWithinRel(got, want, 1e-5) {
		t.Errorf("printed %v, want torchvision's %v with the default α = 0.25, γ = 2, mean", got, want)
	}
}

func TestLossHessianMatchesFiniteDifferencesOfGradient(t *testing.T) {
	dir := t.TempDir()
	x := []float64{-3, -0.5, 0, 0.7, 4}
	y := []float64{1, 0, 1, 1, 0}
	writeF64(t, filepath.Join(dir, "x.npy"), []int{5}, x)
	writeF64(t, filepath.Join(dir, "y.npy"), []int{5}, y)
	if _, err := run(t, "loss", "--logits", filepath.Join(dir, "x.npy"), "--targets", filepath.Join(dir, "y.npy"),
		"--reduction", "sum", "--grad", filepath.Join(dir, "g.npy"), "--hess", filepath.Join(dir, "h.npy")); err != nil {
		t.Fatal(err)
	}
	h := readAll(t, filepath.Join(dir, "h.npy")).F64
	const step = 1e-5
	for i := range x {
		var g [2][]float64
		for k, d := range []float64{-step, step} {
			xs := append([]float64(nil), x...)
			xs[i] += d
			writeF64(t, filepath.Join(dir, "xs.npy"), []int{5}, xs)
			if _, err := run(t, "loss", "--logits", filepath.Join(dir, "xs.npy"), "--targets", filepath.Join(dir, "y.npy"),
				"--reduction", "sum", "--grad", filepath.Join(dir, "gs.npy")); err != nil {
				t.Fatal(err)
			}
			g[k] = readAll(t, filepath.Join(dir, "gs.npy")).F64
		}
		if fd := (g[1][i] - g[0][i]) / (2 * step); !scalar.EqualWithinAbsOrRel(h[i], fd, 1e-6, 1e-5) {
			t.Errorf("hess[%d] = %v, finite difference of the gradient %v", i, h[i], fd)
		}
	}
}

func writeF64(t *testing.T, path string, shape []int, v []float64) {
	t.Helper()
	var b bytes.Buffer
	if err := npy.Write(&b, shape, v); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeRaw writes an .npy file with any dtype descr and raw little-endian data.
func writeRaw(t *testing.T, path, descr string, shape []int, data any) {
	t.Helper()
	sh := strings.Trim(fmt.Sprint(shape), "[]")
	sh = "(" + strings.ReplaceAll(sh, " ", ", ")
	if len(shape) == 1 {
		sh += ","
	}
	sh += ")"
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, sh)
	hdr += strings.Repeat(" ", 63-(10+len(hdr))%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	b.WriteString(hdr)
	if err := binary.Write(&b, binary.LittleEndian, data); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLossAcceptsEveryTargetDtype(t *testing.T) {
	dir := t.TempDir()
	x := []float32{-2, 0.5, 3}
	writeRaw(t, filepath.Join(dir, "x.npy"), "<f4", []int{3}, x)
	writeRaw(t, filepath.Join(dir, "f4.npy"), "<f4", []int{3}, []float32{1, 0, 1})
	writeRaw(t, filepath.Join(dir, "f8.npy"), "<f8", []int{3}, []float64{1, 0, 1})
	writeRaw(t, filepath.Join(dir, "b1.npy"), "|b1", []int{3}, []bool{true, false, true})
	writeRaw(t, filepath.Join(dir, "u1.npy"), "|u1", []int{3}, []uint8{1, 0, 1})
	writeRaw(t, filepath.Join(dir, "i8.npy"), "<i8", []int{3}, []int64{1, 0, 1})
	writeRaw(t, filepath.Join(dir, "i4.npy"), "<i4", []int{3}, []int32{1, 0, 1})
	var first string
	for _, d := range []string{"f4", "f8", "b1", "u1", "i8", "i4"} {
		out, err := run(t, "loss", "--logits", filepath.Join(dir, "x.npy"), "--targets", filepath.Join(dir, d+".npy"))
		if err != nil {
			t.Fatalf("targets %s: %v", d, err)
		}
		if first == "" {
			first = out
		} else if out != first {
			t.Errorf("targets %s give %q, float32 targets %q", d, out, first)
		}
	}
}

func TestLossIgnoresTargetsEqualToTheIgnoreIndex(t *testing.T) {
	dir := t.TempDir()
	writeF64(t, filepath.Join(dir, "x.npy"), []int{3}, []float64{-2, 0.5, 3})
	writeF64(t, filepath.Join(dir, "y.npy"), []int{3}, []float64{1, -100, 1})
	writeF64(t, filepath.Join(dir, "x2.npy"), []int{2}, []float64{-2, 3})
	writeF64(t, filepath.Join(dir, "y2.npy"), []int{2}, []float64{1, 1})
	a, b := printed(t,
		[]string{"loss", "--logits", filepath.Join(dir, "x.npy"), "--targets", filepath.Join(dir, "y.npy")},
		[]string{"loss", "--logits", filepath.Join(dir, "x2.npy"), "--targets", filepath.Join(dir, "y2.npy")})
	if a != b {
		t.Errorf("mean with an ignored element %q, without it %q", a, b)
	}
}

func TestSoftmaxClassAxisLastEqualsClassSecond(t *testing.T) {
	dir := t.TempDir()
	// [N=2, C=3] with the class axis second is the same array as [2, 3] last.
	x := []float64{1, -1, 0.5, 2, 0, -3}
	writeF64(t, filepath.Join(dir, "x.npy"), []int{2, 3}, x)
	writeRaw(t, filepath.Join(dir, "y.npy"), "<i8", []int{2}, []int64{2, 0})
	// The same logits as [1, 3, 2]: N=1, C=3, d=2 (transposed).
	xt := []float64{1, 2, -1, 0, 0.5, -3}
	writeF64(t, filepath.Join(dir, "xt.npy"), []int{1, 3, 2}, xt)
	writeRaw(t, filepath.Join(dir, "yt.npy"), "<i8", []int{1, 2}, []int64{2, 0})
	a, b := printed(t,
		[]string{"loss", "--kind", "softmax", "--class-axis", "last", "--logits", filepath.Join(dir, "x.npy"), "--targets", filepath.Join(dir, "y.npy")},
		[]string{"loss", "--kind", "softmax", "--logits", filepath.Join(dir, "xt.npy"), "--targets", filepath.Join(dir, "yt.npy")})
	av, _ := strconv.ParseFloat(strings.TrimSpace(a), 64)
	bv, _ := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if !scalar.EqualWithinRel(av, bv, 1e-12) || av <= 0 {
		t.Errorf("class axis last %q, class axis second on the transposed array %q", a, b)
	}
}

// TestLossBadInput checks that every bad input gives one line naming the
// flag or file and the problem, exit status 2, and no output file.
func TestLossBadInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.Mkdir(in, 0o755)
	p := badFiles(t, in)
	writeRaw(t, p("y23.npy"), "<f4", []int{3, 2}, []float32{0, 1, 0, 0, 0, 1})
	writeRaw(t, p("ynan.npy"), "<f4", []int{2, 3}, []float32{0, 1, float32(nan()), 0, 0, 1})
	writeRaw(t, p("ybig.npy"), "<f4", []int{2, 3}, []float32{0, 1, 1.5, 0, 0, 1})
	writeRaw(t, p("xi.npy"), "<i8", []int{2, 3}, []int64{0, 1, 2, 3, 4, 5})
	writeRaw(t, p("xc.npy"), "<c8", []int{2}, []complex64{1, 2})
	writeRaw(t, p("lab.npy"), "<i8", []int{2}, []int64{0, 2})
	writeRaw(t, p("labneg.npy"), "<i8", []int{2}, []int64{-1, 0})
	writeRaw(t, p("labf.npy"), "<f4", []int{2}, []float32{0, 2})
	writeRaw(t, p("lab3x.npy"), "<i8", []int{3}, []int64{0, 1, 2})
	writeRaw(t, p("wneg.npy"), "<f4", []int{2, 3}, []float32{1, 1, -1, 1, 1, 1})
	writeRaw(t, p("w2.npy"), "<f4", []int{2}, []float32{1, 1})
	os.WriteFile(p("text.npy"), []byte("x,y\n1,2\n"), 0o644)

	sig, soft := sigmoidArgs(p), softmaxArgs(p, "lab.npy")
	for _, tc := range []refusalAll{
		{"missing --logits flag", []string{"loss", "--targets", p("y.npy")}, []string{"--logits", "required"}},
		{"missing --targets flag", []string{"loss", "--logits", p("x.npy")}, []string{"--targets", "required"}},
		{"logits file does not exist", []string{"loss", "--logits", p("none.npy"), "--targets", p("y.npy")}, []string{"--logits", "none.npy", "no such file"}},
		{"targets file is a directory", []string{"loss", "--logits", p("x.npy"), "--targets", in}, []string{"--targets", "is a directory"}},
		{"logits not an .npy file", []string{"loss", "--logits", p("text.npy"), "--targets", p("y.npy")}, []string{"--logits", "text.npy", "not a readable .npy"}},
		{"integer logits", []string{"loss", "--logits", p("xi.npy"), "--targets", p("y.npy")}, []string{"--logits", "xi.npy", "dtype i8", "float32 or float64"}},
		{"complex logits", []string{"loss", "--logits", p("xc.npy"), "--targets", p("y.npy")}, []string{"--logits", "xc.npy", "unsupported dtype"}},
		{"targets shape mismatch", with(sig[:3], "--targets", p("y23.npy")), []string{"--targets", "y23.npy", "shape [3 2]", "[2 3]"}},
		{"NaN target", with(sig[:3], "--targets", p("ynan.npy")), []string{"--targets", "ynan.npy", "element 2 = NaN"}},
		{"target above 1", with(sig[:3], "--targets", p("ybig.npy")), []string{"--targets", "ybig.npy", "element 2 = 1.5"}},
		{"negative weight", with(sig, "--weights", p("wneg.npy")), []string{"--weights", "wneg.npy", "weights[2] = -1"}},
		{"weights shape mismatch", with(sig, "--weights", p("w2.npy")), []string{"--weights", "w2.npy", "shape [2]"}},
		{"unknown reduction", with(sig, "--reduction", "avg"), []string{"--reduction", `"avg"`}},
		{"negative gamma", with(sig, "--gamma", "-1"), []string{"--gamma", "-1"}},
		{"NaN gamma", with(sig, "--gamma", "NaN"), []string{"--gamma", "NaN"}},
		{"gamma not a number", with(sig, "--gamma", "two"), []string{"--gamma", "two"}},
		{"alpha above 1", with(sig, "--alpha", "1.5"), []string{"--alpha", "1.5"}},
		{"sigmoid alpha list", with(sig, "--alpha", "0.2,0.3"), []string{"--alpha", "one number"}},
		{"unknown kind", with(sig, "--kind", "hinge"), []string{"--kind", "hinge"}},
		{"smoothing for sigmoid", with(sig, "--label-smoothing", "0.1"), []string{"--label-smoothing", "softmax"}},
		{"softmax label out of range", with(soft[:5], "--targets", p("lab3.npy")), []string{"--targets", "lab3.npy", "labels[1] = 3"}},
		{"softmax negative label not ignored", with(soft[:5], "--targets", p("labneg.npy")), []string{"--targets", "labneg.npy", "labels[0] = -1"}},
		{"softmax float labels", with(soft[:5], "--targets", p("labf.npy")), []string{"--targets", "labf.npy", "integer class labels"}},
		{"softmax targets shape", with(soft[:5], "--targets", p("lab3x.npy")), []string{"--targets", "lab3x.npy", "shape [3]", "want [2]"}},
		{"softmax alpha count", with(soft, "--alpha", "1,2"), []string{"--alpha", "2 class weights for 3 classes"}},
		{"softmax negative alpha", with(soft, "--alpha", "1,-2,1"), []string{"--alpha", "value 2"}},
		{"softmax smoothing 1", with(soft, "--label-smoothing", "1"), []string{"--label-smoothing", "ε < 1"}},
		{"softmax bad class axis", with(soft, "--class-axis", "first"), []string{"--class-axis", "first"}},
		{"softmax 1-d logits", []string{"loss", "--kind", "softmax", "--logits", p("w2.npy"), "--targets", p("lab.npy")}, []string{"--logits", "w2.npy", "shape [2]"}},
		{"output directory missing", with(sig[:5], "--out", filepath.Join(dir, "no", "loss.npy")), []string{"--out", "loss.npy", "directory " + filepath.Join(dir, "no") + " does not exist"}},
		{"output overwrites an input", with(sig[:5], "--grad", p("x.npy")), []string{"--grad and --logits name the same file"}},
		{"unknown flag", with(sig, "--gama", "2"), []string{"--gama"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out")
			os.RemoveAll(out)
			os.Mkdir(out, 0o755)
			args := append(append([]string{}, tc.args...), "--hess", filepath.Join(out, "h.npy"))
			if !strings.Contains(strings.Join(tc.args, " "), "--out") {
				args = append(args, "--out", filepath.Join(out, "l.npy"))
			}
			if !strings.Contains(strings.Join(tc.args, " "), "--grad") {
				args = append(args, "--grad", filepath.Join(out, "g.npy"))
			}
			_, err := run(t, args...)
			wantStatus2(t, err, tc.want...)
			if left, _ := os.ReadDir(out); len(left) > 0 {
				t.Errorf("files left behind: %v", left)
			}
		})
	}
}

func nan() float64 { var z float64; return z / z }

// TestLossFamilyKinds checks the focal-family kinds through the command by
// the identities that tie them to plain focal loss (docs/family.md).
func TestLossFamilyKinds(t *testing.T) {
	g := filepath.Join(goldenDir, "sig_mean_a50_g3")
	base := []string{"loss", "--logits", g + ".logits.npy", "--targets", g + ".targets.npy", "--alpha", "0.5"}
	value := func(args ...string) float64 {
		t.Helper()
		out, err := run(t, append(append([]string{}, base...), args...)...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(out), 64)
		if err != nil {
			t.Fatalf("%v printed %q", args, out)
		}
		return v
	}
	torch := readAll(t, g+".loss.npy").Float64()[0]
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"focal kind is torchvision's loss", []string{"--kind", "focal", "--gamma", "3"}},
		{"poly1 with ε = 0 is focal loss", []string{"--kind", "poly1", "--gamma", "3", "--param", "epsilon=0"}},
	} {
		if got := value(tc.args...); !scalar.EqualWithinRel(got, torch, 1e-5) {
			t.Errorf("%s: %v, torchvision %v", tc.name, got, torch)
		}
	}
	if p1, fl := value("--kind", "poly1", "--gamma", "3", "--param", "epsilon=1"), torch; !(p1 > fl) {
		t.Errorf("poly1 with ε = 1 gives %v, want more than focal loss %v", p1, fl)
	}
	for _, tc := range []refusal{
		{"unknown kind", []string{"--kind", "dice"}, "--kind"},
		{"unknown parameter", []string{"--kind", "poly1", "--param", "delta=1"}, `no parameter "delta"`},
		{"parameter without value", []string{"--kind", "poly1", "--param", "epsilon"}, "name=value"},
		{"gamma for a kind without γ", []string{"--kind", "qfl", "--gamma", "2"}, "qfl has no γ"},
		{"param for plain sigmoid", []string{"--param", "epsilon=1"}, "--param"},
		{"bad member parameter value", []string{"--kind", "reduced", "--param", "threshold=2"}, "--kind reduced"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, with(base, tc.args...)...)
			wantStatus2(t, err, tc.want)
		})
	}
}

// PyTorch's cross_entropy(ignore_index=k) ignores class k's labels even
// though k is a class; focal loss --kind softmax does the same.
func TestSoftmaxIgnoreIndexInsideTheClassesIgnoresThem(t *testing.T) {
	dir := t.TempDir()
	writeF64(t, filepath.Join(dir, "x.npy"), []int{3, 3}, []float64{1, -1, 0.5, 2, 0, -3, 0.1, 0.2, 0.3})
	writeRaw(t, filepath.Join(dir, "y.npy"), "<i8", []int{3}, []int64{2, 1, 1})
	writeF64(t, filepath.Join(dir, "x1.npy"), []int{1, 3}, []float64{1, -1, 0.5})
	writeRaw(t, filepath.Join(dir, "y1.npy"), "<i8", []int{1}, []int64{2})
	a, b := printed(t,
		[]string{"loss", "--kind", "softmax", "--ignore-index", "1", "--logits", filepath.Join(dir, "x.npy"), "--targets", filepath.Join(dir, "y.npy")},
		[]string{"loss", "--kind", "softmax", "--logits", filepath.Join(dir, "x1.npy"), "--targets", filepath.Join(dir, "y1.npy")})
	if a != b {
		t.Errorf("mean with class 1 ignored %q, over the one other row %q", a, b)
	}
}

package cli

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/npy"
)

// withBlock sets the streamed block size (in logits) for the test.
func withBlock(t *testing.T, logits int) {
	t.Helper()
	old := streamBlock
	streamBlock = logits
	t.Cleanup(func() { streamBlock = old })
}

// withWholeArrays makes focal loss read whole arrays for the test.
func withWholeArrays(t *testing.T) {
	t.Helper()
	wholeArrays = true
	t.Cleanup(func() { wholeArrays = false })
}

// streamData writes the inputs of the equivalence tests into dir: n
// elements (positions for softmax) a little over three pieces of the
// sigmoid kernel, so that pieces and blocks have boundaries and a ragged
// tail.
type streamData struct {
	dir string
	rng *rand.Rand
}

func newStreamData(t *testing.T) *streamData {
	return &streamData{dir: t.TempDir(), rng: rand.New(rand.NewPCG(1, 2))}
}

func (d *streamData) path(name string) string { return filepath.Join(d.dir, name) }

// logits writes normal logits (σ = 3) of the dtype and shape.
func (d *streamData) logits(t *testing.T, name, descr string, shape []int) string {
	n := prod(shape)
	v := make([]float64, n)
	for i := range v {
		v[i] = 3 * d.rng.NormFloat64()
	}
	return d.write(t, name, descr, shape, v)
}

// targets writes targets: 5% positive (or soft in [0, 1] with soft), and
// every ignoreEvery-th element of the second half set to ignore (none when
// 0), so that some pieces have ignored elements and others none.
func (d *streamData) targets(t *testing.T, name, descr string, shape []int, soft bool, ignoreEvery int, ignore float64) string {
	n := prod(shape)
	v := make([]float64, n)
	for i := range v {
		switch {
		case ignoreEvery > 0 && i > n/2 && i%ignoreEvery == 0:
			v[i] = ignore
		case soft:
			v[i] = d.rng.Float64()
		case d.rng.Float64() < 0.05:
			v[i] = 1
		}
	}
	return d.write(t, name, descr, shape, v)
}

// labels writes class labels in [0, classes), every ignoreEvery-th of the
// second half the ignore index.
func (d *streamData) labels(t *testing.T, name, descr string, shape []int, classes, ignoreEvery int, ignore float64) string {
	n := prod(shape)
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(d.rng.IntN(classes))
		if ignoreEvery > 0 && i > n/2 && i%ignoreEvery == 0 {
			v[i] = ignore
		}
	}
	return d.write(t, name, descr, shape, v)
}

// weights writes weights in [0, 2), some 0.
func (d *streamData) weights(t *testing.T, name, descr string, shape []int) string {
	n := prod(shape)
	v := make([]float64, n)
	for i := range v {
		if i%7 != 0 {
			v[i] = 2 * d.rng.Float64()
		}
	}
	return d.write(t, name, descr, shape, v)
}

// write writes v as an .npy file of the dtype descr.
func (d *streamData) write(t *testing.T, name, descr string, shape []int, v []float64) string {
	t.Helper()
	var data any
	switch descr {
	case "<f4":
		data = convert[float32](v)
	case "<f8":
		data = v
	case "|b1":
		b := make([]bool, len(v))
		for i, e := range v {
			b[i] = e != 0
		}
		data = b
	case "|u1":
		data = convert[uint8](v)
	case "|i1":
		data = convert[int8](v)
	case "<i4":
		data = convert[int32](v)
	case "<i8":
		data = convert[int64](v)
	default:
		t.Fatalf("dtype %s", descr)
	}
	p := d.path(name)
	writeRaw(t, p, descr, shape, data)
	return p
}

func convert[E int8 | uint8 | int32 | int64 | float32](v []float64) []E {
	out := make([]E, len(v))
	for i, e := range v {
		out[i] = E(e)
	}
	return out
}

func prod(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// lossRun is the result of one run of focal loss: stdout and the bytes of
// each output file.
type lossRun struct {
	stdout string
	files  map[string][]byte
}

// runLossTo runs focal loss with args plus the outputs named in outs (flag
// → file name in a fresh directory) and returns what it printed and wrote.
func runLossTo(t *testing.T, args []string, outs map[string]string) lossRun {
	t.Helper()
	dir := t.TempDir()
	a := append([]string{"loss"}, args...)
	for flag, name := range outs {
		a = append(a, flag, filepath.Join(dir, name))
	}
	stdout, err := run(t, a...)
	if err != nil {
		t.Fatalf("focal %s: %v", strings.Join(a, " "), err)
	}
	r := lossRun{stdout: stdout, files: map[string][]byte{}}
	for _, name := range outs {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		r.files[name] = b
	}
	return r
}

// equalRuns reports how two runs differ, or "" if they do not.
func equalRuns(a, b lossRun) string {
	if a.stdout != b.stdout {
		return fmt.Sprintf("stdout %q, want %q", a.stdout, b.stdout)
	}
	for name, want := range b.files {
		got := a.files[name]
		if !bytes.Equal(got, want) {
			i := 0
			for i < min(len(got), len(want)) && got[i] == want[i] {
				i++
			}
			return fmt.Sprintf("%s: %d bytes differ from byte %d on (lengths %d and %d)", name, countDiff(got, want), i, len(got), len(want))
		}
	}
	return ""
}

func countDiff(a, b []byte) int {
	n := max(len(a), len(b)) - min(len(a), len(b))
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

// TestStreamedLossEqualsWholeArrays checks that the streamed command
// prints and writes exactly what the whole-array computation does, bit for
// bit, for every form, reduction, logits dtype and target dtype, with
// weights and ignored targets, with blocks of one piece (many blocks, a
// ragged last one) and with the default block (one block).
func TestStreamedLossEqualsWholeArrays(t *testing.T) {
	d := newStreamData(t)
	n := 3*16384 + 123 // elements: three sigmoid pieces and a tail
	sh := []int{n / 3, 3}
	shape := []int{n}
	x32 := d.logits(t, "x32.npy", "<f4", shape)
	x64 := d.logits(t, "x64.npy", "<f8", shape)
	x32m := d.logits(t, "x32m.npy", "<f4", sh)
	y32 := d.targets(t, "y32.npy", "<f4", shape, false, 0, 0)
	ySoft := d.targets(t, "ysoft.npy", "<f4", shape, true, 0, 0)
	y64 := d.targets(t, "y64.npy", "<f8", shape, false, 0, 0)
	yIgn := d.targets(t, "yign.npy", "<f4", shape, false, 97, -100)
	yIgn64 := d.targets(t, "yign64.npy", "<f8", shape, true, 89, -100)
	yIgn0 := d.targets(t, "yign0.npy", "<i8", shape, false, 0, 0) // with --ignore-index 0
	yB1 := d.targets(t, "yb1.npy", "|b1", shape, false, 0, 0)
	yU1 := d.targets(t, "yu1.npy", "|u1", shape, false, 0, 0)
	yI4 := d.targets(t, "yi4.npy", "<i4", shape, false, 101, -100)
	yI1m := d.targets(t, "yi1m.npy", "|i1", sh, false, 0, 0)
	w32 := d.weights(t, "w32.npy", "<f4", shape)
	w64 := d.weights(t, "w64.npy", "<f8", shape)

	// Softmax: C = 5 classes, class axis last [positions, 5]; class axis
	// second [N, 5, 64, 16] (1024 positions a sample).
	const C = 5
	rows := 3*(16384/C) + 17
	xl := d.logits(t, "xl.npy", "<f4", []int{rows, C})
	xl64 := d.logits(t, "xl64.npy", "<f8", []int{rows, C})
	ll := d.labels(t, "ll.npy", "<i8", []int{rows}, C, 13, -100)
	ll1 := d.labels(t, "ll1.npy", "|u1", []int{rows}, C, 11, 1) // --ignore-index 1, a class
	wl := d.weights(t, "wl.npy", "<f4", []int{rows})
	xs := d.logits(t, "xs.npy", "<f4", []int{7, C, 64, 16})
	xs64 := d.logits(t, "xs64.npy", "<f8", []int{7, C, 64, 16})
	ls := d.labels(t, "ls.npy", "<i4", []int{7, 64, 16}, C, 29, 255)
	ls1 := d.labels(t, "ls1.npy", "<i8", []int{7, 64, 16}, C, 31, 2)
	ws := d.weights(t, "ws.npy", "<f8", []int{7, 64, 16})

	all := map[string]string{"--out": "loss.npy", "--grad": "grad.npy", "--hess": "hess.npy"}
	grad := map[string]string{"--grad": "grad.npy"}
	for _, tc := range []struct {
		name string
		args []string
		outs map[string]string
	}{
		{"sigmoid f32 mean value", []string{"--logits", x32, "--targets", y32}, nil},
		{"sigmoid f32 mean outputs", []string{"--logits", x32, "--targets", y32}, all},
		{"sigmoid f32 sum", []string{"--logits", x32, "--targets", y32, "--reduction", "sum"}, all},
		{"sigmoid f32 none", []string{"--logits", x32, "--targets", y32, "--reduction", "none"}, all},
		{"sigmoid f32 none printed", []string{"--logits", x32, "--targets", y32, "--reduction", "none"}, grad},
		{"sigmoid f32 positives", []string{"--logits", x32, "--targets", y32, "--reduction", "positives"}, all},
		{"sigmoid f32 positives value", []string{"--logits", x32, "--targets", y32, "--reduction", "positives"}, nil},
		{"sigmoid f32 soft targets", []string{"--logits", x32, "--targets", ySoft}, all},
		{"sigmoid f64 targets f8", []string{"--logits", x64, "--targets", y64}, all},
		{"sigmoid f64 mean value", []string{"--logits", x64, "--targets", ySoft}, nil},
		{"sigmoid f64 sum value", []string{"--logits", x64, "--targets", yIgn64, "--reduction", "sum"}, nil},
		{"poly1 f64 value", []string{"--kind", "poly1", "--logits", x64, "--targets", ySoft}, nil},
		{"softmax last f64 value", []string{"--kind", "softmax", "--class-axis", "last", "--logits", xl64, "--targets", ll}, nil},
		{"softmax second f64 value", []string{"--kind", "softmax", "--logits", xs64, "--targets", ls, "--ignore-index", "255"}, nil},
		{"sigmoid f64 targets f4", []string{"--logits", x64, "--targets", y32, "--reduction", "positives"}, all},
		{"sigmoid f32 targets f8", []string{"--logits", x32, "--targets", y64}, all},
		{"sigmoid f32 targets b1", []string{"--logits", x32, "--targets", yB1}, all},
		{"sigmoid f32 targets u1", []string{"--logits", x32, "--targets", yU1, "--reduction", "sum"}, all},
		{"sigmoid f64 targets u1", []string{"--logits", x64, "--targets", yU1}, all},
		{"sigmoid f32 targets i4 ignored", []string{"--logits", x32, "--targets", yI4}, all},
		{"sigmoid f32 ignored", []string{"--logits", x32, "--targets", yIgn}, all},
		{"sigmoid f32 ignored positives", []string{"--logits", x32, "--targets", yIgn, "--reduction", "positives"}, all},
		{"sigmoid f64 soft ignored", []string{"--logits", x64, "--targets", yIgn64}, all},
		{"sigmoid ignore index 0", []string{"--logits", x32, "--targets", yIgn0, "--ignore-index", "0"}, all},
		{"sigmoid f32 weights f4", []string{"--logits", x32, "--targets", yIgn, "--weights", w32}, all},
		{"sigmoid f32 weights f8", []string{"--logits", x32, "--targets", y32, "--weights", w64, "--reduction", "sum"}, all},
		{"sigmoid f64 weights f4", []string{"--logits", x64, "--targets", y64, "--weights", w32}, all},
		{"sigmoid clipped hessian", []string{"--logits", x32, "--targets", y32, "--min-hessian", "0.01"}, all},
		{"sigmoid 2-d", []string{"--logits", x32m, "--targets", yI1m}, all},
		{"poly1", []string{"--kind", "poly1", "--logits", x32, "--targets", yIgn, "--param", "epsilon=1"}, all},
		{"poly1 f64 weights", []string{"--kind", "poly1", "--logits", x64, "--targets", ySoft, "--weights", w32, "--reduction", "sum"}, all},
		{"asl hard targets", []string{"--kind", "asl", "--logits", x32, "--targets", yU1}, all},
		{"focal kind", []string{"--kind", "focal", "--logits", x64, "--targets", y32, "--alpha", "0.5"}, all},
		{"softmax last", []string{"--kind", "softmax", "--class-axis", "last", "--logits", xl, "--targets", ll}, all},
		{"softmax last none", []string{"--kind", "softmax", "--class-axis", "last", "--logits", xl, "--targets", ll, "--reduction", "none"}, all},
		{"softmax last positives weights", []string{"--kind", "softmax", "--class-axis", "last", "--logits", xl64, "--targets", ll, "--weights", wl, "--reduction", "positives"}, all},
		{"softmax last ignore a class", []string{"--kind", "softmax", "--class-axis", "last", "--logits", xl, "--targets", ll1, "--ignore-index", "1", "--alpha", "1,2,2,1,0.5"}, all},
		{"softmax last smoothing", []string{"--kind", "softmax", "--class-axis", "last", "--logits", xl, "--targets", ll, "--label-smoothing", "0.1"}, all},
		{"softmax second", []string{"--kind", "softmax", "--logits", xs, "--targets", ls, "--ignore-index", "255"}, all},
		{"softmax second f64 weights", []string{"--kind", "softmax", "--logits", xs64, "--targets", ls, "--ignore-index", "255", "--weights", ws, "--reduction", "sum"}, all},
		{"softmax second ignore a class", []string{"--kind", "softmax", "--logits", xs, "--targets", ls1, "--ignore-index", "2", "--reduction", "positives"}, all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wholeArrays = true
			want := runLossTo(t, tc.args, tc.outs)
			wholeArrays = false
			if want.stdout == "" && len(want.files) == 0 {
				t.Fatal("the whole-array run gave nothing")
			}
			one := runLossTo(t, tc.args, tc.outs)
			if diff := equalRuns(one, want); diff != "" {
				t.Errorf("one block: %s", diff)
			}
			withBlock(t, 1) // one piece, or one sample, a block
			many := runLossTo(t, tc.args, tc.outs)
			if diff := equalRuns(many, want); diff != "" {
				// The class axis second is one call per block of whole
				// samples: the 7 samples' partial sums are added in
				// another association than the whole call's chunks.
				// Re-associating k non-negative terms moves the sum by at
				// most (k − 1) roundings of it: 2·(k − 1) ulps.
				const samples = 7
				if strings.HasPrefix(tc.name, "softmax second") && within(many, want, 2*(samples-1)) {
					return
				}
				t.Errorf("blocks of one piece: %s", diff)
			}
		})
	}
}

// within reports whether two runs differ only in their reduced value (the
// printed one, or a 0-d --out), by at most ulps units in its last place.
func within(a, b lossRun, ulps int) bool {
	close := func(x, y float64, bits int) bool {
		d := int64(math.Float64bits(x) - math.Float64bits(y))
		if bits == 32 {
			d = int64(int32(math.Float32bits(float32(x)) - math.Float32bits(float32(y))))
		}
		return d <= int64(ulps) && d >= -int64(ulps)
	}
	for name, want := range b.files {
		got := a.files[name]
		if bytes.Equal(got, want) {
			continue
		}
		g, errG := npy.ReadFrom(bytes.NewReader(got), int64(len(got)))
		w, errW := npy.ReadFrom(bytes.NewReader(want), int64(len(want)))
		if errG != nil || errW != nil || len(g.Shape) != 0 || len(w.Shape) != 0 || g.Dtype != w.Dtype {
			return false
		}
		bits := 64
		if g.Dtype == "f4" {
			bits = 32
		}
		if !close(g.Float64()[0], w.Float64()[0], bits) {
			return false
		}
	}
	if a.stdout == b.stdout {
		return true
	}
	var x, y float64
	_, errX := fmt.Sscan(a.stdout, &x)
	_, errY := fmt.Sscan(b.stdout, &y)
	return errX == nil && errY == nil && (close(x, y, 64) || close(x, y, 32))
}

// TestStreamedBadValueInTheLastBlockLeavesNoOutput checks that a bad value
// found in the last block, after the earlier blocks' outputs were written
// to their staged files, fails the command with status 2, names the value
// by its index in the whole array, and leaves no file behind, whether one
// pass or two run.
func TestStreamedBadValueInTheLastBlockLeavesNoOutput(t *testing.T) {
	withBlock(t, 1)
	d := newStreamData(t)
	n := 3*16384 + 5
	shape := []int{n}
	x := d.logits(t, "x.npy", "<f4", shape)
	y := make([]float64, n)
	y[n-2] = 1.5
	yBad := d.write(t, "ybad.npy", "<f4", shape, y)
	y[n-2] = 0
	yGood := d.write(t, "y.npy", "<f4", shape, y)
	u := make([]float64, n)
	u[n-1] = 7
	yU1 := d.write(t, "yu1.npy", "|u1", shape, u)
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	w[n-1] = -1
	wBad := d.write(t, "wbad.npy", "<f8", shape, w)
	rows := 3*(16384/5) + 3
	xl := d.logits(t, "xl.npy", "<f4", []int{rows, 5})
	lab := make([]float64, rows)
	lab[rows-1] = 5
	lBad := d.write(t, "lbad.npy", "<i8", []int{rows}, lab)

	for _, tc := range []refusal{
		{"target above 1, one pass", []string{"--logits", x, "--targets", yBad, "--reduction", "sum"}, fmt.Sprintf("element %d = 1.5", n-2)},
		{"target above 1, two passes", []string{"--logits", x, "--targets", yBad}, fmt.Sprintf("element %d = 1.5", n-2)},
		{"uint8 target 7", []string{"--logits", x, "--targets", yU1, "--reduction", "none"}, fmt.Sprintf("element %d = 7", n-1)},
		{"negative weight, one pass", []string{"--logits", x, "--targets", yGood, "--weights", wBad, "--reduction", "none"}, fmt.Sprintf("weights[%d] = -1", n-1)},
		{"negative weight, two passes", []string{"--logits", x, "--targets", yGood, "--weights", wBad}, fmt.Sprintf("weights[%d] = -1", n-1)},
		{"label out of range", []string{"--kind", "softmax", "--class-axis", "last", "--logits", xl, "--targets", lBad, "--reduction", "sum"}, fmt.Sprintf("labels[%d] = 5", rows-1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			args := append([]string{"loss"}, tc.args...)
			args = append(args, "--out", filepath.Join(out, "l.npy"), "--grad", filepath.Join(out, "g.npy"), "--hess", filepath.Join(out, "h.npy"))
			_, err := run(t, args...)
			wantStatus2(t, err, tc.want)
			if left, _ := os.ReadDir(out); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

// fifoOf serves the file at path through a new FIFO and returns the FIFO.
func fifoOf(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), filepath.Base(path)+".fifo")
	if err := syscall.Mkfifo(f, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	go func() {
		w, err := os.OpenFile(f, os.O_WRONLY, 0)
		if err == nil {
			w.Write(data)
			w.Close()
		}
	}()
	return f
}

// TestStreamedLossFromPipesInTwoPasses checks that inputs read from pipes
// give what the files give, also when the gradient of the mean needs a
// first pass over the targets (which a pipe cannot give twice), and that a
// FIFO output gets what a file gets.
func TestStreamedLossFromPipesInTwoPasses(t *testing.T) {
	withBlock(t, 1)
	d := newStreamData(t)
	n := 2*16384 + 9
	x := d.logits(t, "x.npy", "<f4", []int{n})
	y := d.targets(t, "y.npy", "<f4", []int{n}, false, 53, -100)
	w := d.weights(t, "w.npy", "<f4", []int{n})
	outs := map[string]string{"--out": "loss.npy", "--grad": "grad.npy"}
	want := runLossTo(t, []string{"--logits", x, "--targets", y, "--weights", w, "--reduction", "positives"}, outs)
	got := runLossTo(t, []string{"--logits", fifoOf(t, x), "--targets", fifoOf(t, y), "--weights", fifoOf(t, w), "--reduction", "positives"}, outs)
	if diff := equalRuns(got, want); diff != "" {
		t.Errorf("from pipes: %s", diff)
	}

	// A FIFO output: its reader gets the gradient file's bytes.
	fifo := filepath.Join(t.TempDir(), "grad.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	read := make(chan []byte)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			read <- nil
			return
		}
		defer f.Close()
		var b bytes.Buffer
		b.ReadFrom(f)
		read <- b.Bytes()
	}()
	if _, err := run(t, "loss", "--logits", x, "--targets", y, "--weights", w, "--reduction", "positives", "--grad", fifo); err != nil {
		t.Fatal(err)
	}
	if b := <-read; !bytes.Equal(b, want.files["grad.npy"]) {
		t.Errorf("the FIFO got %d bytes, not the %d of the gradient file", len(b), len(want.files["grad.npy"]))
	}
}

// TestStreamedFortranOrderInputsAreReadWhole checks that a Fortran-order
// input, whose elements are not in the order of the others, gives what the
// same array in C order gives.
func TestStreamedFortranOrderInputsAreReadWhole(t *testing.T) {
	d := newStreamData(t)
	rows, cols := 300, 70
	x := d.logits(t, "x.npy", "<f4", []int{rows, cols})
	y := d.targets(t, "y.npy", "<f4", []int{rows, cols}, false, 0, 0)
	raw, err := os.ReadFile(y)
	if err != nil {
		t.Fatal(err)
	}
	// The same targets in Fortran order: the header says so, the data is
	// transposed.
	hdr := 10 + int(raw[8]) + int(raw[9])<<8
	data := raw[hdr:]
	ft := make([]byte, len(data))
	for i := range rows {
		for j := range cols {
			copy(ft[4*(j*rows+i):], data[4*(i*cols+j):4*(i*cols+j)+4])
		}
	}
	h := strings.Replace(string(raw[:hdr]), "'fortran_order': False", "'fortran_order': True ", 1)
	yf := filepath.Join(d.dir, "yf.npy")
	if err := os.WriteFile(yf, append([]byte(h), ft...), 0o644); err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{"--grad": "grad.npy"}
	want := runLossTo(t, []string{"--logits", x, "--targets", y}, outs)
	got := runLossTo(t, []string{"--logits", x, "--targets", yf}, outs)
	if diff := equalRuns(got, want); diff != "" {
		t.Errorf("Fortran-order targets: %s", diff)
	}
}

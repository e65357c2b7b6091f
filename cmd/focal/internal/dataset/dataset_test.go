package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio"
)

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadCSV(t *testing.T) {
	p := write(t, "ok.csv", "a,y,b\n1,cat,2\n3.5,dog,-4\n0,cat,1e3\n")
	s, err := ReadCSV(p, "y")
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 3 || s.F != 2 || !slices.Equal(s.Features, []string{"a", "b"}) {
		t.Fatalf("shape %d×%d features %v", s.N, s.F, s.Features)
	}
	if !slices.Equal(s.X, []float32{1, 2, 3.5, -4, 0, 1000}) {
		t.Errorf("X = %v", s.X)
	}
	if !slices.Equal(s.Classes, []string{"cat", "dog"}) || !slices.Equal(s.Y, []int{0, 1, 0}) {
		t.Errorf("classes %v y %v", s.Classes, s.Y)
	}
}

func TestNumericLabelsAreOneClassPerValue(t *testing.T) {
	p := write(t, "num.csv", "x,y\n1,10\n2,1.0\n3,2\n4,1\n")
	s, err := ReadCSV(p, "y")
	if err != nil {
		t.Fatal(err)
	}
	// Numerically sorted (2 before 10), and "1.0" is "1".
	if !slices.Equal(s.Classes, []string{"1", "2", "10"}) || !slices.Equal(s.Y, []int{2, 0, 1, 0}) {
		t.Errorf("classes %v y %v", s.Classes, s.Y)
	}
}

func TestCSVErrorsNameTheProblem(t *testing.T) {
	for _, c := range []struct {
		name, content, label string
		want                 error
		mention              []string
	}{
		{"empty file", "", "y", ErrEmpty, []string{"empty file"}},
		{"header only", "x,y\n", "y", ErrEmpty, []string{"no data rows"}},
		{"missing label column", "x,z\n1,2\n", "y", ErrNoColumn, []string{`"y"`, "x, z"}},
		{"non-numeric cell names line and column", "x,y\n1,0\n2,1\nabc,0\n", "y", ErrNotNumber, []string{"line 4", "column 1", `"abc"`}},
		{"NaN feature", "y,x\n0,1\n1,NaN\n", "y", ErrNotFinite, []string{"line 3", "column 2"}},
		{"Inf feature", "y,x\n0,1\n1,-Inf\n", "y", ErrNotFinite, []string{"line 3"}},
		{"overflowing feature", "y,x\n0,1e400\n", "y", ErrNotFinite, []string{"line 2"}},
		{"empty cell", "x,y\n,0\n", "y", ErrNotNumber, []string{"line 2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := write(t, "bad.csv", c.content)
			_, err := ReadCSV(p, c.label)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			for _, m := range append(c.mention, p) {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
	p := write(t, "ragged.csv", "x,y\n1,0\n2\n")
	if _, err := ReadCSV(p, "y"); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("ragged row: %v", err)
	}
}

func writeNPY(t *testing.T, name string, v any) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	var buf bytes.Buffer
	if err := npyio.Write(&buf, v); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadNPYPair(t *testing.T) {
	x := writeNPY(t, "x.npy", []float64{1, 2, 3}) // [3] → F = 1
	y := writeNPY(t, "y.npy", []int64{0, 1, 1})
	s, err := Load(x+","+y, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 3 || s.F != 1 || !slices.Equal(s.Y, []int{0, 1, 1}) || !slices.Equal(s.Classes, []string{"0", "1"}) {
		t.Errorf("%+v", s)
	}
	short := writeNPY(t, "y2.npy", []int64{0, 1})
	if _, err := ReadNPY(x, short); !errors.Is(err, ErrRows) {
		t.Errorf("row-count mismatch: %v", err)
	}
	nan := writeNPY(t, "nan.npy", []float32{1, float32(math.NaN()), 3})
	if _, err := ReadNPY(nan, y); !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("NaN feature: %v", err)
	}
	if _, err := Load(x, ""); err == nil || !strings.Contains(err.Error(), "labels file") {
		t.Errorf("missing labels file: %v", err)
	}
}

func idxBytes(typ byte, dims []uint32, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, typ, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(data)
	return b.Bytes()
}

func TestReadIDXGzipAndNaming(t *testing.T) {
	dir := t.TempDir()
	img := idxBytes(0x08, []uint32{3, 2, 2}, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255})
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(img)
	w.Close()
	ip := filepath.Join(dir, "train-images-idx3-ubyte.gz")
	lp := filepath.Join(dir, "train-labels-idx1-ubyte")
	os.WriteFile(ip, z.Bytes(), 0o644)
	os.WriteFile(lp, idxBytes(0x08, []uint32{3}, []byte{7, 3, 7}), 0o644)
	s, err := Load(ip, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 3 || s.F != 4 || s.X[11] != 255 || !slices.Equal(s.Classes, []string{"3", "7"}) || !slices.Equal(s.Y, []int{1, 0, 1}) {
		t.Errorf("%+v", s)
	}
	os.WriteFile(lp, idxBytes(0x08, []uint32{2}, []byte{7, 3}), 0o644)
	if _, err := Load(ip, ""); !errors.Is(err, ErrRows) {
		t.Errorf("row-count mismatch: %v", err)
	}
	os.WriteFile(lp, idxBytes(0x08, []uint32{3}, []byte{7}), 0o644)
	if _, err := Load(ip, ""); !errors.Is(err, ErrFormat) {
		t.Errorf("truncated data: %v", err)
	}
}

// IDX and .npy files are arrays alike: their labels are checked alike.
func TestIDXLabelsAreCheckedAsNPYLabels(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "images")
	os.WriteFile(img, idxBytes(0x08, []uint32{2, 2}, []byte{1, 2, 3, 4}), 0o644)
	nan := []byte{0x7f, 0xc0, 0, 0}
	one := []byte{0x3f, 0x80, 0, 0}
	for _, c := range []struct {
		name   string
		labels []byte
		want   error
		says   string
	}{
		{"NaN label", idxBytes(0x0D, []uint32{2}, append(one, nan...)), ErrNotFinite, "label 1 is NaN"},
		{"labels of three dimensions", idxBytes(0x08, []uint32{2, 1, 1}, []byte{0, 1}), ErrFormat, "want [N] or [N, 1]"},
		{"too few labels", idxBytes(0x08, []uint32{1}, []byte{0}), ErrRows, "2 rows, but"},
	} {
		t.Run(c.name, func(t *testing.T) {
			lp := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_"))
			os.WriteFile(lp, c.labels, 0o644)
			_, err := ReadIDX(img, lp)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %v, want %v saying %q", err, c.want, c.says)
			}
		})
	}
	lp := filepath.Join(dir, "column")
	os.WriteFile(lp, idxBytes(0x08, []uint32{2, 1}, []byte{5, 6}), 0o644)
	if s, err := ReadIDX(img, lp); err != nil || !slices.Equal(s.Classes, []string{"5", "6"}) {
		t.Errorf("labels [N, 1]: %+v, %v", s, err)
	}
}

// A float64 IDX feature too large for float32 is refused as such.
func TestIDXFeatureBeyondFloat32IsNamed(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x")
	os.WriteFile(p, idxBytes(0x0E, []uint32{1, 1}, []byte{0x7f, 0xe0, 0, 0, 0, 0, 0, 0}), 0o644)
	_, err := LoadFeatures(p, []string{"x0"})
	if !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), "row 0, column 0 is 8.98846567431158e+307: not finite (or beyond float32)") {
		t.Errorf("error %v, want the value named as not finite or beyond float32", err)
	}
}

func TestSplitIsStratifiedAndSeeded(t *testing.T) {
	s := &Set{F: 1, Classes: []string{"0", "1"}}
	for i := range 1000 {
		s.X = append(s.X, float32(i))
		y := 0
		if i%100 == 0 {
			y = 1
		}
		s.Y = append(s.Y, y)
		s.N++
	}
	tr, te, err := Split(s, 0.25, 7)
	if err != nil {
		t.Fatal(err)
	}
	if c := te.Counts(); c[0] != 248 || c[1] != 3 {
		t.Errorf("test counts %v, want 25%% of each class, rounded: [248 3]", c)
	}
	if tr.N+te.N != s.N {
		t.Errorf("%d + %d rows, want %d", tr.N, te.N, s.N)
	}
	seen := map[float32]bool{}
	for _, v := range append(slices.Clone(tr.X), te.X...) {
		seen[v] = true
	}
	if len(seen) != s.N {
		t.Errorf("split lost or duplicated rows: %d distinct of %d", len(seen), s.N)
	}
	_, te2, _ := Split(s, 0.25, 7)
	_, te3, _ := Split(s, 0.25, 8)
	if !slices.Equal(te.X, te2.X) || slices.Equal(te.X, te3.X) {
		t.Error("same seed must give the same split, another seed another")
	}
	for _, bad := range []float64{0, 1, -0.5, math.NaN()} {
		if _, _, err := Split(s, bad, 1); err == nil {
			t.Errorf("fraction %v accepted", bad)
		}
	}
}

func TestStandardizerUsesTrainingStatistics(t *testing.T) {
	x := []float32{1, 5, 3, 5} // column 0: mean 2, σ 1; column 1 constant
	st := Fit(x, 2, 2)
	if st.Mean[0] != 2 || st.Std[0] != 1 || st.Mean[1] != 5 || st.Std[1] != 1 {
		t.Fatalf("%+v", st)
	}
	if got := st.Apply([]float32{4, 6}); !slices.Equal(got, []float32{2, 1}) {
		t.Errorf("Apply = %v, want [2 1]", got)
	}
}

func TestUnifyAndOneVsRest(t *testing.T) {
	a := &Set{N: 2, Y: []int{0, 1}, Classes: []string{"b", "c"}}
	b := &Set{N: 2, Y: []int{0, 1}, Classes: []string{"a", "c"}}
	Unify(a, b)
	if !slices.Equal(a.Classes, []string{"a", "b", "c"}) || !slices.Equal(a.Y, []int{1, 2}) || !slices.Equal(b.Y, []int{0, 2}) {
		t.Errorf("a %+v b %+v", a, b)
	}
	o, err := OneVsRest(a, "c")
	if err != nil || !slices.Equal(o.Y, []int{0, 1}) || o.Classes[1] != "c" {
		t.Errorf("%+v %v", o, err)
	}
	if _, err := OneVsRest(a, "z"); err == nil || !strings.Contains(err.Error(), "a, b, c") {
		t.Errorf("unknown positive class: %v", err)
	}
	one := &Set{N: 2, Y: []int{0, 0}, Classes: []string{"a"}}
	if err := CheckClasses(one, "x.csv"); !errors.Is(err, ErrOneClass) {
		t.Errorf("single class: %v", err)
	}
}

// npyRaw builds a version-1 .npy file by hand (npyio writes C order only).
func npyRaw(descr string, fortran bool, shape string, data []byte) []byte {
	order := "False"
	if fortran {
		order = "True"
	}
	h := "{'descr': '" + descr + "', 'fortran_order': " + order + ", 'shape': " + shape + ", }"
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(h)))
	b.WriteString(h)
	b.Write(data)
	return b.Bytes()
}

func TestReadNPYFortranOrderAndDtypes(t *testing.T) {
	dir := t.TempDir()
	// The 2×3 matrix [[1 2 3] [4 5 6]] stored column by column as int16.
	var col bytes.Buffer
	for _, v := range []int16{1, 4, 2, 5, 3, 6} {
		binary.Write(&col, binary.LittleEndian, v)
	}
	x := filepath.Join(dir, "x.npy")
	os.WriteFile(x, npyRaw("<i2", true, "(2, 3)", col.Bytes()), 0o644)
	var lab bytes.Buffer
	binary.Write(&lab, binary.LittleEndian, []float32{1, 0})
	y := filepath.Join(dir, "y.npy")
	os.WriteFile(y, npyRaw("<f4", false, "(2, 1)", lab.Bytes()), 0o644)
	s, err := ReadNPY(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 2 || s.F != 3 || !slices.Equal(s.X, []float32{1, 2, 3, 4, 5, 6}) || !slices.Equal(s.Y, []int{1, 0}) {
		t.Errorf("%+v", s)
	}
	c := filepath.Join(dir, "c.npy")
	os.WriteFile(c, npyRaw("<c16", false, "(1,)", make([]byte, 16)), 0o644)
	if _, err := ReadNPY(c, y); !errors.Is(err, ErrFormat) {
		t.Errorf("complex dtype: %v", err)
	}
}

package npy

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadDecodesEveryLayout(t *testing.T) {
	for _, tc := range []struct {
		name, file, dtype string
		shape             []int
		want              []float64
	}{
		{"fortran order becomes C order", "fortran_f8_2x3x4.npy", "f8", []int{2, 3, 4}, seq(24)},
		{"signed 16-bit integers widen to int64", "c_i2_2x3.npy", "i2", []int{2, 3}, []float64{-3, -2, -1, 0, 1, 2}},
		{"booleans read as 0 and 1", "bool_3.npy", "b1", []int{3}, []float64{1, 0, 1}},
		{"big-endian 0-d float64", "big_f8_0d.npy", "f8", []int{}, []float64{2.5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Read(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if a.Dtype != tc.dtype || !reflect.DeepEqual(a.Shape, tc.shape) {
				t.Fatalf("dtype %s shape %v, want %s %v", a.Dtype, a.Shape, tc.dtype, tc.shape)
			}
			if got := a.Float64(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("values %v, want %v", got, tc.want)
			}
		})
	}
}

func seq(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i)
	}
	return v
}

func TestReadRejectsWhatIsNotARealArray(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "text.npy")
	os.WriteFile(text, []byte("hello, not numpy\n"), 0o644)
	trunc := filepath.Join(dir, "trunc.npy")
	var b bytes.Buffer
	Write(&b, []int{100}, make([]float64, 100))
	os.WriteFile(trunc, b.Bytes()[:200], 0o644)
	for _, tc := range []struct{ name, path, want string }{
		{"missing file", filepath.Join(dir, "absent.npy"), "no such file"},
		{"a directory", dir, "is a directory"},
		{"not an .npy file", text, "not a readable .npy"},
		{"truncated data", trunc, "not a readable .npy"},
		{"complex dtype", filepath.Join("testdata", "c8_2.npy"), "unsupported dtype"},
		{"float16 dtype", filepath.Join("testdata", "f2_2.npy"), "unsupported dtype"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
				t.Fatalf("error %v, want one naming %s and saying %q", err, tc.path, tc.want)
			}
		})
	}
	_, err := Read(text)
	if !errors.Is(err, ErrFormat) {
		t.Errorf("a text file's error %v does not wrap ErrFormat", err)
	}
}

func TestWriteRoundTripsShapeDtypeAndValues(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		shape []int
	}{
		{"0-d", nil}, {"1-d", []int{5}}, {"4-d NCHW", []int{2, 3, 1, 4}}, {"empty axis", []int{3, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 1
			for _, d := range tc.shape {
				n *= d
			}
			v32 := make([]float32, n)
			v64 := make([]float64, n)
			for i := range v32 {
				v32[i], v64[i] = float32(i)-0.5, float64(i)/3
			}
			p32, p64 := filepath.Join(dir, tc.name+"32.npy"), filepath.Join(dir, tc.name+"64.npy")
			for _, w := range []struct {
				p string
				f func(*bytes.Buffer) error
			}{
				{p32, func(b *bytes.Buffer) error { return Write(b, tc.shape, v32) }},
				{p64, func(b *bytes.Buffer) error { return Write(b, tc.shape, v64) }},
			} {
				var b bytes.Buffer
				if err := w.f(&b); err != nil {
					t.Fatal(err)
				}
				if hl := int(b.Bytes()[8]) | int(b.Bytes()[9])<<8; (10+hl)%64 != 0 {
					t.Errorf("header ends at byte %d, want a multiple of 64 (NEP 1)", 10+hl)
				}
				os.WriteFile(w.p, b.Bytes(), 0o644)
			}
			want := append([]int{}, tc.shape...)
			a, err := Read(p32)
			if err != nil {
				t.Fatal(err)
			}
			if a.Dtype != "f4" || !reflect.DeepEqual(a.Shape, want) || (n > 0 && !reflect.DeepEqual(a.F32, v32)) {
				t.Errorf("float32: got %s %v %v, want f4 %v %v", a.Dtype, a.Shape, a.F32, want, v32)
			}
			b, err := Read(p64)
			if err != nil {
				t.Fatal(err)
			}
			if b.Dtype != "f8" || !reflect.DeepEqual(b.Shape, want) || (n > 0 && !reflect.DeepEqual(b.F64, v64)) {
				t.Errorf("float64: got %s %v %v, want f8 %v %v", b.Dtype, b.Shape, b.F64, want, v64)
			}
		})
	}
}

func TestWriteRejectsAShapeThatDoesNotMatch(t *testing.T) {
	if err := Write(&bytes.Buffer{}, []int{2, 2}, []float32{1, 2, 3}); err == nil {
		t.Error("3 values written as shape [2 2] without an error")
	}
}

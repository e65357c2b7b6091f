package npy

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

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

package npy

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
)

func TestWriteRoundTripsShapeDtypeAndValues(t *testing.T) {
	// 0-d, 1-d, 4-d (NCHW) and with an empty axis.
	for _, shape := range [][]int{nil, {5}, {2, 3, 1, 4}, {3, 0}} {
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			n := 1
			for _, d := range shape {
				n *= d
			}
			v32 := make([]float32, n)
			v64 := make([]float64, n)
			for i := range v32 {
				v32[i], v64[i] = float32(i)-0.5, float64(i)/3
			}
			roundTrip(t, "f4", shape, v32)
			roundTrip(t, "f8", shape, v64)
		})
	}
}

// roundTrip writes v, of the given shape and dtype, to a file with Write,
// checking that the header ends where NEP 1 wants it, and checks that Read
// reads back the same dtype, shape and values.
func roundTrip[T float32 | float64](t *testing.T, dtype string, shape []int, v []T) {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, shape, v); err != nil {
		t.Fatal(err)
	}
	if hl := int(b.Bytes()[8]) | int(b.Bytes()[9])<<8; (10+hl)%64 != 0 {
		t.Errorf("%s: header ends at byte %d, want a multiple of 64 (NEP 1)", dtype, 10+hl)
	}
	a, err := Read(writeFile(t, b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	want := append([]int{}, shape...)
	got := map[string]any{"f4": a.F32, "f8": a.F64}[dtype]
	if a.Dtype != dtype || !reflect.DeepEqual(a.Shape, want) || (len(v) > 0 && !reflect.DeepEqual(got, any(v))) {
		t.Errorf("got %s %v %v, want %s %v %v", a.Dtype, a.Shape, got, dtype, want, v)
	}
}

func TestWriteRejectsAShapeThatDoesNotMatch(t *testing.T) {
	if err := Write(&bytes.Buffer{}, []int{2, 2}, []float32{1, 2, 3}); err == nil {
		t.Error("3 values written as shape [2 2] without an error")
	}
}

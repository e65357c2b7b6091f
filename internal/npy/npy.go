// Package npy reads and writes NumPy .npy arrays of any rank for the focal
// command, on top of codeberg.org/sbinet/npyio (which reads any rank into a
// flat slice but writes only scalars, vectors and matrices).
package npy

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"codeberg.org/sbinet/npyio"
)

// ErrFormat reports a file that is not a readable .npy array of a real
// number or boolean dtype.
var ErrFormat = errors.New("not a readable .npy array")

// Array is an array read from a .npy file, in C (row-major) order. Exactly one
// of F32, F64, Int and Bool holds the data, according to the dtype; Int holds
// every integer dtype (uint64 values above 2⁶³−1 are rejected on reading).
type Array struct {
	Shape []int
	Dtype string // NumPy's kind and size without the byte order: "f4", "i8", "b1", …
	F32   []float32
	F64   []float64
	Int   []int64
	Bool  []bool
}

// Len returns the number of elements, the product of Shape (1 for a 0-d array).
func (a *Array) Len() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// IsFloat reports whether a has a float dtype.
func (a *Array) IsFloat() bool { return a.F32 != nil || a.F64 != nil }

// Float64 returns the elements converted to float64.
func (a *Array) Float64() []float64 {
	out := make([]float64, a.Len())
	switch {
	case a.F64 != nil:
		copy(out, a.F64)
	case a.F32 != nil:
		for i, v := range a.F32 {
			out[i] = float64(v)
		}
	case a.Int != nil:
		for i, v := range a.Int {
			out[i] = float64(v)
		}
	case a.Bool != nil:
		for i, v := range a.Bool {
			if v {
				out[i] = 1
			}
		}
	}
	return out
}

// Read reads the .npy file at path. Errors name the path.
func Read(path string) (a *Array, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError names the path
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, want an .npy file", path)
	}
	a, err = decode(bufio.NewReader(f), st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

func decode(r io.Reader, size int64) (a *Array, err error) {
	// npyio panics on some malformed headers; a user's file must give an
	// error instead.
	defer func() {
		if p := recover(); p != nil {
			a, err = nil, fmt.Errorf("%w (%v)", ErrFormat, p)
		}
	}()
	nr, err := npyio.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	a = &Array{Shape: append([]int{}, nr.Header.Descr.Shape...)}
	n := 1
	for _, d := range a.Shape {
		if d < 0 || (d > 0 && n > (1<<40)/d) {
			return nil, fmt.Errorf("%w: shape %v", ErrFormat, a.Shape)
		}
		n *= d
	}
	// Every element takes at least a byte: a header claiming more elements
	// than the file has bytes is corrupt, and must not cost the allocation.
	if int64(n) > size {
		return nil, fmt.Errorf("%w: shape %v is larger than the file", ErrFormat, a.Shape)
	}
	dt := strings.Trim(nr.Header.Descr.Type, `'"`)
	if len(dt) < 2 {
		return nil, fmt.Errorf("%w: dtype %q", ErrFormat, dt)
	}
	a.Dtype = dt[1:]
	switch a.Dtype {
	case "f4":
		a.F32, err = read[float32](nr, n)
	case "f8":
		a.F64, err = read[float64](nr, n)
	case "i1":
		a.Int, err = readInt[int8](nr, n)
	case "i2":
		a.Int, err = readInt[int16](nr, n)
	case "i4":
		a.Int, err = readInt[int32](nr, n)
	case "i8":
		a.Int, err = readInt[int64](nr, n)
	case "u1":
		a.Int, err = readInt[uint8](nr, n)
	case "u2":
		a.Int, err = readInt[uint16](nr, n)
	case "u4":
		a.Int, err = readInt[uint32](nr, n)
	case "u8":
		var u []uint64
		if u, err = read[uint64](nr, n); err == nil {
			a.Int = make([]int64, n)
			for i, v := range u {
				if v > math.MaxInt64 {
					return nil, fmt.Errorf("element %d = %d does not fit int64", i, v)
				}
				a.Int[i] = int64(v)
			}
		}
	case "b1":
		a.Bool, err = read[bool](nr, n)
	default:
		return nil, fmt.Errorf("unsupported dtype %q (want float32, float64, bool or an integer dtype)", dt)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if nr.Header.Descr.Fortran && len(a.Shape) > 1 {
		perm := fortranToC(a.Shape)
		switch {
		case a.F32 != nil:
			a.F32 = permute(a.F32, perm)
		case a.F64 != nil:
			a.F64 = permute(a.F64, perm)
		case a.Int != nil:
			a.Int = permute(a.Int, perm)
		case a.Bool != nil:
			a.Bool = permute(a.Bool, perm)
		}
	}
	return a, nil
}

func read[T any](r *npyio.Reader, n int) ([]T, error) {
	v := make([]T, n)
	if err := r.Read(&v); err != nil {
		return nil, err
	}
	if len(v) != n {
		return nil, fmt.Errorf("%d values for %d elements", len(v), n)
	}
	return v, nil
}

func readInt[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](r *npyio.Reader, n int) ([]int64, error) {
	v, err := read[T](r, n)
	if err != nil {
		return nil, err
	}
	out := make([]int64, n)
	for i, e := range v {
		out[i] = int64(e)
	}
	return out, nil
}

// fortranToC returns, for each element k in Fortran order, its C-order index.
func fortranToC(shape []int) []int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	perm := make([]int, n)
	idx := make([]int, len(shape))
	for k := range perm {
		c, stride := 0, 1
		for d := len(shape) - 1; d >= 0; d-- {
			c += idx[d] * stride
			stride *= shape[d]
		}
		perm[k] = c
		for d := range shape {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return perm
}

func permute[T any](v []T, perm []int) []T {
	out := make([]T, len(v))
	for k, c := range perm {
		out[c] = v[k]
	}
	return out
}

// Write writes v, a flat C-order float32 or float64 array of the given
// shape (nil or empty: a 0-d array of one element), as a version 1.0 .npy
// file to w.
//
// npyio.Write derives the shape from the Go value and so cannot write
// [N, C, H, W] from a flat slice; the header is written here (NEP 1 format:
// magic, version, little-endian header length, a Python dict literal padded
// with spaces to a multiple of 64 bytes and ending in a newline) and the
// data little-endian.
func Write[T float32 | float64](w io.Writer, shape []int, v []T) error {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n != len(v) {
		return fmt.Errorf("npy: %d values for shape %v", len(v), shape)
	}
	descr := "<f8"
	var zero T
	if _, ok := any(zero).(float32); ok {
		descr = "<f4"
	}
	var sh strings.Builder
	sh.WriteByte('(')
	for i, d := range shape {
		if i > 0 {
			sh.WriteString(", ")
		}
		fmt.Fprint(&sh, d)
	}
	if len(shape) == 1 {
		sh.WriteByte(',')
	}
	sh.WriteByte(')')
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, sh.String())
	const pre = 10 // magic (6) + version (2) + header length (2)
	pad := 64 - (pre+len(hdr)+1)%64
	if pad == 64 {
		pad = 0
	}
	hdr += strings.Repeat(" ", pad) + "\n"
	bw := bufio.NewWriter(w)
	bw.WriteString("\x93NUMPY\x01\x00")
	binary.Write(bw, binary.LittleEndian, uint16(len(hdr)))
	bw.WriteString(hdr)
	if err := binary.Write(bw, binary.LittleEndian, v); err != nil {
		return err
	}
	return bw.Flush()
}

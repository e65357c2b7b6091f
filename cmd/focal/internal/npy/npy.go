// Package npy reads and writes NumPy .npy arrays of any rank for the focal
// command. It reads the format itself (NEP 1: a magic string, a version, a
// header dictionary, then the data) rather than through
// codeberg.org/sbinet/npyio, whose reader panics on malformed headers and
// cannot tell a truncated file from a short stream, and it writes arrays of
// any rank, where npyio writes only scalars, vectors and matrices.
package npy

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
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
	bw := bufio.NewWriter(w)
	if err := WriteHeader[T](bw, shape); err != nil {
		return err
	}
	if err := WriteValues(bw, v); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteHeader writes the header of a version 1.0 .npy file of T (float32
// or float64) and the given shape to w; the data, as WriteValues writes
// it, follows. A writer that produces the data piece by piece writes the
// header first, then each piece.
func WriteHeader[T float32 | float64](w io.Writer, shape []int) error {
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
	var b strings.Builder
	b.WriteString(magic + "\x01\x00")
	b.WriteByte(byte(len(hdr)))
	b.WriteByte(byte(len(hdr) >> 8))
	b.WriteString(hdr)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteValues writes v little-endian, as the data of an .npy file.
func WriteValues[T float32 | float64](w io.Writer, v []T) error {
	if nativeOrder() == binary.LittleEndian {
		_, err := w.Write(Bytes(v))
		return err
	}
	return binary.Write(w, binary.LittleEndian, v)
}

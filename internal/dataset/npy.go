package dataset

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio"
)

// ReadNPY reads features from xPath, an .npy array [N, F] (or [N, d₁, d₂, …],
// flattened to F = d₁·d₂·…), and labels from yPath, an .npy array [N] or
// [N, 1] of integers, floats or booleans. Any numeric dtype is accepted.
func ReadNPY(xPath, yPath string) (*Set, error) {
	x, shape, err := readNPY(xPath)
	if err != nil {
		return nil, err
	}
	s, err := featuresFromNPY(xPath, x, shape)
	if err != nil {
		return nil, err
	}
	y, yshape, err := readNPY(yPath)
	if err != nil {
		return nil, err
	}
	if len(yshape) == 0 || len(yshape) > 2 || (len(yshape) == 2 && yshape[1] != 1) {
		return nil, fmt.Errorf("%s: %w: labels have shape %v, want [N] or [N, 1]", yPath, ErrFormat, yshape)
	}
	if yshape[0] != s.N {
		return nil, fmt.Errorf("%w: %s has %d rows, %s has %d", ErrRows, xPath, s.N, yPath, yshape[0])
	}
	raw := make([]string, len(y))
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s: label %d is %v: %w", yPath, i, v, ErrNotFinite)
		}
		raw[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	s.Y, s.Classes = encode(raw)
	return s, nil
}

// ReadNPYFeatures reads the features of ReadNPY without labels.
func ReadNPYFeatures(path string) (*Set, error) {
	x, shape, err := readNPY(path)
	if err != nil {
		return nil, err
	}
	return featuresFromNPY(path, x, shape)
}

func featuresFromNPY(path string, x []float64, shape []int) (*Set, error) {
	if len(shape) == 0 {
		return nil, fmt.Errorf("%s: %w: a scalar, want features [N, F]", path, ErrFormat)
	}
	s := &Set{N: shape[0], F: 1}
	for _, d := range shape[1:] {
		s.F *= d
	}
	if s.N == 0 || s.F == 0 {
		return nil, fmt.Errorf("%s: %w: shape %v", path, ErrEmpty, shape)
	}
	s.X = make([]float32, len(x))
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > math.MaxFloat32 {
			return nil, fmt.Errorf("%s: row %d, column %d is %v: %w (or beyond float32)", path, i/s.F, i%s.F, v, ErrNotFinite)
		}
		s.X[i] = float32(v)
	}
	s.Features = defaultNames(s.F)
	return s, nil
}

// readNPY reads any numeric .npy array as float64 in C order.
func readNPY(path string) (v []float64, shape []int, err error) {
	// npyio panics on some malformed headers; a user's file must give an
	// error instead.
	defer func() {
		if r := recover(); r != nil {
			v, shape, err = nil, nil, fmt.Errorf("%s: %w: unreadable .npy file (%v)", path, ErrFormat, r)
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r, err := npyio.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w: %v", path, ErrFormat, err)
	}
	shape = r.Header.Descr.Shape
	n := 1
	for _, d := range shape {
		if d < 0 {
			return nil, nil, fmt.Errorf("%s: %w: shape %v", path, ErrFormat, shape)
		}
		if d > 0 && n > (1<<40)/d {
			return nil, nil, fmt.Errorf("%s: %w: shape %v is too large", path, ErrFormat, shape)
		}
		n *= d
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("%s: %w: shape %v", path, ErrEmpty, shape)
	}
	// Every element takes at least a byte: a header claiming more elements
	// than the file has bytes is corrupt, and must not cost the allocation.
	if st, err := f.Stat(); err == nil && int64(n) > st.Size() {
		return nil, nil, fmt.Errorf("%s: %w: shape %v is larger than the file", path, ErrFormat, shape)
	}
	out, err := readAs(r, r.Header.Descr.Type, n)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) != n {
		return nil, nil, fmt.Errorf("%s: %w: %d values for shape %v", path, ErrFormat, len(out), shape)
	}
	if r.Header.Descr.Fortran && len(shape) > 1 {
		out = fromFortran(out, shape)
	}
	return out, shape, nil
}

func readAs(r *npyio.Reader, dtype string, n int) ([]float64, error) {
	dtype = strings.Trim(dtype, `'"`)
	if len(dtype) < 2 {
		return nil, fmt.Errorf("%w: dtype %q", ErrFormat, dtype)
	}
	switch dtype[1:] {
	case "f8":
		return read[float64](r, n)
	case "f4":
		return read[float32](r, n)
	case "i8":
		return read[int64](r, n)
	case "i4":
		return read[int32](r, n)
	case "i2":
		return read[int16](r, n)
	case "i1":
		return read[int8](r, n)
	case "u8":
		return read[uint64](r, n)
	case "u4":
		return read[uint32](r, n)
	case "u2":
		return read[uint16](r, n)
	case "u1":
		return read[uint8](r, n)
	case "b1":
		v := make([]bool, n)
		if err := r.Read(&v); err != nil {
			return nil, err
		}
		out := make([]float64, n)
		for i, b := range v {
			if b {
				out[i] = 1
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: dtype %q is not a real number type", ErrFormat, dtype)
}

func read[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64](r *npyio.Reader, n int) ([]float64, error) {
	v := make([]T, n)
	if err := r.Read(&v); err != nil {
		return nil, err
	}
	out := make([]float64, n)
	for i, e := range v {
		out[i] = float64(e)
	}
	return out, nil
}

// fromFortran reorders a column-major array of the given shape to row-major.
func fromFortran(v []float64, shape []int) []float64 {
	out := make([]float64, len(v))
	idx := make([]int, len(shape))
	for k := range v {
		// k walks the Fortran order: the first index varies fastest.
		c, stride := 0, 1
		for d := len(shape) - 1; d >= 0; d-- {
			c += idx[d] * stride
			stride *= shape[d]
		}
		out[c] = v[k]
		for d := 0; d < len(shape); d++ {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out
}

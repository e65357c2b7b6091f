package dataset

import (
	"fmt"
	"math"
	"strconv"

	"github.com/focalgo/focal/cmd/focal/internal/npy"
)

// ReadNPY reads features from xPath, an .npy array [N, F] (or [N, d₁, d₂, …],
// flattened to F = d₁·d₂·…), and labels from yPath, an .npy array [N] or
// [N, 1] of integers, floats or booleans. Any numeric dtype is accepted.
func ReadNPY(xPath, yPath string) (*Set, error) {
	src, err := openSource(xPath)
	if err != nil {
		return nil, err
	}
	defer src.close()
	return readNPYPair(src, yPath)
}

func readNPYPair(xs *source, yPath string) (*Set, error) {
	s, err := readNPYFeatures(xs)
	if err != nil {
		return nil, err
	}
	if yPath == "" {
		return nil, fmt.Errorf("%s: an .npy features file needs its labels file: pass FEATURES.npy,LABELS.npy", xs.path)
	}
	ys, err := openSource(yPath)
	if err != nil {
		return nil, err
	}
	defer ys.close()
	y, yshape, err := readNPY(ys)
	if err != nil {
		return nil, err
	}
	if len(yshape) == 0 || len(yshape) > 2 || (len(yshape) == 2 && yshape[1] != 1) {
		return nil, fmt.Errorf("%s: %w: labels have shape %v, want [N] or [N, 1]", yPath, ErrFormat, yshape)
	}
	if yshape[0] != s.N {
		return nil, fmt.Errorf("%s: %w: %d rows, but %s has %d labels", xs.path, ErrRows, s.N, yPath, yshape[0])
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
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	defer src.close()
	return readNPYFeatures(src)
}

func readNPYFeatures(src *source) (*Set, error) {
	x, shape, err := readNPY(src)
	if err != nil {
		return nil, err
	}
	path := src.path
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
func readNPY(src *source) (v []float64, shape []int, err error) {
	a, err := npy.ReadFrom(src.r, src.size)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", src.path, formatError{err})
	}
	if a.Len() == 0 {
		return nil, nil, fmt.Errorf("%s: %w: shape %v", src.path, ErrEmpty, a.Shape)
	}
	return a.Float64(), a.Shape, nil
}

// formatError marks an error of the .npy reader as ErrFormat, keeping its
// message.
type formatError struct{ err error }

func (e formatError) Error() string   { return e.err.Error() }
func (e formatError) Unwrap() []error { return []error{e.err, ErrFormat} }

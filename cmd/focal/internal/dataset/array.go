package dataset

import (
	"fmt"
	"math"
	"strconv"
)

// An array is what a .npy or an IDX file holds: numbers, read as float64
// in C order, and their shape.
type array struct {
	v     []float64
	shape []int
}

// An arrayFormat is a format of files that hold one array: .npy or IDX.
// Features are such a file, and labels another.
type arrayFormat struct {
	// read reads a file of the format.
	read func(*source) (array, error)
	// labelsFor names the labels file of the features file xPath when the
	// user named none, or says why it cannot.
	labelsFor func(xPath string) (string, error)
}

// arrayFormats are the array formats by the Format sniff tells.
var arrayFormats = map[Format]arrayFormat{
	NPY: {readNPY, npyLabels},
	IDX: {readIDX, idxLabels},
}

// readFile opens path, hands it to read and closes it.
func readFile[T any](path string, read func(*source) (T, error)) (T, error) {
	src, err := openSource(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer src.close()
	return read(src)
}

// pair reads the features of src, then labels from yPath, or when yPath is
// "" from the file labelsFor names. The features are read before the
// labels file is looked for: when they are corrupt, that is what the user
// needs to hear first.
func (f arrayFormat) pair(src *source, yPath string) (*Set, error) {
	s, err := f.features(src)
	if err != nil {
		return nil, err
	}
	if yPath == "" {
		if yPath, err = f.labelsFor(src.path); err != nil {
			return nil, err
		}
	}
	if err := f.labels(s, src.path, yPath); err != nil {
		return nil, err
	}
	return s, nil
}

// features reads the features of an array file: an array [N, F], or
// [N, d₁, d₂, …] flattened to F = d₁·d₂·….
func (f arrayFormat) features(src *source) (*Set, error) {
	a, err := f.read(src)
	if err != nil {
		return nil, err
	}
	path, x, shape := src.path, a.v, a.shape
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

// labels reads the labels of s, read from the features file xPath, from
// the array file yPath: an array [N] or [N, 1] of finite numbers, each
// value a class.
func (f arrayFormat) labels(s *Set, xPath, yPath string) error {
	y, err := readFile(yPath, f.read)
	if err != nil {
		return err
	}
	if n := len(y.shape); n == 0 || n > 2 || (n == 2 && y.shape[1] != 1) {
		return fmt.Errorf("%s: %w: labels have shape %v, want [N] or [N, 1]", yPath, ErrFormat, y.shape)
	}
	if y.shape[0] != s.N {
		return fmt.Errorf("%s: %w: %d rows, but %s has %d labels", xPath, ErrRows, s.N, yPath, y.shape[0])
	}
	raw := make([]string, len(y.v))
	for i, v := range y.v {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: label %d is %v: %w", yPath, i, v, ErrNotFinite)
		}
		raw[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	s.Y, s.Classes = encode(raw)
	return nil
}

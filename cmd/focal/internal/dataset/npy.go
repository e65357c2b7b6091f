package dataset

import (
	"fmt"

	"github.com/focalgo/focal/cmd/focal/internal/npy"
)

// ReadNPY reads features from xPath, an .npy array [N, F] (or [N, d₁, d₂, …],
// flattened to F = d₁·d₂·…), and labels from yPath, an .npy array [N] or
// [N, 1] of integers, floats or booleans. Any numeric dtype is accepted.
func ReadNPY(xPath, yPath string) (*Set, error) {
	return readFile(xPath, func(src *source) (*Set, error) { return arrayFormats[NPY].pair(src, yPath) })
}

// npyLabels says that an .npy features file names no labels file.
func npyLabels(xPath string) (string, error) {
	return "", fmt.Errorf("%s: an .npy features file needs its labels file: pass FEATURES.npy,LABELS.npy", xPath)
}

// readNPY reads any numeric .npy array as float64 in C order.
func readNPY(src *source) (array, error) {
	a, err := npy.ReadFrom(src.r, src.size)
	if err != nil {
		return array{}, fmt.Errorf("%s: %w", src.path, formatError{err})
	}
	if a.Len() == 0 {
		return array{}, fmt.Errorf("%s: %w: shape %v", src.path, ErrEmpty, a.Shape)
	}
	return array{a.Float64(), a.Shape}, nil
}

// formatError marks an error of the .npy reader as ErrFormat, keeping its
// message.
type formatError struct{ err error }

func (e formatError) Error() string   { return e.err.Error() }
func (e formatError) Unwrap() []error { return []error{e.err, ErrFormat} }

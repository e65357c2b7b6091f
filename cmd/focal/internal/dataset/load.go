package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/focalgo/focal/cmd/focal/internal/quote"
)

// Format is a data file format.
type Format int

const (
	CSV Format = iota
	NPY
	IDX
)

func (f Format) String() string { return [...]string{"CSV", ".npy", "IDX"}[f] }

// Sniff tells the format of a file from its first bytes: the NumPy magic
// "\x93NUMPY", an IDX header (0 0 type ndim), or else CSV; gzip-compressed
// files are looked into. An empty file, a directory and binary data that
// is none of these are errors.
func Sniff(path string) (Format, error) {
	return readFile(path, (*source).sniff)
}

// Load reads a labelled data set from spec: "FILE" for a CSV file (whose
// label column is label) or an IDX images file whose labels file is found
// by the MNIST naming (…-images-idx3-ubyte → …-labels-idx1-ubyte), or
// "FEATURES,LABELS" for an .npy or IDX pair. Any of them may be
// gzip-compressed, or a pipe. Every error starts with the path of the file
// at fault.
func Load(spec, label string) (*Set, error) {
	xPath, yPath, _ := strings.Cut(spec, ",")
	return readFormat(xPath, func(src *source, format Format) (*Set, error) {
		if a, ok := arrayFormats[format]; ok {
			return a.pair(src, yPath)
		}
		if yPath != "" {
			return nil, fmt.Errorf("%s: a CSV file holds its own labels (--label COLUMN); drop %s", xPath, quote.Clip(","+yPath))
		}
		return readCSVSet(src, label)
	})
}

// LoadFeatures reads the features of spec (a labels file, if named, is not
// read). From a CSV file it takes the columns named features, in that
// order; other formats must have len(features) columns.
func LoadFeatures(spec string, features []string) (*Set, error) {
	xPath, _, _ := strings.Cut(spec, ",")
	s, err := readFormat(xPath, func(src *source, format Format) (s *Set, err error) {
		if a, ok := arrayFormats[format]; ok {
			return a.features(src)
		}
		s, _, err = readCSV(src, "", features)
		return s, err
	})
	if err != nil {
		return nil, err
	}
	if s.F != len(features) {
		return nil, fmt.Errorf("%s: %w: %d features per row, the model takes %d", xPath, ErrFormat, s.F, len(features))
	}
	return s, nil
}

// readFormat opens path, tells its format and hands both to read.
func readFormat(path string, read func(*source, Format) (*Set, error)) (*Set, error) {
	return readFile(path, func(src *source) (*Set, error) {
		format, err := src.sniff()
		if err != nil {
			return nil, err
		}
		return read(src, format)
	})
}

// idxLabelsPath returns the MNIST-named labels file next to an images
// file, or "" when the name does not follow the convention or the file is
// missing.
func idxLabelsPath(images string) string {
	dir, base := filepath.Split(images)
	if !strings.Contains(base, "images-idx3") {
		return ""
	}
	p := filepath.Join(dir, strings.Replace(base, "images-idx3", "labels-idx1", 1))
	for _, q := range []string{p, strings.TrimSuffix(p, ".gz"), p + ".gz"} {
		if _, err := os.Stat(q); err == nil {
			return q
		}
	}
	return ""
}

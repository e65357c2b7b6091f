package dataset

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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
// "\x93NUMPY", an IDX header (0 0 type ndim, possibly gzip-compressed), or
// else CSV.
func Sniff(path string) (Format, error) {
	r, c, err := openMaybeGzip(path)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	head := make([]byte, 6)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("\x93NUMPY")):
		return NPY, nil
	case n >= 4 && head[0] == 0 && head[1] == 0 && head[3] > 0 && head[3] < 8:
		return IDX, nil
	}
	return CSV, nil
}

// Load reads a labelled data set from spec: "FILE" for a CSV file (whose
// label column is label) or an IDX images file whose labels file is found
// by the MNIST naming (…-images-idx3-ubyte → …-labels-idx1-ubyte), or
// "FEATURES,LABELS" for an .npy or IDX pair.
func Load(spec, label string) (*Set, error) {
	xPath, yPath, _ := strings.Cut(spec, ",")
	format, err := Sniff(xPath)
	if err != nil {
		return nil, err
	}
	switch format {
	case NPY:
		if yPath == "" {
			return nil, fmt.Errorf("%s: an .npy features file needs its labels file: pass FEATURES.npy,LABELS.npy", xPath)
		}
		return ReadNPY(xPath, yPath)
	case IDX:
		if yPath == "" {
			if yPath = idxLabelsPath(xPath); yPath == "" {
				return nil, fmt.Errorf("%s: cannot guess the IDX labels file: pass IMAGES,LABELS", xPath)
			}
		}
		return ReadIDX(xPath, yPath)
	}
	if yPath != "" {
		return nil, fmt.Errorf("%s: a CSV file holds its own labels (--label COLUMN); drop %q", xPath, ","+yPath)
	}
	return ReadCSV(xPath, label)
}

// LoadFeatures reads the features of spec (a labels file, if named, is not
// read). From a CSV file it takes the columns named features, in that
// order; other formats must have len(features) columns.
func LoadFeatures(spec string, features []string) (*Set, error) {
	xPath, _, _ := strings.Cut(spec, ",")
	format, err := Sniff(xPath)
	if err != nil {
		return nil, err
	}
	var s *Set
	switch format {
	case NPY:
		s, err = ReadNPYFeatures(xPath)
	case IDX:
		s, err = ReadIDXFeatures(xPath)
	default:
		var x []float32
		var n int
		x, n, err = ReadCSVFeatures(xPath, features)
		if err == nil {
			s = &Set{X: x, N: n, F: len(features), Features: features}
		}
	}
	if err != nil {
		return nil, err
	}
	if s.F != len(features) {
		return nil, fmt.Errorf("%s: %w: %d features per row, the model takes %d", xPath, ErrFormat, s.F, len(features))
	}
	return s, nil
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

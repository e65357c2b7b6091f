package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// ReadCSV reads a CSV file with a header row. The column named label holds
// the class labels (any text; numbers are compared as numbers); every
// other column is a numeric feature. A cell that is not a finite number is
// an error naming its line and column.
func ReadCSV(path, label string) (*Set, error) {
	s, raw, err := readCSV(path, label, nil)
	if err != nil {
		return nil, err
	}
	s.Y, s.Classes = encode(raw)
	return s, nil
}

// ReadCSVFeatures reads the columns named features, in that order, from a
// CSV file with a header row; other columns (a label column, say) are
// ignored. It returns the row-major N×len(features) matrix.
func ReadCSVFeatures(path string, features []string) (x []float32, n int, err error) {
	s, _, err := readCSV(path, "", features)
	if err != nil {
		return nil, 0, err
	}
	return s.X, s.N, nil
}

func readCSV(path, label string, want []string) (*Set, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("%s: %w: empty file", path, ErrEmpty)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	header = slices.Clone(header)
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")

	labelCol := -1
	if label != "" {
		if labelCol = slices.Index(header, label); labelCol < 0 {
			return nil, nil, fmt.Errorf("%s: %w: no label column %q in the header (columns: %s)",
				path, ErrNoColumn, label, strings.Join(header, ", "))
		}
	}
	var cols []int
	if want != nil {
		for _, name := range want {
			c := slices.Index(header, name)
			if c < 0 {
				return nil, nil, fmt.Errorf("%s: %w: no feature column %q in the header (the model needs: %s)",
					path, ErrNoColumn, name, strings.Join(want, ", "))
			}
			cols = append(cols, c)
		}
	} else {
		for c := range header {
			if c != labelCol {
				cols = append(cols, c)
			}
		}
	}
	s := &Set{F: len(cols)}
	for _, c := range cols {
		s.Features = append(s.Features, header[c])
	}
	if s.F == 0 {
		return nil, nil, fmt.Errorf("%s: %w: no feature columns besides the label %q", path, ErrFormat, label)
	}
	var raw []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// csv.ParseError says the line and what is wrong.
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		for _, c := range cols {
			cell := strings.TrimSpace(rec[c])
			v, err := strconv.ParseFloat(cell, 64)
			line, _ := r.FieldPos(c)
			switch {
			case err != nil && !errors.Is(err, strconv.ErrRange):
				return nil, nil, fmt.Errorf("%s: line %d, column %d (%q): %q is %w",
					path, line, c+1, header[c], cell, ErrNotNumber)
			case math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > math.MaxFloat32:
				return nil, nil, fmt.Errorf("%s: line %d, column %d (%q): %q is %w (or beyond float32)",
					path, line, c+1, header[c], cell, ErrNotFinite)
			}
			s.X = append(s.X, float32(v))
		}
		if labelCol >= 0 {
			cell := strings.TrimSpace(rec[labelCol])
			if cell == "" {
				line, _ := r.FieldPos(labelCol)
				return nil, nil, fmt.Errorf("%s: line %d, column %d (%q): empty label", path, line, labelCol+1, label)
			}
			raw = append(raw, canonLabel(cell))
		}
		s.N++
	}
	if s.N == 0 {
		return nil, nil, fmt.Errorf("%s: %w: a header but no data rows", path, ErrEmpty)
	}
	return s, raw, nil
}

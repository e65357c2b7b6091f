package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/focalgo/focal/cmd/focal/internal/quote"
)

// ReadCSV reads a CSV file with a header row. The column named label holds
// the class labels (any text; numbers are compared as numbers); every
// other column is a numeric feature. A cell that is not a finite number is
// an error naming its line and column; so is a column name given twice.
func ReadCSV(path, label string) (*Set, error) {
	// The format is sniffed for its errors only: text in no known format
	// is read as CSV.
	return readFormat(path, func(src *source, _ Format) (*Set, error) { return readCSVSet(src, label) })
}

// ReadCSVFeatures reads the columns named features, in that order, from a
// CSV file with a header row; other columns (a label column, say) are
// ignored. It returns the row-major N×len(features) matrix.
func ReadCSVFeatures(path string, features []string) (x []float32, n int, err error) {
	s, err := readFormat(path, func(src *source, _ Format) (s *Set, err error) {
		s, _, err = readCSV(src, "", features)
		return s, err
	})
	if err != nil {
		return nil, 0, err
	}
	return s.X, s.N, nil
}

func readCSVSet(src *source, label string) (*Set, error) {
	if label == "" {
		return nil, fmt.Errorf("%s: %w: a CSV file needs the name of its label column", src.path, ErrNoColumn)
	}
	s, raw, err := readCSV(src, label, nil)
	if err != nil {
		return nil, err
	}
	s.Y, s.Classes = encode(raw)
	return s, nil
}

// readCSV reads the CSV text of src. With want, it takes the columns named
// in want, in that order, and no labels; else the column named label
// holds the labels and every other column is a feature.
func readCSV(src *source, label string, want []string) (*Set, []string, error) {
	path := src.path
	r := csv.NewReader(src.r)
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
	if len(header) == 1 && header[0] == "" {
		return nil, nil, fmt.Errorf("%s: %w: the header line is blank", path, ErrNoColumn)
	}
	// A name given twice would make "the column named a" ambiguous: the
	// features of predict would take the first for both, and a second
	// label column would be trained on as a feature.
	first := map[string]int{}
	for c, name := range header {
		if p, ok := first[name]; ok {
			return nil, nil, fmt.Errorf("%s: %w: %s appears twice in the header (columns %d and %d)",
				path, ErrDuplicate, quote.Clip(name), p+1, c+1)
		}
		first[name] = c
	}

	labelCol := -1
	if label != "" {
		var ok bool
		if labelCol, ok = first[label]; !ok {
			return nil, nil, fmt.Errorf("%s: %w: no label column %s in the header (columns: %s)%s",
				path, ErrNoColumn, quote.Clip(label), listNames(header), separatorHint(header))
		}
	}
	var cols []int
	if want != nil {
		for i, name := range want {
			if j := slices.Index(want[:i], name); j >= 0 {
				return nil, nil, fmt.Errorf("%s: the model names the feature %s twice (features %d and %d)",
					path, quote.Clip(name), j+1, i+1)
			}
			c, ok := first[name]
			if !ok {
				return nil, nil, fmt.Errorf("%s: %w: no feature column %s in the header (the model needs: %s)",
					path, ErrNoColumn, quote.Clip(name), listNames(want))
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
		return nil, nil, fmt.Errorf("%s: %w: no feature columns besides the label %s", path, ErrFormat, quote.Clip(label))
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
				return nil, nil, fmt.Errorf("%s: line %d, column %d (%s): %s is %w",
					path, line, c+1, quote.Clip(header[c]), quote.Clip(cell), ErrNotNumber)
			case math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > math.MaxFloat32:
				return nil, nil, fmt.Errorf("%s: line %d, column %d (%s): %s is %w (or beyond float32)",
					path, line, c+1, quote.Clip(header[c]), quote.Clip(cell), ErrNotFinite)
			}
			s.X = append(s.X, float32(v))
		}
		if labelCol >= 0 {
			cell := strings.TrimSpace(rec[labelCol])
			if cell == "" {
				line, _ := r.FieldPos(labelCol)
				return nil, nil, fmt.Errorf("%s: line %d, column %d (%s): empty label", path, line, labelCol+1, quote.Clip(label))
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

// listNames lists column names for an error message, up to about 200
// characters of them.
func listNames(names []string) string {
	const most = 200
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		if b.Len()+len(n) > most {
			cut := max(0, most-b.Len())
			for cut > 0 && !utf8.RuneStart(n[cut]) {
				cut--
			}
			fmt.Fprintf(&b, "%s… (%d columns)", n[:cut], len(names))
			break
		}
		b.WriteString(n)
	}
	return b.String()
}

// separatorHint suggests the likely reason when a header parsed as a single
// column holds another common separator.
func separatorHint(header []string) string {
	if len(header) != 1 {
		return ""
	}
	for _, sep := range []string{";", "\t", "|"} {
		if strings.Contains(header[0], sep) {
			return fmt.Sprintf("; the separator must be a comma, not %q", sep)
		}
	}
	return ""
}

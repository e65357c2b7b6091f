// Package dataset reads labelled tables for focal train: CSV files, NumPy
// .npy pairs and IDX files (MNIST, Fashion-MNIST); it splits them with
// stratification and standardises features on the training split.
//
// Every error about a file names the file, and where it helps the line and
// column; none of them panics on user data.
package dataset

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/focalgo/focal/cmd/focal/internal/quote"
)

var (
	// ErrEmpty: a file holds no examples.
	ErrEmpty = errors.New("no examples")
	// ErrNotNumber: a feature cell does not parse as a number.
	ErrNotNumber = errors.New("not a number")
	// ErrNotFinite: a feature is NaN or ±Inf.
	ErrNotFinite = errors.New("not finite")
	// ErrNoColumn: a column named by the user is missing.
	ErrNoColumn = errors.New("no such column")
	// ErrRows: features and labels differ in their number of rows.
	ErrRows = errors.New("row count mismatch")
	// ErrOneClass: the labels hold a single class.
	ErrOneClass = errors.New("a single class")
	// ErrFormat: a file is not in the format it claims or seems to be.
	ErrFormat = errors.New("bad format")
	// ErrDuplicate: a CSV header names a column twice.
	ErrDuplicate = errors.New("duplicate column")
)

// Set is a labelled data set of N examples with F features.
type Set struct {
	// X holds the features, row-major N×F.
	X    []float32
	N, F int
	// Features names the F columns (x0, x1, … when the source has no names).
	Features []string
	// Y holds the class index of each example, into Classes.
	Y []int
	// Classes are the distinct label values, numerically sorted when all
	// are numbers, else lexically.
	Classes []string
}

// Row returns the features of example i.
func (s *Set) Row(i int) []float32 { return s.X[i*s.F : (i+1)*s.F] }

// Counts returns the number of examples of each class.
func (s *Set) Counts() []int {
	c := make([]int, len(s.Classes))
	for _, y := range s.Y {
		c[y]++
	}
	return c
}

// canonLabel writes numeric labels one way, so that "1", "1.0" and the
// .npy value 1 are the same class.
func canonLabel(s string) string {
	if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return s
}

// CanonLabel returns the form in which Classes spells the label s
// ("1.0" → "1"), for matching a user's --positive against Classes.
func CanonLabel(s string) string { return canonLabel(s) }

func lessLabel(a, b string) int {
	va, ea := strconv.ParseFloat(a, 64)
	vb, eb := strconv.ParseFloat(b, 64)
	switch {
	case ea == nil && eb == nil:
		if va != vb {
			if va < vb {
				return -1
			}
			return 1
		}
	case ea == nil:
		return -1
	case eb == nil:
		return 1
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// encode turns raw labels into class indices over their sorted distinct
// values.
func encode(raw []string) (y []int, classes []string) {
	seen := map[string]int{}
	for _, r := range raw {
		if _, ok := seen[r]; !ok {
			seen[r] = 0
			classes = append(classes, r)
		}
	}
	slices.SortFunc(classes, lessLabel)
	for i, c := range classes {
		seen[c] = i
	}
	y = make([]int, len(raw))
	for i, r := range raw {
		y[i] = seen[r]
	}
	return y, classes
}

// Unify re-indexes the classes of a and b over the union of their label
// values, so that a class index means the same label in both.
func Unify(a, b *Set) {
	all := slices.Clone(a.Classes)
	for _, c := range b.Classes {
		if !slices.Contains(all, c) {
			all = append(all, c)
		}
	}
	slices.SortFunc(all, lessLabel)
	for _, s := range []*Set{a, b} {
		idx := make([]int, len(s.Classes))
		for i, c := range s.Classes {
			idx[i] = slices.Index(all, c)
		}
		for i, y := range s.Y {
			s.Y[i] = idx[y]
		}
		s.Classes = slices.Clone(all)
	}
}

// OneVsRest returns a binary copy of s: class 1 is the label positive
// (compared after writing numbers one way), class 0 every other label.
func OneVsRest(s *Set, positive string) (*Set, error) {
	p := slices.Index(s.Classes, canonLabel(positive))
	if p < 0 {
		return nil, fmt.Errorf("--positive %s: no such class (classes: %s)", quote.Clip(positive), listClasses(s.Classes))
	}
	b := *s
	b.Y = make([]int, len(s.Y))
	for i, y := range s.Y {
		if y == p {
			b.Y[i] = 1
		}
	}
	b.Classes = []string{"not " + s.Classes[p], s.Classes[p]}
	return &b, nil
}

func listClasses(c []string) string {
	const most = 20
	s := ""
	for i, v := range c {
		if i == most {
			return s + fmt.Sprintf(", … (%d in all)", len(c))
		}
		if i > 0 {
			s += ", "
		}
		s += v
	}
	return s
}

// CheckClasses returns an error naming what when s holds fewer than two
// classes.
func CheckClasses(s *Set, what string) error {
	n := 0
	for _, c := range s.Counts() {
		if c > 0 {
			n++
		}
	}
	if n < 2 {
		only := "no examples"
		if len(s.Y) > 0 && s.Y[0] < len(s.Classes) {
			only = fmt.Sprintf("all %d examples have label %q", s.N, s.Classes[s.Y[0]])
		}
		return fmt.Errorf("%s: %w: %s", what, ErrOneClass, only)
	}
	return nil
}

func defaultNames(f int) []string {
	n := make([]string, f)
	for i := range n {
		n[i] = "x" + strconv.Itoa(i)
	}
	return n
}

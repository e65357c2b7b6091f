// Package synthetic makes the small made-up data sets that the tests of
// focal train and of package train learn from, and writes them as the CSV
// files the command reads.
package synthetic

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
)

// Imbalanced returns n examples with f features, a fraction rate of them
// positive (class "1"): negatives are standard normal, positives are
// shifted by shift along the first three features.
func Imbalanced(n, f int, rate, shift float64, seed uint64) *dataset.Set {
	rng := rand.New(rand.NewPCG(seed, 99))
	s := &dataset.Set{N: n, F: f, Classes: []string{"0", "1"}}
	for j := range f {
		s.Features = append(s.Features, "f"+strconv.Itoa(j))
	}
	pos := int(rate * float64(n))
	for i := range n {
		y := 0
		if i < pos {
			y = 1
		}
		for j := range f {
			v := rng.NormFloat64()*2 + 3 // not standardised on purpose
			if y == 1 && j < 3 {
				v += 2 * shift
			}
			s.X = append(s.X, float32(v))
		}
		s.Y = append(s.Y, y)
	}
	return s
}

// WriteCSV writes s as dir/data.csv with a "label" column first and
// returns the file's path.
func WriteCSV(t testing.TB, dir string, s *dataset.Set) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("label")
	for _, f := range s.Features {
		b.WriteString("," + f)
	}
	b.WriteString("\n")
	for i := range s.N {
		b.WriteString(s.Classes[s.Y[i]])
		for _, v := range s.Row(i) {
			b.WriteString("," + strconv.FormatFloat(float64(v), 'g', -1, 32))
		}
		b.WriteString("\n")
	}
	p := filepath.Join(dir, "data.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Shifted returns n examples of the classes named, with four standard
// normal features a, b, c and d: example i is of class classOf(i) and,
// for the classes that have one, shifted by shift along the feature of
// the class's index. rng draws the features, in example order.
func Shifted(n int, classes []string, classOf func(i int) int, shift float64, rng *rand.Rand) *dataset.Set {
	s := &dataset.Set{N: n, F: 4, Features: []string{"a", "b", "c", "d"}, Classes: classes}
	for i := range n {
		y := classOf(i)
		for j := range s.F {
			v := rng.NormFloat64()
			if j == y {
				v += shift
			}
			s.X = append(s.X, float32(v))
		}
		s.Y = append(s.Y, y)
	}
	return s
}

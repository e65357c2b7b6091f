package train

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
)

// imbalanced returns n examples with f features, a fraction rate of them
// positive (class "1"): negatives are standard normal, positives are
// shifted by shift along the first three features.
func imbalanced(n, f int, rate, shift float64, seed uint64) *dataset.Set {
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

// writeSyntheticCSV writes s as dir/data.csv with a "label" column first.
func writeSyntheticCSV(t *testing.T, dir string, s *dataset.Set) string {
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

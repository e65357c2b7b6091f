package train

import (
	"slices"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
)

// balanced returns a set of c classes of n examples each, one feature
// holding the example's index.
func balanced(c, n int) *dataset.Set {
	s := &dataset.Set{F: 1, Features: []string{"i"}}
	for k := range c {
		s.Classes = append(s.Classes, string(rune('a'+k)))
	}
	for i := range c * n {
		s.X = append(s.X, float32(i))
		s.Y = append(s.Y, i%c)
		s.N++
	}
	return s
}

// TestLongTailKeepsCaosCounts: the class sizes are those of Cao et al.'s
// IMBALANCECIFAR10.get_img_num_per_cls, int(n_max·(1/ρ)^(c/(C−1))), here
// as Python prints them for n_max = 6000 (Fashion-MNIST), 600, and three
// classes of 60 at ρ = 10.
func TestLongTailKeepsCaosCounts(t *testing.T) {
	for _, c := range []struct {
		classes, n int
		rho        float64
		want       []int
	}{
		{10, 6000, 100, []int{6000, 3596, 2156, 1292, 774, 464, 278, 166, 100, 60}},
		{10, 600, 100, []int{600, 359, 215, 129, 77, 46, 27, 16, 10, 6}},
		{3, 60, 10, []int{60, 18, 6}},
		{2, 50, 1, []int{50, 50}},
	} {
		got, err := LongTail(balanced(c.classes, c.n), c.rho, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Counts(), c.want) {
			t.Errorf("%d classes of %d, ρ = %g: %v, want %v", c.classes, c.n, c.rho, got.Counts(), c.want)
		}
	}
}

// TestLongTailDrawsBySeed: the same seed keeps the same examples, in the
// order of the data; another seed keeps others.
func TestLongTailDrawsBySeed(t *testing.T) {
	s := balanced(4, 100)
	a, _ := LongTail(s, 20, 7)
	b, _ := LongTail(s, 20, 7)
	c, _ := LongTail(s, 20, 8)
	if !slices.Equal(a.X, b.X) {
		t.Error("seed 7 twice kept different examples")
	}
	if slices.Equal(a.X, c.X) {
		t.Error("seeds 7 and 8 kept the same examples")
	}
	if !slices.IsSorted(a.X) {
		t.Error("the subsample is not in the order of the data")
	}
	if _, err := LongTail(s, 0.5, 1); err == nil {
		t.Error("ρ = 0.5 accepted")
	}
}

package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
)

// LongTail returns a long-tailed subsample of s with imbalance ratio ρ =
// rho, the protocol of Cao et al. ("Learning Imbalanced Datasets with
// Label-Distribution-Aware Margin Loss", NeurIPS 2019, after Cui et al.
// 2019): class c (in the order of s.Classes) keeps
//
//	n_c = ⌊n_max · ρ^(−c/(C−1))⌋
//
// of its examples, n_max the size of the largest class, so that the
// first class keeps n_max and the last n_max/ρ (at least one); a class
// with fewer examples than n_c keeps them all. Which examples is drawn
// without replacement from seed alone; the subsample keeps the order of s.
// Balanced Fashion-MNIST (6000 per class) at ρ = 100 keeps 6000, 3596,
// 2156, 1292, 774, 464, 278, 166, 100 and 60.
func LongTail(s *dataset.Set, rho float64, seed uint64) (*dataset.Set, error) {
	if !(rho >= 1) || math.IsInf(rho, 0) {
		return nil, fmt.Errorf("--long-tail %v: want an imbalance ratio ρ ≥ 1", rho)
	}
	c := len(s.Classes)
	if c < 2 {
		return nil, fmt.Errorf("--long-tail: %w", dataset.ErrOneClass)
	}
	counts := s.Counts()
	nmax := slices.Max(counts)
	byClass := make([][]int, c)
	for i, y := range s.Y {
		byClass[y] = append(byClass[y], i)
	}
	rng := rand.New(rand.NewPCG(seed, 3))
	var keep []int
	for k, idx := range byClass {
		// The product is rounded to 12 significant digits first, so that
		// 6000·0.01 is 60, not 59.99….
		want := float64(nmax) * math.Pow(rho, -float64(k)/float64(c-1))
		n := int(math.Floor(roundSignificant(want, 12)))
		n = max(1, min(n, len(idx)))
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		keep = append(keep, idx[:n]...)
	}
	slices.Sort(keep)
	return s.Subset(keep), nil
}

// roundSignificant rounds x to d significant digits.
func roundSignificant(x float64, d int) float64 {
	if x == 0 {
		return 0
	}
	scale := math.Pow(10, float64(d)-math.Ceil(math.Log10(math.Abs(x))))
	return math.Round(x*scale) / scale
}

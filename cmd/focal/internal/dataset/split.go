package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Split divides s into a training and a test set, stratified by class: a
// fraction frac of each class (rounded, at least one example when the
// class has two or more, and never all of them) goes to the test set. The
// choice depends only on seed; both sets keep the order of s.
func Split(s *Set, frac float64, seed uint64) (train, test *Set, err error) {
	if !(frac > 0 && frac < 1) {
		return nil, nil, fmt.Errorf("--test-fraction %v: want a number in (0, 1)", frac)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed5))
	byClass := make([][]int, len(s.Classes))
	for i, y := range s.Y {
		byClass[y] = append(byClass[y], i)
	}
	var trainIdx, testIdx []int
	for _, idx := range byClass {
		n := len(idx)
		k := int(math.Round(frac * float64(n)))
		if n >= 2 {
			k = min(max(k, 1), n-1)
		} else {
			k = 0
		}
		rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		testIdx = append(testIdx, idx[:k]...)
		trainIdx = append(trainIdx, idx[k:]...)
	}
	slices.Sort(trainIdx)
	slices.Sort(testIdx)
	return s.Subset(trainIdx), s.Subset(testIdx), nil
}

// Subset returns the examples of s at idx, in that order.
func (s *Set) Subset(idx []int) *Set {
	out := &Set{N: len(idx), F: s.F, Features: s.Features, Classes: s.Classes}
	out.X = make([]float32, 0, len(idx)*s.F)
	out.Y = make([]int, len(idx))
	for k, i := range idx {
		out.X = append(out.X, s.Row(i)...)
		out.Y[k] = s.Y[i]
	}
	return out
}

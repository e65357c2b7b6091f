package kernel

import (
	"math/rand/v2"
	"testing"
)

// The tests run every implementation of this machine and build side by
// side by calling the kernels' On forms (sigmoidOn, sparseOn, softmaxOn,
// targetsOn) with the implementation's table: nothing switches the one the
// package uses, which init chose for the life of the process.

// tableOf returns the table of implementation m, nil for Generic (and for
// an implementation this machine and build lack).
func tableOf(m Impl) *table {
	for _, t := range tables {
		if t.impl == m {
			return t
		}
	}
	return nil
}

// vecImpls returns the vector implementations of this machine and build.
func vecImpls() []Impl { return Impls()[1:] }

// noVector is the message of the tests that compare the vector kernels
// with the generic ones, skipped where there are none.
const noVector = "no vector implementation in this build (-tags purego, not amd64, or a CPU without AVX2): " +
	"nothing to compare with the generic kernels, which the element-function tests check"

// needVector skips t when this machine and build have no vector
// implementation.
func needVector(t testing.TB) {
	t.Helper()
	if len(vecImpls()) == 0 {
		t.Skip(noVector)
	}
}

// TestVectorMatchesGeneric: every vector implementation equals the generic
// kernels for float32 and float64 data, entry point by entry point (see
// each check).
func TestVectorMatchesGeneric(t *testing.T) {
	for _, c := range []struct {
		name     string
		seed     uint64
		f32, f64 func(*testing.T, *rand.Rand, Impl)
	}{
		{"sigmoid", 1, testVector[float32], testVector[float64]},
		{"weighted", 15, testWeighted[float32], testWeighted[float64]},
		{"sparse", 5, testSparseVector[float32], testSparseVector[float64]},
		{"softmax", 11, testSoftmaxVector[float32], testSoftmaxVector[float64]},
	} {
		t.Run(c.name, func(t *testing.T) { vectorTest(t, c.seed, c.f32, c.f64) })
	}
}

// vectorTest runs a test of every vector implementation m for float32 and
// for float64 data as subtests, each with a random source seeded (seed,
// seed + 1); it skips where there are none.
func vectorTest(t *testing.T, seed uint64, f32, f64 func(t *testing.T, rng *rand.Rand, m Impl)) {
	t.Helper()
	needVector(t)
	for _, c := range []struct {
		name string
		f    func(*testing.T, *rand.Rand, Impl)
	}{{"float32", f32}, {"float64", f64}} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, seed+1))
			for _, m := range vecImpls() {
				c.f(t, rng, m)
			}
		})
	}
}

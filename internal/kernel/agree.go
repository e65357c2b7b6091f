package kernel

import "math"

// Agree reports whether got equals want within rel·|want| + abs, NaN
// matching NaN and infinities matching exactly: the agreement the tests of
// this package and of package focal require between two implementations
// of a kernel.
func Agree(got, want, rel, abs float64) bool {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		return math.IsNaN(want) && math.IsNaN(got)
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		return got == want
	}
	return math.Abs(got-want) <= rel*math.Abs(want)+abs
}

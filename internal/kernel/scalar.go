package kernel

import "math"

// The scalar building blocks of the element functions, for the members of
// package focal's family, whose element math lives beside their
// parameters there.

// ExpNeg returns e^(−a) for a ≥ 0 to about 1e-9 relative (NaN in, NaN
// out): the float32 kernels' exponential.
func ExpNeg(a float64) float64 { return expNeg(a) }

// Log1pUnit returns log(1 + e) for 0 ≤ e ≤ 1 to about 1e-9 relative.
func Log1pUnit(e float64) float64 { return log1pUnit(e) }

// PowGamma returns m^g, by repeated multiplication for an integer
// 0 ≤ g ≤ 8, else as exp(g·log m) from the given log m: the focusing
// factor of every kernel, so that all of them round it alike.
func PowGamma(m, logm, g float64) float64 {
	if k, ok := intGamma(g); ok {
		return powInt(m, k)
	}
	return math.Exp(g * logm)
}

// IsIntGamma reports whether γ is computed by multiplication (an integer
// in [0, 8]).
func IsIntGamma(g float64) bool {
	_, ok := intGamma(g)
	return ok
}

// PowInt returns m^k for a small k ≥ 0 by multiplication.
func PowInt(m float64, k int) float64 { return powInt(m, k) }

package kernel

import "math"

// Scalar exp and log1p for the float32 kernels, computed in float64 to
// about 1e-9 relative error: far below float32's 6e-8 rounding, and two to
// three times cheaper than math.Exp and math.Log1p, which spend their time
// on float64's last bits.

// expNeg returns e^(−a) for a ≥ 0 (NaN in, NaN out).
//
// Method: e^(−a) = 2^(−k)·e^(−r), k = round(a/ln 2), r = a − k·ln 2 with
// ln 2 split in two parts (Cody–Waite), |r| ≤ ln2/2; e^(−r) by its Taylor
// polynomial of degree 9 (truncation error < 2.5e-10 relative).
func expNeg(a float64) float64 {
	const (
		log2e = 1.4426950408889634
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
	)
	if !(a <= 708) { // also NaN
		if a != a {
			return a
		}
		return 0
	}
	k := math.Floor(a*log2e + 0.5)
	r := -(a - k*ln2Hi - k*ln2Lo)
	// Estrin's scheme: short dependency chains, so that consecutive
	// elements overlap in the pipeline.
	r2 := r * r
	r4 := r2 * r2
	p := (1 + r) + r2*(1.0/2+r*(1.0/6)) + r4*((1.0/24+r*(1.0/120))+r2*(1.0/720+r*(1.0/5040))) + r4*r4*(1.0/40320+r*(1.0/362880))
	return p * math.Float64frombits(uint64(1023-int64(k))<<52)
}

// log1pUnit returns log(1 + e) for 0 ≤ e ≤ 1.
//
// Method: log(1 + e) = 2·atanh(s), s = e/(2 + e) ∈ [0, 1/3], by the odd
// series 2(s + s³/3 + … + s¹⁷/17) (truncation < 1e-10 relative); for
// tiny e the series keeps full relative accuracy (s ≈ e/2), so there is no
// branch but the rare one that keeps e/2 from underflowing.
func log1pUnit(e float64) float64 {
	if e < 0x1p-500 { // log(1+e) = e to double precision; e/2 could underflow
		return e
	}
	s := e / (2 + e)
	z := s * s
	z2 := z * z
	z4 := z2 * z2
	// Estrin's scheme, as in expNeg.
	p := (1 + z*(1.0/3)) + z2*(1.0/5+z*(1.0/7)) + z4*((1.0/9+z*(1.0/11))+z2*(1.0/13+z*(1.0/15))) + z4*z4*(1.0/17)
	return 2 * s * p
}

package kernel

import (
	"math"
	"unsafe"
)

// Heavy weights. The weighted paths for float32 data weigh outputs that
// the kernels have already rounded to float32 (the weighting loops after
// the kernels, and the float32-lane kernels that weigh in their lanes).
// A rounded output is within 1.2e-7 relative of its value only while it
// is a normal float32: below 2^−126 its absolute error is up to 2^−150,
// and the weight w scales that to w·2^−150. For w ≤ 2^24 that is at most
// 2^−126, float32's least normal number: what a computation that flushes
// subnormals to zero gives up. A heavier weight loses more: an easy
// negative's loss of 3.1e-58 (x = −44, γ = 2) rounds to 0, and 0 times
// 3e37 is 0 where the weighted loss is 9.2e-21.
//
// So where a call may have weights above 2^24 (SigmoidParams.LightWeights
// and MemberSpec.LightWeights unset), the weighting loops look, in each
// piece, for the elements whose weight is above 2^24 and one of whose
// unweighted float32 outputs is below 2^−126 in magnitude (0 included: a
// loss of 1e-46 rounds to 0), compute those again in float64 lanes and
// weigh the float64 outputs instead: each output is then rounded once,
// as the Go loops round it. The float32-lane kernels that weigh in their
// lanes (sigmoidHardWeighted…F32, sigmoidHardMasked…F32, the members'
// …HardMasked…F32) take only calls whose weights are at most 2^24.

// HeavyWeight is the largest weight that the weighted float32 paths weigh
// after rounding: SigmoidParams.LightWeights and MemberSpec.LightWeights
// say that no weight of a call is above it.
const HeavyWeight = 0x1p24

// minNormal32 is the least normal float32, 2^−126.
const minNormal32 = 0x1p-126

// underNormal reports whether s is not nil and |s[i]| < 2^−126 (NaN: no).
func underNormal(s []float32, i int) bool {
	return s != nil && math.Abs(float64(s[i])) < minNormal32
}

// heavyFind appends to at the indices i of one piece (at most
// weightedPiece elements) whose weight w[i] is above HeavyWeight and one
// of whose unweighted float32 outputs l[i], g[i], h[i] (g and h: nil for
// none) is below 2^−126 in magnitude, and returns it. An element that
// does not count has the weight 0 in w (see pieceWeights) or is ignored.
func heavyFind[W Float](at []uint16, w []W, ignore []bool, l, g, h []float32) []uint16 {
	for i, wi := range w {
		if wi > HeavyWeight && (ignore == nil || !ignore[i]) && (underNormal(l, i) || underNormal(g, i) || underNormal(h, i)) {
			at = append(at, uint16(i))
		}
	}
	return at
}

// heavyRedo computes again, in float64, the unweighted outputs of the
// elements at (indices into x and y, at most weightedPiece) with run,
// from s.weighted's first len(at) places: logits and targets in
// s.weighted[0] and [1], outputs in [2], [3] and [4] (the gradient and
// Hessian only with grad and hess). The caller's own use of s.weighted
// must not overlap those places.
func heavyRedo[T Float](s *scratch, at []uint16, x, y []T, grad, hess bool, run func(l, g, h, x, y []float64)) {
	n := len(at)
	xb, yb := s.weighted[0][:n], s.weighted[1][:n]
	for j, i := range at {
		xb[j], yb[j] = float64(x[i]), float64(y[i])
	}
	var g, h []float64
	if grad {
		g = s.weighted[3][:n]
	}
	if hess {
		h = s.weighted[4][:n]
	}
	run(s.weighted[2][:n], g, h, xb, yb)
}

// as32 returns s as a []float32 (T is float32), nil for nil.
func as32[T Float](s []T) []float32 {
	if s == nil {
		return nil
	}
	return unsafe.Slice(ptr[T, float32](s), len(s))
}

// isFloat32 reports whether T is float32.
func isFloat32[T Float]() bool { return unsafe.Sizeof(T(0)) == 4 }

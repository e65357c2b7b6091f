package kernel

import "math"

// maskedRunCost is what sigmoidMasked reckons a kernel call on one run of
// elements costs beyond the run itself, in elements of kernel work: the
// call, and the padded tail step the run's length leaves (on average half
// a step of the float32 lanes, 32 elements, or more of the float64 lanes
// at half their speed). Taking a piece run by run skips its ignored
// elements' work; taking it whole pays for theirs instead (see
// BenchmarkSigmoidMasked).
const maskedRunCost = 32

// sigmoidMasked is sigmoidVec with the ignored elements' outputs 0 in
// every destination and their losses left out of the sum. It takes x in
// pieces of weightedPiece elements: a piece with no ignored element goes
// to sigmoidVec whole, one with only ignored elements is cleared, one whose
// ignored elements come in few long runs goes to sigmoidVec run by run
// (the runs of elements not ignored), and any other whole from a scratch
// copy in which the ignored elements are x = −Inf, y = 0 (sigmoidPadded):
// short runs would make the calls cost more than the elements.
//
// For float64 data an element's outputs depend neither on the pieces nor
// on the runs, so they equal Sparse's bit for bit; float32 data may take
// the float32-lane kernel in some pieces or runs and not in others, and
// then agrees to rounding (1e-6 relative).
func sigmoidMasked[T Float](s *scratch, loss, grad, hess, x, y []T, ignore []bool) float64 {
	var sum float64
	for lo := 0; lo < len(x); lo += weightedPiece {
		hi := min(lo+weightedPiece, len(x))
		l, g, h := sub(loss, lo, hi), sub(grad, lo, hi), sub(hess, lo, hi)
		xs, ys, ig := x[lo:hi], y[lo:hi], ignore[lo:hi]
		at, runs := ignoredIn(s, ig)
		switch {
		case len(at) == 0:
			sum += sigmoidVec(s, l, g, h, xs, ys)
		case len(at) == len(ig):
			clearRange(0, len(ig), l, g, h)
		case runs*maskedRunCost < len(at):
			sum += maskedRuns(l, g, h, ig, func(a, b int) float64 {
				return sigmoidVec(s, sub(l, a, b), sub(g, a, b), sub(h, a, b), xs[a:b], ys[a:b])
			})
		default:
			sum += sigmoidPadded(s, l, g, h, xs, ys, at)
		}
	}
	return sum
}

// ignoredIn returns the indices of the ignored elements of a piece (at most
// weightedPiece long), in scratch.at, and the number of runs of elements
// not ignored. It does not branch on the mask, whose pattern may be random.
func ignoredIn(s *scratch, ignore []bool) (at []uint16, runs int) {
	buf := s.at[:len(ignore)]
	k, prev := 0, 1
	for i, v := range ignore {
		iv := b2i(v)
		buf[k] = uint16(i) // k ≤ i
		k += iv
		runs += prev &^ iv
		prev = iv
	}
	return buf[:k], runs
}

// b2i returns 1 for true and 0 for false (a SETcc, not a branch).
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sigmoidPadded is sigmoidVec on x and y with the elements at the indices
// at ignored: they go through the kernel from scratch copies as x = −Inf,
// y = 0, padTail's padding, whose loss is exactly 0 (so the kernel's sum is
// that of the others) and whose target is hard (so float32 data keep the
// float32 lanes where the others allow), whatever their own logits and
// targets; their outputs are then set to 0.
func sigmoidPadded[T Float](s *scratch, loss, grad, hess, x, y []T, at []uint16) float64 {
	bx, by := view[T](s.masked[0][:], len(x)), view[T](s.masked[1][:], len(x))
	copy(bx, x)
	copy(by, y)
	pad := T(math.Inf(-1))
	for _, i := range at {
		bx[i], by[i] = pad, 0
	}
	sum := sigmoidVec(s, loss, grad, hess, bx, by)
	for _, d := range [...][]T{loss, grad, hess} {
		if d != nil {
			for _, i := range at {
				d[i] = 0
			}
		}
	}
	return sum
}

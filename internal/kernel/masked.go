package kernel

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

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
// pieces of weightedPiece elements: consecutive pieces with no ignored
// element go to sigmoidVec together (a mask with none ignored gives what
// no mask gives, bit for bit, sum included), one with only ignored
// elements is cleared, one whose ignored elements come in few long runs
// goes to sigmoidVec run by run (the runs of elements not ignored), and
// any other whole: to the float32-lane kernel that takes the mask
// (maskedLanes, where weighsInLanes), up to where it stops, and the rest
// from a scratch copy in which the ignored elements are x = 0, y = 0
// (sigmoidPadded): short runs would make the calls cost more than the
// elements.
//
// For float64 data an element's outputs depend neither on the pieces nor
// on the runs, so they equal Sparse's bit for bit; float32 data may take
// the float32-lane kernel in some pieces or runs and not in others, and
// then agrees to rounding (1e-6 relative).
func sigmoidMasked[T Float](s *scratch, loss, grad, hess, x, y []T, ignore []bool) float64 {
	var sum float64
	for lo := 0; lo < len(x); {
		// The pieces with none ignored from lo on, in one call.
		hi := lo
		var ignored, runs int
		for hi < len(x) {
			end := min(hi+weightedPiece, len(x))
			if ignored, runs = maskCount(ignore[hi:end]); ignored != 0 {
				break
			}
			hi = end
		}
		if hi > lo {
			sum += sigmoidVec(s, sub(loss, lo, hi), sub(grad, lo, hi), sub(hess, lo, hi), x[lo:hi], y[lo:hi])
			if lo = hi; lo == len(x) {
				break
			}
		}
		hi = min(lo+weightedPiece, len(x))
		l, g, h := sub(loss, lo, hi), sub(grad, lo, hi), sub(hess, lo, hi)
		xs, ys, ig := x[lo:hi], y[lo:hi], ignore[lo:hi]
		switch {
		case ignored == len(ig):
			clearRange(0, len(ig), l, g, h)
		case runs*maskedRunCost < ignored:
			sum += maskedRuns(l, g, h, ig, func(a, b int) float64 {
				return sigmoidVec(s, sub(l, a, b), sub(g, a, b), sub(h, a, b), xs[a:b], ys[a:b])
			})
		default:
			// The float32 lanes that weigh their outputs, with the mask as
			// weights 0 and 1, up to where they stop; the rest padded.
			done := 0
			if weighsInLanes[T](&s.v) {
				var ks float64
				ks, done = maskedLanes(s, l, g, h, xs, ys, ig)
				sum += ks
			}
			if done < len(ig) {
				sum += sigmoidPadded(s, sub(l, done, len(ig)), sub(g, done, len(ig)), sub(h, done, len(ig)),
					xs[done:], ys[done:], ignoredAt(s, ig[done:]))
			}
		}
		lo = hi
	}
	return sum
}

// maskCount returns the number of ignored elements in a piece of the mask
// and the number of runs of elements not ignored, reading 8 elements to a
// word (a bool is the byte 0 or 1), without a branch on the mask.
func maskCount(ignore []bool) (ignored, runs int) {
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(ignore))), len(ignore))
	prev, i := uint64(1), 0 // prev: the element before is ignored
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		ignored += bits.OnesCount64(w)
		// A run starts at an element not ignored after one ignored.
		runs += bits.OnesCount64(^w & (w<<8 | prev) & 0x0101010101010101)
		prev = w >> 56
	}
	for ; i < len(b); i++ {
		v := uint64(b[i])
		ignored += int(v)
		runs += int(prev &^ v)
		prev = v
	}
	return ignored, runs
}

// ignoredAt returns the indices of the ignored elements of a piece of the
// mask (at most weightedPiece long), in scratch.at. It writes every index
// and keeps (advances past) the ignored ones', so that it does not branch
// on the mask, whose pattern may be random, but for a word of 8 elements
// with none ignored.
func ignoredAt(s *scratch, ignore []bool) []uint16 {
	const mask = weightedPiece - 1   // k < weightedPiece: no bounds check
	_ = [1]int{}[weightedPiece&mask] // weightedPiece is a power of 2
	buf := &s.at
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(ignore))), len(ignore))
	k, i := 0, 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		if w == 0 {
			continue
		}
		buf[k&mask] = uint16(i)
		k += int(w & 1)
		buf[k&mask] = uint16(i + 1)
		k += int(w >> 8 & 1)
		buf[k&mask] = uint16(i + 2)
		k += int(w >> 16 & 1)
		buf[k&mask] = uint16(i + 3)
		k += int(w >> 24 & 1)
		buf[k&mask] = uint16(i + 4)
		k += int(w >> 32 & 1)
		buf[k&mask] = uint16(i + 5)
		k += int(w >> 40 & 1)
		buf[k&mask] = uint16(i + 6)
		k += int(w >> 48 & 1)
		buf[k&mask] = uint16(i + 7)
		k += int(w >> 56 & 1)
	}
	for ; i < len(b); i++ {
		buf[k&mask] = uint16(i)
		k += int(b[i])
	}
	return buf[:k]
}

// weighsInLanes reports whether the vector constants v take float32 data
// T through the float32-lane kernels that weigh their outputs
// (sigmoidHardWeightedF32, sigmoidHardMaskedF32).
func weighsInLanes[T Float](v *vec) bool {
	return unsafe.Sizeof(T(0)) == 4 && v.hard32 && !v.scaled && v.t.sigmoidHardWeightedF32 != nil && v.t.sigmoidHardMaskedF32 != nil
}

// maskedLanes runs sigmoidHardMaskedF32 (see weighsInLanes) on the
// first len(x) &^ 31 elements of one piece (at most weightedPiece long)
// with the weights 1, 0 where ignored: an ignored element's outputs are 0
// and its target is not checked. It returns the sum of the losses and the
// number of elements done (fewer where the kernel stops, at a block with a
// soft target).
func maskedLanes[T Float](s *scratch, loss, grad, hess, x, y []T, ignore []bool) (float64, int) {
	n := len(x) &^ 31
	if n == 0 {
		return 0, 0
	}
	v := &s.v
	return v.t.sigmoidHardMaskedF32(&v.par, &v.q, ptr[T, float32](loss), ptr[T, float32](grad), ptr[T, float32](hess),
		ptr[T, float32](x), ptr[T, float32](y), &ones32[0], &ignore[0], n)
}

// ones32 are the weights, and noneIgnored the mask, that the weighing
// kernels take for a call without.
var (
	ones32 = func() (w [weightedPiece]float32) {
		for i := range w {
			w[i] = 1
		}
		return w
	}()
	noneIgnored [weightedPiece]bool
)

// sigmoidPadded is sigmoidVec on x and y with the elements at the indices
// at ignored: they go through the kernel from scratch copies as x = 0,
// y = 0, whatever their own logits and targets, then their outputs are set
// to 0 and the sum is taken over the losses. The padding is finite, so
// that it cannot make a NaN, and a hard target, so that float32 data keep
// the float32 lanes where the others allow; it is 0 rather than padTail's
// −Inf (whose loss is exactly 0 and would keep the kernel's own sum) as a
// very negative logit sends the AVX2 float64-lane kernel's exp and log,
// for γ not an integer, on a path twice as slow.
func sigmoidPadded[T Float](s *scratch, loss, grad, hess, x, y []T, at []uint16) float64 {
	bx, by := view[T](s.masked[0][:], len(x)), view[T](s.masked[1][:], len(x))
	copy(bx, x)
	copy(by, y)
	for _, i := range at {
		bx[i], by[i] = 0, 0
	}
	if loss == nil {
		loss = view[T](s.loss[:], len(x))
	}
	sigmoidVec(s, loss, grad, hess, bx, by)
	for _, d := range [...][]T{loss, grad, hess} {
		if d != nil {
			for _, i := range at {
				d[i] = 0
			}
		}
	}
	return sumOf(loss)
}

// sumOf returns the sum of v in float64, in four running sums (which the
// processor adds at once: one would wait for each addition).
func sumOf[T Float](v []T) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		w := v[i : i+4 : i+4]
		s0 += float64(w[0])
		s1 += float64(w[1])
		s2 += float64(w[2])
		s3 += float64(w[3])
	}
	for ; i < len(v); i++ {
		s0 += float64(v[i])
	}
	return (s0 + s1) + (s2 + s3)
}

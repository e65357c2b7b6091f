package kernel

import "unsafe"

// Targets counts the positive targets (y > 0) of y and returns the index of
// the first target outside [0, 1] (NaN included), or −1, with pos counted
// up to there: the check package focal makes before a sigmoid pass without
// weights or mask. It is vectorized like Sigmoid.
func Targets[T Float](y []T) (pos int64, bad int) {
	pos, bad, _ = targetsOn(active, y)
	return pos, bad
}

// TargetsHard is Targets that also reports whether every target is 0 or 1
// (when none is bad): what SigmoidParams.HardTargets may then say of y.
func TargetsHard[T Float](y []T) (pos int64, bad int, hard bool) { return targetsOn(active, y) }

// targetsOn is TargetsHard on the kernels of table t (nil: in Go).
func targetsOn[T Float](t *table, y []T) (pos int64, bad int, hard bool) {
	var done int
	hard = true
	if t != nil && len(y) > 0 {
		w := t.vectorBytes / int(unsafe.Sizeof(y[0]))
		done = len(y) &^ (w - 1)
		p, b, h := 0, -1, 1
		if done > 0 {
			p, b, h = targetsCall(t, y, done)
		}
		if b >= 0 {
			// The block at b holds the bad target; find it.
			q, i, _ := targetsGo(y[b : b+w])
			return int64(p) + q, b + i, false
		}
		pos, hard = int64(p), h != 0
	}
	q, i, h := targetsGo(y[done:])
	if i >= 0 {
		return pos + q, i + done, false
	}
	return pos + q, -1, hard && h
}

// targetsGo is TargetsHard in Go.
func targetsGo[T Float](y []T) (pos int64, bad int, hard bool) {
	hard = true
	for i, v := range y {
		if !(v >= 0 && v <= 1) {
			return pos, i, false
		}
		if v > 0 {
			pos++
		}
		hard = hard && (v == 0 || v == 1)
	}
	return pos, -1, hard
}

// targetsCall runs the assembly check of t on y[:n].
func targetsCall[T Float](t *table, y []T, n int) (pos, bad, hard int) {
	if unsafe.Sizeof(y[0]) == 4 {
		return t.targetsF32(ptr[T, float32](y), n)
	}
	return t.targetsF64(ptr[T, float64](y), n)
}

// TargetsMasked is TargetsHard for the targets of y that ignore does not
// ignore (ignore as long as y): it returns their number as well, the
// positives among them, the index of the first of them outside [0, 1]
// (NaN included), or −1, and whether all of them are 0 or 1. The ignored
// targets are not looked at. It is vectorized like TargetsHard.
func TargetsMasked[T Float](y []T, ignore []bool) (count, pos int64, bad int, hard bool) {
	return targetsMaskedOn(active, y, ignore)
}

// targetsMaskedOn is TargetsMasked on the kernels of table t (nil: in Go).
func targetsMaskedOn[T Float](t *table, y []T, ignore []bool) (count, pos int64, bad int, hard bool) {
	ignore = ignore[:len(y)]
	var done int
	hard = true
	if t != nil && len(y) > 0 {
		w := t.vectorBytes / int(unsafe.Sizeof(y[0]))
		if done = len(y) &^ (w - 1); done > 0 {
			var p, b, h, ig int
			if unsafe.Sizeof(y[0]) == 4 {
				p, b, h, ig = t.targetsMaskedF32(ptr[T, float32](y), &ignore[0], done)
			} else {
				p, b, h, ig = t.targetsMaskedF64(ptr[T, float64](y), &ignore[0], done)
			}
			if b >= 0 {
				// The block at b holds the bad target; find it.
				_, _, i, _ := targetsMaskedGo(y[b:b+w], ignore[b:b+w])
				return 0, 0, b + i, false
			}
			count, pos, hard = int64(done-ig), int64(p), h != 0
		}
	}
	c, q, i, h := targetsMaskedGo(y[done:], ignore[done:])
	if i >= 0 {
		return 0, 0, i + done, false
	}
	return count + c, pos + q, -1, hard && h
}

// targetsMaskedGo is TargetsMasked in Go (the counts of an input with a
// bad target are not kept).
func targetsMaskedGo[T Float](y []T, ignore []bool) (count, pos int64, bad int, hard bool) {
	hard = true
	for i, v := range y {
		if ignore[i] {
			continue
		}
		if !(v >= 0 && v <= 1) {
			return 0, 0, i, false
		}
		count++
		if v > 0 {
			pos++
		}
		hard = hard && (v == 0 || v == 1)
	}
	return count, pos, -1, hard
}

package kernel

import "unsafe"

// Targets counts the positive targets (y > 0) of y and returns the index of
// the first target outside [0, 1] (NaN included), or −1, with pos counted
// up to there: the check package focal makes before a sigmoid pass without
// weights or mask. It is vectorized like Sigmoid.
func Targets[T Float](y []T) (pos int64, bad int) { return targetsOn(active, y) }

// targetsOn is Targets on the kernels of table t (nil: in Go).
func targetsOn[T Float](t *table, y []T) (pos int64, bad int) {
	var done int
	if t != nil && len(y) > 0 {
		w := t.vectorBytes / int(unsafe.Sizeof(y[0]))
		done = len(y) &^ (w - 1)
		p, b := 0, -1
		if done > 0 {
			p, b = targetsCall(t, y, done)
		}
		if b >= 0 {
			// The block at b holds the bad target; find it.
			q, i := targetsGo(y[b : b+w])
			return int64(p) + q, b + i
		}
		pos = int64(p)
	}
	q, i := targetsGo(y[done:])
	if i >= 0 {
		i += done
	}
	return pos + q, i
}

// targetsGo is Targets in Go.
func targetsGo[T Float](y []T) (pos int64, bad int) {
	for i, v := range y {
		if !(v >= 0 && v <= 1) {
			return pos, i
		}
		if v > 0 {
			pos++
		}
	}
	return pos, -1
}

// targetsCall runs the assembly check of t on y[:n].
func targetsCall[T Float](t *table, y []T, n int) (pos, bad int) {
	if unsafe.Sizeof(y[0]) == 4 {
		return t.targetsF32(ptr[T, float32](y), n)
	}
	return t.targetsF64(ptr[T, float64](y), n)
}

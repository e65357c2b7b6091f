package kernel

import (
	"sync"
	"unsafe"
)

// scratch is the working memory of one call of the vector paths: the
// sigmoid constants, the padded tail of sigmoidLanes, the one-hot targets
// of sparseVec, the loss buffer of sigmoidWeighted, the padded piece of
// sigmoidMasked and the exponentials
// and Hessian constants of softmaxVec, and a member kernel's constants. The table's functions are called
// through function values, which the compiler assumes keep their pointer
// arguments: memory they read must not be on the stack, or every call
// would allocate it. It comes from a pool instead.
type scratch struct {
	v    vec
	tail [5][maxStep]float64
	y    [sparseGroup]float64 // zero between calls
	loss [weightedPiece]float64
	e    [stackClasses]float64
	c    [32]float64
	mp   [64]float64 // a member kernel's constants
	// a weighted member call's logits, targets, loss, gradient and Hessian,
	// in float64 and for its float32-lane kernel in float32
	weighted   [5][weightedPiece]float64
	weighted32 [5][weightedPiece]float32
	wv         [weightedPiece]float64 // their weights, 0 where one does not count
	heavy      [weightedPiece]uint16  // the elements weighed from float64 outputs (see heavyFind)
	// sigmoidMasked's piece: logits and targets, and where its ignored
	// elements are
	masked [2][weightedPiece]float64
	at     [weightedPiece]uint16
	// softmaxStrided's block: exponentials, per-lane max, argmax, S′,
	// gradient coefficients, label terms and Hessian constants
	ec                        [stackClasses * 16]float64
	mx, idx, sp, k, b, sc, py [16]float64
	ahat, gp, aK              [16]float64
	hc                        [112]float64
	skip                      [16]bool
	// softmaxStrided's tile for a block the call cuts (as T)
	tile [stackClasses * 16]float64
	// softmaxSmooth's row: the ε/C weights and the terms B_c
	sa, sb [stackClasses]float64
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// view returns the first n elements of buf as a []T (T no wider than
// float64, so they fit).
func view[T Float](buf []float64, n int) []T {
	return unsafe.Slice((*T)(unsafe.Pointer(&buf[0])), n)
}

// Sigmoid is the sigmoid kernel used by package focal: the vectorized one
// for float32 and float64 when the CPU has it (ignored elements skipped or
// padded, see sigmoidMasked; weights applied after the kernel), else
// SigmoidGo. Its contract is SigmoidGo's.
func Sigmoid[T Float](p *SigmoidParams, loss, grad, hess, x, y, w []T, ignore []bool) float64 {
	return sigmoidOn(active, p, loss, grad, hess, x, y, w, ignore)
}

// sigmoidOn is Sigmoid on the kernels of table t (nil: SigmoidGo).
func sigmoidOn[T Float](t *table, p *SigmoidParams, loss, grad, hess, x, y, w []T, ignore []bool) float64 {
	if t == nil {
		return SigmoidGo(p, loss, grad, hess, x, y, w, ignore)
	}
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	newVec(&s.v, p, t)
	switch {
	case w != nil:
		return sigmoidWeighted(s, p.LightWeights, loss, grad, hess, x, y, w, ignore)
	case ignore != nil:
		return sigmoidMasked(s, loss, grad, hess, x, y, ignore)
	}
	return sigmoidVec(s, loss, grad, hess, x, y)
}

// weightedPiece is the number of elements sigmoidWeighted runs the kernel
// on at a time (its loss buffer is scratch.loss).
const weightedPiece = 512

// sigmoidWeighted is sigmoidVec followed by the weights: each output times
// wᵢ (0, and no computation's NaN, where wᵢ = 0 or ignored), the sum taken
// over the weighted losses. Outputs are rounded twice for float32 (once by
// the kernel, once after the weight), within 1.2e-7 relative more; where
// a weight above HeavyWeight meets an output below float32's normal
// range, that element is computed again in float64 (see heavy.go), unless
// light says that no weight is above it. With light, float32 data with hard targets
// take the float32-lane kernel that weighs its outputs itself (see
// weighsInLanes), the same bit for bit, up to the first block with a soft
// target.
func sigmoidWeighted[T Float](s *scratch, light bool, loss, grad, hess, x, y, w []T, ignore []bool) float64 {
	buf := view[T](s.loss[:], weightedPiece)
	var sum float64
	start := 0
	switch v := &s.v; {
	case !light || !weighsInLanes[T](v):
	case ignore == nil:
		// Float32 lanes that weigh their outputs themselves, up to the
		// first block with a soft target.
		if n32 := len(x) &^ 31; n32 > 0 {
			sum, start = v.t.sigmoidHardWeightedF32(&v.par, &v.q, ptr[T, float32](loss), ptr[T, float32](grad), ptr[T, float32](hess),
				ptr[T, float32](x), ptr[T, float32](y), ptr[T, float32](w), n32)
		}
	default:
		// The same with the mask.
		if n32 := len(x) &^ 31; n32 > 0 {
			sum, start = v.t.sigmoidHardMaskedF32(&v.par, &v.q, ptr[T, float32](loss), ptr[T, float32](grad), ptr[T, float32](hess),
				ptr[T, float32](x), ptr[T, float32](y), ptr[T, float32](w), &ignore[0], n32)
		}
	}
	for lo := start; lo < len(x); lo += weightedPiece {
		hi := min(lo+weightedPiece, len(x))
		l := buf[:hi-lo]
		if loss != nil {
			l = loss[lo:hi]
		}
		g, h := sub(grad, lo, hi), sub(hess, lo, hi)
		sigmoidVec(s, l, g, h, x[lo:hi], y[lo:hi])
		var at []uint16
		if !light && isFloat32[T]() {
			// The elements to weigh from float64 outputs instead (their
			// float32 losses set to 0 for the sum below).
			at = heavyFind(s.heavy[:0], w[lo:hi], sub(ignore, lo, hi), as32(l), as32(g), as32(h))
			if len(at) > 0 {
				heavyRedo(s, at, x[lo:hi], y[lo:hi], g != nil, h != nil, func(l, g, h, x, y []float64) {
					sigmoidVec(s, l, g, h, x, y)
				})
				for _, i := range at {
					l[i] = 0
				}
			}
		}
		if ignore == nil {
			sum += weigh(l, g, h, w[lo:hi])
		} else {
			for i := range l {
				wi := weightAt(w, ignore, lo+i)
				li := float64(l[i]) * wi
				if wi == 0 {
					li = 0
				}
				sum += li
				l[i] = sat[T](li)
				if g != nil {
					g[i] = T(float64(g[i]) * wi)
					if wi == 0 {
						g[i] = 0
					}
				}
				if h != nil {
					h[i] = T(float64(h[i]) * wi)
					if wi == 0 {
						h[i] = 0
					}
				}
			}
		}
		for j, i := range at {
			wi := float64(w[lo+int(i)])
			li := s.weighted[2][j] * wi
			sum += li
			l[i] = sat[T](li)
			if g != nil {
				g[i] = T(s.weighted[3][j] * wi)
			}
			if h != nil {
				h[i] = T(s.weighted[4][j] * wi)
			}
		}
	}
	return sum
}

// weigh is sigmoidWeighted's weighting of one piece without an ignore
// mask: l, g and h (nil: none) times the weights ws element by element (0
// where a weight is 0), returning the sum of the weighted losses. Its
// outputs are the loop's bit for bit: the product of two float32 values
// is exact in float64, so rounding it to float32 is float32's own
// product. The sum runs in two halves (even and odd elements) whose
// additions do not wait on each other, so its last bits may differ.
func weigh[T Float](l, g, h, ws []T) float64 {
	ws = ws[:len(l)]
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(l); i += 2 {
		l0 := float64(l[i]) * float64(ws[i])
		l1 := float64(l[i+1]) * float64(ws[i+1])
		if ws[i] == 0 {
			l0 = 0
		}
		if ws[i+1] == 0 {
			l1 = 0
		}
		s0 += l0
		s1 += l1
		l[i], l[i+1] = sat[T](l0), sat[T](l1)
	}
	if i < len(l) {
		l0 := float64(l[i]) * float64(ws[i])
		if ws[i] == 0 {
			l0 = 0
		}
		s0 += l0
		l[i] = sat[T](l0)
	}
	for _, d := range [2][]T{g, h} { // each nil or as long as l
		for i, wi := range ws[:len(d)] {
			v := d[i] * wi
			if wi == 0 {
				v = 0
			}
			d[i] = v
		}
	}
	return s0 + s1
}

// Sparse is the sparse-label kernel used by package focal; its contract is
// SparseGo's. The vectorized form runs the sigmoid kernel over groups of
// whole rows against one-hot targets built in a stack buffer.
func Sparse[T Float, L Int](p *SigmoidParams, loss, grad, hess, x []T, classes int, labels []L) float64 {
	return sparseOn(active, p, loss, grad, hess, x, classes, labels)
}

// sparseOn is Sparse on the kernels of table t (nil: SparseGo).
func sparseOn[T Float, L Int](t *table, p *SigmoidParams, loss, grad, hess, x []T, classes int, labels []L) float64 {
	if t == nil || classes > sparseGroup {
		return SparseGo(p, loss, grad, hess, x, classes, labels)
	}
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	newVec(&s.v, p, t)
	return sparseVec(s, loss, grad, hess, x, classes, labels)
}

// sparseGroup is the number of targets in sparseVec's buffer (scratch.y).
const sparseGroup = 2048

// sparseVec is Sparse on the vector sigmoid kernel: rows are taken in groups
// of at most sparseGroup elements, their one-hot targets written into a
// zeroed buffer (and cleared after); ignored rows split a group and are
// zeroed here.
func sparseVec[T Float, L Int](s *scratch, loss, grad, hess, x []T, classes int, labels []L) float64 {
	ybuf := view[T](s.y[:], sparseGroup) // zero between calls
	perGroup := sparseGroup / classes
	var sum float64
	for n0 := 0; n0 < len(labels); {
		if int64(labels[n0]) == SparseIgnore {
			clearRange(n0*classes, (n0+1)*classes, loss, grad, hess)
			n0++
			continue
		}
		n1 := n0 + 1
		for n1 < len(labels) && n1-n0 < perGroup && int64(labels[n1]) != SparseIgnore {
			n1++
		}
		base := n0 * classes
		for n := n0; n < n1; n++ {
			if c := int64(labels[n]); c >= 0 && c < int64(classes) {
				ybuf[(n-n0)*classes+int(c)] = 1
			}
		}
		lo, hi := base, n1*classes
		y := ybuf[:hi-lo]
		sum += sigmoidVec(s, sub(loss, lo, hi), sub(grad, lo, hi), sub(hess, lo, hi), x[lo:hi], y)
		for n := n0; n < n1; n++ {
			if c := int64(labels[n]); c >= 0 && c < int64(classes) {
				ybuf[(n-n0)*classes+int(c)] = 0
			}
		}
		n0 = n1
	}
	return sum
}

// sub returns s[lo:hi], or nil for a nil s.
func sub[E any](s []E, lo, hi int) []E {
	if s == nil {
		return nil
	}
	return s[lo:hi]
}

// Softmax is the softmax kernel used by package focal; its contract is
// SoftmaxGo's. Without label smoothing and with C ≤ 256 its row loops are
// vectorized: along the classes with the class axis last (softmaxVec),
// across positions, the classes strided, with the class axis second
// (softmaxStrided); with label smoothing, for the loss and gradient with
// the class axis last (softmaxSmooth).
func Softmax[T Float, L Int](p *SoftmaxParams, loss, grad, hess, x []T, labels []L, w []T, first int) float64 {
	return softmaxOn(active, p, loss, grad, hess, x, labels, w, first)
}

// softmaxOn is Softmax on the kernels of table t (nil: SoftmaxGo).
func softmaxOn[T Float, L Int](t *table, p *SoftmaxParams, loss, grad, hess, x []T, labels []L, w []T, first int) float64 {
	if p.Schedule != nil {
		return ScheduledSoftmaxGo(p, loss, grad, hess, x, labels, w, first)
	}
	smooth := p.Smooth != 0
	if t == nil || p.Classes > stackClasses || (smooth && (hess != nil || p.Inner > 1)) {
		return SoftmaxGo(p, loss, grad, hess, x, labels, w, first)
	}
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	if smooth {
		return softmaxSmooth(t, s, p, loss, grad, x, labels, w, first)
	}
	if p.Inner > 1 {
		return softmaxStrided(t, s, p, loss, grad, hess, x, labels, w, first)
	}
	return softmaxVec(t, s, p, loss, grad, hess, x, labels, w, first)
}

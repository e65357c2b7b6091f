package kernel

import (
	"strings"
	"sync/atomic"
)

// Impl names an implementation of the kernels.
type Impl int32

const (
	Generic Impl = iota // pure Go: SigmoidGo, SparseGo, SoftmaxGo
	AVX2                // amd64 AVX2 + FMA, 4 float64 lanes
	AVX512              // amd64 AVX-512 F/DQ/VL, 8 float64 or 16 float32 lanes
)

func (m Impl) String() string {
	switch m {
	case Generic:
		return "generic"
	case AVX2:
		return "avx2"
	case AVX512:
		return "avx512"
	}
	return "impl(?)"
}

// available lists the implementations this machine and build can run,
// Generic first and the fastest last; the arch files append to it.
var available = []Impl{Generic}

// impl is the implementation in use, the fastest available unless SetImpl
// changed it.
var impl atomic.Int32

func init() { impl.Store(int32(available[len(available)-1])) }

// Impls returns the implementations this machine and build can run, Generic
// first and the default (the fastest) last.
func Impls() []Impl { return append([]Impl(nil), available...) }

// Current returns the implementation in use.
func Current() Impl { return Impl(impl.Load()) }

// Describe names the implementation in use and those this machine and build
// can run, as `focal version` prints them: "avx512 (this machine and build:
// generic, avx2, avx512)".
func Describe() string {
	names := make([]string, len(available))
	for i, m := range available {
		names[i] = m.String()
	}
	return Current().String() + " (this machine and build: " + strings.Join(names, ", ") + ")"
}

// SetImpl selects the implementation used by Sigmoid, Sparse and Softmax and
// returns the previous one. It is for tests and benchmarks (forcing the
// generic path side by side with the vectorized one); an implementation the
// machine lacks leaves the setting unchanged.
func SetImpl(m Impl) (prev Impl) {
	prev = Current()
	for _, a := range available {
		if a == m {
			impl.Store(int32(m))
		}
	}
	return prev
}

// Sigmoid is the sigmoid kernel used by package focal: the vectorized one
// for float32 and float64 when the CPU has it (over the runs of elements
// not ignored; weights applied after the kernel), else SigmoidGo. Its
// contract is SigmoidGo's.
func Sigmoid[T Float](p *SigmoidParams, loss, grad, hess, x, y, w []T, ignore []bool) float64 {
	if v, ok := newVec(p, Current()); ok {
		switch {
		case w != nil:
			return sigmoidWeighted(&v, loss, grad, hess, x, y, w, ignore)
		case ignore != nil:
			return sigmoidMasked(&v, loss, grad, hess, x, y, ignore)
		}
		return sigmoidVec(&v, loss, grad, hess, x, y)
	}
	return SigmoidGo(p, loss, grad, hess, x, y, w, ignore)
}

// weightedPiece is the number of elements sigmoidWeighted runs the kernel
// on at a time (its loss buffer lives on the stack).
const weightedPiece = 512

// sigmoidWeighted is sigmoidVec followed by the weights: each output times
// wᵢ (0, and no computation's NaN, where wᵢ = 0 or ignored), the sum taken
// over the weighted losses. Outputs are rounded twice for float32 (once by
// the kernel, once after the weight), within 1.2e-7 relative more.
func sigmoidWeighted[T Float](v *vec, loss, grad, hess, x, y, w []T, ignore []bool) float64 {
	var buf [weightedPiece]T
	var sum float64
	for lo := 0; lo < len(x); lo += weightedPiece {
		hi := min(lo+weightedPiece, len(x))
		l := buf[:hi-lo]
		if loss != nil {
			l = loss[lo:hi]
		}
		g, h := sub(grad, lo, hi), sub(hess, lo, hi)
		sigmoidVec(v, l, g, h, x[lo:hi], y[lo:hi])
		for i := range l {
			wi := float64(w[lo+i])
			if ignore != nil && ignore[lo+i] {
				wi = 0
			}
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
	return sum
}

// sigmoidMasked is sigmoidVec over the runs of elements not ignored; the
// ignored ones get 0 in every destination. For float64 data an element's
// outputs do not depend on the runs, so they equal Sparse's bit for bit;
// float32 data may take the float32-lane kernel in some runs and not in
// others, and then agrees to rounding (1e-6 relative).
func sigmoidMasked[T Float](v *vec, loss, grad, hess, x, y []T, ignore []bool) float64 {
	var sum float64
	for lo := 0; lo < len(x); {
		hi := lo
		for hi < len(x) && ignore[hi] == ignore[lo] {
			hi++
		}
		if ignore[lo] {
			for _, d := range [...][]T{loss, grad, hess} {
				if d != nil {
					clear(d[lo:hi])
				}
			}
		} else {
			sum += sigmoidVec(v, sub(loss, lo, hi), sub(grad, lo, hi), sub(hess, lo, hi), x[lo:hi], y[lo:hi])
		}
		lo = hi
	}
	return sum
}

// Sparse is the sparse-label kernel used by package focal; its contract is
// SparseGo's. The vectorized form runs the sigmoid kernel over groups of
// whole rows against one-hot targets built in a stack buffer.
func Sparse[T Float, L Int](p *SigmoidParams, loss, grad, hess, x []T, classes int, labels []L) float64 {
	if v, ok := newVec(p, Current()); ok && classes <= sparseGroup {
		return sparseVec(&v, loss, grad, hess, x, classes, labels)
	}
	return SparseGo(p, loss, grad, hess, x, classes, labels)
}

// sparseGroup is the number of targets in sparseVec's stack buffer.
const sparseGroup = 2048

// sparseVec is Sparse on the vector sigmoid kernel: rows are taken in groups
// of at most sparseGroup elements, their one-hot targets written into a
// zeroed buffer (and cleared after); ignored rows split a group and are
// zeroed here.
func sparseVec[T Float, L Int](v *vec, loss, grad, hess, x []T, classes int, labels []L) float64 {
	var ybuf [sparseGroup]T
	perGroup := sparseGroup / classes
	var sum float64
	for n0 := 0; n0 < len(labels); {
		if int64(labels[n0]) == SparseIgnore {
			lo, hi := n0*classes, (n0+1)*classes
			for _, d := range [...][]T{loss, grad, hess} {
				if d != nil {
					clear(d[lo:hi])
				}
			}
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
		sum += sigmoidVec(v, sub(loss, lo, hi), sub(grad, lo, hi), sub(hess, lo, hi), x[lo:hi], y)
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
// vectorized: directly with the class axis last (softmaxVec), through
// class-last tiles with the class axis second (softmaxTiled).
func Softmax[T Float, L Int](p *SoftmaxParams, loss, grad, hess, x []T, labels []L, w []T, first int) float64 {
	if p.Schedule != nil {
		return ScheduledSoftmaxGo(p, loss, grad, hess, x, labels, w, first)
	}
	if m := Current(); m != Generic && p.Smooth == 0 && p.Classes <= stackClasses {
		if p.Inner > 1 {
			return softmaxTiled(m, p, loss, grad, hess, x, labels, w, first)
		}
		return softmaxVec(m, p, loss, grad, hess, x, labels, w, first)
	}
	return SoftmaxGo(p, loss, grad, hess, x, labels, w, first)
}

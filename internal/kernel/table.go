package kernel

import "strings"

// Impl names an implementation of the kernels.
type Impl int32

const (
	Generic Impl = iota // pure Go: SigmoidGo, SparseGo, SoftmaxGo
	AVX2                // amd64 AVX2 + FMA, 4 float64 or 8 float32 lanes
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

// A table holds the vector kernels of one CPU level. _gen writes one per
// level into dispatch_amd64.go (var avx512, var avx2), naming the level's
// assembly function for every entry; the functions' contracts are in their
// declarations there. A build without assembly has no table, and the
// kernels run their pure-Go forms.
//
// The functions are called through these fields, which the compiler
// cannot see into: it assumes that they keep their pointer arguments, so
// the callers here pass heap memory only (see scratch).
type table struct {
	impl Impl

	// The sigmoid kernel with float64 lanes: step elements per call unit.
	step       int
	sigmoidF32 func(p *[32]float64, loss, grad, hess, x, y *float32, n int) float64
	sigmoidF64 func(p *[32]float64, loss, grad, hess, x, y *float64, n int) float64
	// sigmoidHardF64 is sigmoidF64 for hard targets and an integer γ ≤ 8,
	// loss and gradient, with the constants h (see vec.h), hard64Step
	// elements per call unit: it stops before the first step with a soft
	// target.
	hard64Step     int
	sigmoidHardF64 func(h *[32]float64, loss, grad, x, y *float64, n int) (sum float64, done int)

	// The float32-lane sigmoid kernels for hard targets: hardStep elements
	// per call unit.
	hardStep             int
	sigmoidHardF32       func(p *[32]float64, q *[32]float32, loss, grad, hess, x, y *float32, n int) (sum float64, done int)
	sigmoidHardScaledF32 func(p *[32]float64, q *[32]float32, loss, grad, hess, x, y *float32, n int) (sum float64, done int)
	// sigmoidHardTrustedF32 is sigmoidHardF32 for targets the caller has
	// checked to be 0 or 1: it makes no check of its own.
	sigmoidHardTrustedF32 func(p *[32]float64, q *[32]float32, loss, grad, hess, x, y *float32, n int) (sum float64, done int)
	// sigmoidHardWeightedF32 is sigmoidHardF32 with each output times the
	// weight w[i] (0 where w[i] = 0) as sigmoidWeighted makes them, and
	// the sum over the weighted losses.
	sigmoidHardWeightedF32 func(p *[32]float64, q *[32]float32, loss, grad, hess, x, y, w *float32, n int) (sum float64, done int)
	// sigmoidHardMaskedF32 is sigmoidHardWeightedF32 with the weight 0
	// where m[i] (ignored) too.
	sigmoidHardMaskedF32 func(p *[32]float64, q *[32]float32, loss, grad, hess, x, y, w *float32, m *bool, n int) (sum float64, done int)

	// The target check, on vectorBytes bytes of targets per block.
	vectorBytes int
	targetsF32  func(y *float32, n int) (pos, bad, hard int)
	targetsF64  func(y *float64, n int) (pos, bad, hard int)
	// targetsMaskedF32 and targetsMaskedF64 are the target check of the
	// targets m does not ignore; they return the number ignored too.
	targetsMaskedF32 func(y *float32, m *bool, n int) (pos, bad, hard, ignored int)
	targetsMaskedF64 func(y *float64, m *bool, n int) (pos, bad, hard, ignored int)

	// The softmax row primitives, on rowLanes elements per block.
	rowLanes    int
	rowMaxF32   func(x *float32, n int) float64
	rowMaxF64   func(x *float64, n int) float64
	expRowF32   func(dst *float64, x *float32, m float64, n int) float64
	expRowF64   func(dst *float64, x *float64, m float64, n int) float64
	scaleRowF32 func(dst *float32, e *float64, s float64, n int)
	scaleRowF64 func(dst *float64, e *float64, s float64, n int)
	hessRowF32  func(dst *float32, e *float64, c *[32]float64, n int)
	hessRowF64  func(dst *float64, e *float64, c *[32]float64, n int)

	// Their class-strided forms, for the class-second layout: one block of
	// colLanes consecutive positions, classes stride elements apart.
	colLanes    int
	colMaxF32   func(x *float32, stride, classes int, mx, idx *float64)
	colMaxF64   func(x *float64, stride, classes int, mx, idx *float64)
	colExpF32   func(e *float64, x *float32, stride, classes int, mx, idx, sp *float64)
	colExpF64   func(e *float64, x *float64, stride, classes int, mx, idx, sp *float64)
	colScaleF32 func(x *float32, stride, classes int, e, k *float64)
	colScaleF64 func(x *float64, stride, classes int, e, k *float64)
	colHessF32  func(x *float32, stride, classes int, e *float64, c *[112]float64)
	colHessF64  func(x *float64, stride, classes int, e *float64, c *[112]float64)

	// The label-smoothed softmax's row primitives.
	smoothRowF32 func(b *float64, e *float64, x *float32, a *float64, c *[32]float64, n int) (f, sb float64)
	smoothRowF64 func(b *float64, e *float64, x *float64, a *float64, c *[32]float64, n int) (f, sb float64)
	gradRowF32   func(dst *float32, b, e *float64, s, k float64, n int)
	gradRowF64   func(dst *float64, b, e *float64, s, k float64, n int)

	// The kernels of the family's members, by name (see MemberSpec), on
	// memberStep elements per call unit.
	memberStep int
	memberF32  map[string]memberF32Func
	memberF64  map[string]memberF64Func

	// The float32-lane member kernels for float32 data with hard targets,
	// by name (see MemberSpec), on memberHardStep elements per call unit.
	memberHardStep int
	memberHard     map[string]memberHardFunc
	// memberHardMasked are the member kernels of memberHard with weights
	// and an ignore mask (see member32 in _gen).
	memberHardMasked map[string]memberHardMaskedFunc
}

// memberF32Func, memberF64Func, memberHardFunc and memberHardMaskedFunc
// are the member kernels' signatures.
type (
	memberF32Func        func(p *[64]float64, loss, grad, hess, x, y *float32, n int) float64
	memberF64Func        func(p *[64]float64, loss, grad, hess, x, y *float64, n int) float64
	memberHardFunc       func(q *[32]float32, loss, grad, hess, x, y *float32, n int) (sum float64, done int)
	memberHardMaskedFunc func(q *[32]float32, loss, grad, hess, x, y, w *float32, m *bool, n int) (sum float64, done int)
)

// tables lists the vector tables this machine and build can run, slowest
// first, and active is the last of them (nil: only Generic). The arch
// files set both in their init functions and nothing changes them after:
// the implementation is chosen once per process. GODEBUG settings step it
// down (see StepDown).
var (
	tables []*table
	active *table
)

// Impls returns the implementations this machine and build can run, Generic
// first and the one in use (the fastest) last.
func Impls() []Impl {
	ms := []Impl{Generic}
	for _, t := range tables {
		ms = append(ms, t.impl)
	}
	return ms
}

// Current returns the implementation in use.
func Current() Impl {
	if active == nil {
		return Generic
	}
	return active.impl
}

// Describe names the implementation in use and those this machine and build
// can run, as `focal version` prints them: "avx512 (this machine and build:
// generic, avx2, avx512)".
func Describe() string {
	ms := Impls()
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.String()
	}
	return Current().String() + " (this machine and build: " + strings.Join(names, ", ") + ")"
}

// StepDown returns the GODEBUG setting under which a process of this
// build on this machine uses implementation m (one of Impls; "" for the
// one in use, and for one the machine lacks). Tests and `focal bench` run
// themselves under it to measure or check the lower levels: the
// implementation is fixed for the life of a process.
func StepDown(m Impl) string {
	for _, l := range levels {
		if l.below == m && m != Current() && l.impl <= Current() {
			return l.off
		}
	}
	return ""
}

// A level is a CPU level above another: the GODEBUG setting that takes it
// (and every level above it) away, and the implementation left then.
type level struct {
	impl  Impl
	below Impl
	off   string
}

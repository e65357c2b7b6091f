//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

//go:generate go run -C ../../_gen . -out ../internal/kernel/sigmoid_amd64.s -stubs ../internal/kernel/stubs_amd64.go -pkg kernel

// init offers AVX2 on CPUs with AVX, AVX2, FMA and POPCNT, and AVX-512 on
// those that also have AVX-512 F, DQ and VL (the AVX-512 code uses some of
// the former, and a GODEBUG=cpu.avx2=off must not leave it on).
// TestRequiredISAs checks the generated code against these sets.
func init() {
	x := cpu.X86
	avx2 := x.HasAVX && x.HasAVX2 && x.HasFMA && x.HasPOPCNT
	if avx2 {
		available = append(available, AVX2)
	}
	if avx2 && x.HasAVX512F && x.HasAVX512DQ && x.HasAVX512VL {
		available = append(available, AVX512)
	}
	impl.Store(int32(available[len(available)-1]))
}

// step returns the elements per loop iteration of m's kernels (lanes ×
// unroll), 0 for Generic.
func step(m Impl) int {
	switch m {
	case AVX2:
		return 4
	case AVX512:
		return 16
	}
	return 0
}

func kernel32(v *vec, loss, grad, hess, x, y *float32, n int) float64 {
	if v.impl == AVX512 {
		return sigmoidAVX512F32(&v.par, loss, grad, hess, x, y, n)
	}
	return sigmoidAVX2F32(&v.par, loss, grad, hess, x, y, n)
}

func kernel64(v *vec, loss, grad, hess, x, y *float64, n int) float64 {
	if v.impl == AVX512 {
		return sigmoidAVX512F64(&v.par, loss, grad, hess, x, y, n)
	}
	return sigmoidAVX2F64(&v.par, loss, grad, hess, x, y, n)
}

// targetLanes returns the elements per block of m's target check for
// elements of the given size.
func targetLanes(m Impl, size int) int {
	bytes := 32
	if m == AVX512 {
		bytes = 64
	}
	return bytes / size
}

func targets32(m Impl, y *float32, n int) (pos, bad int) {
	if m == AVX512 {
		return targetsAVX512F32(y, n)
	}
	return targetsAVX2F32(y, n)
}

func targets64(m Impl, y *float64, n int) (pos, bad int) {
	if m == AVX512 {
		return targetsAVX512F64(y, n)
	}
	return targetsAVX2F64(y, n)
}

func rowMax32(m Impl, x *float32, n int) float64 {
	if m == AVX512 {
		return rowMaxAVX512F32(x, n)
	}
	return rowMaxAVX2F32(x, n)
}

func rowMax64(m Impl, x *float64, n int) float64 {
	if m == AVX512 {
		return rowMaxAVX512F64(x, n)
	}
	return rowMaxAVX2F64(x, n)
}

func expRow32(m Impl, dst *float64, x *float32, mx float64, n int) float64 {
	if m == AVX512 {
		return expRowAVX512F32(dst, x, mx, n)
	}
	return expRowAVX2F32(dst, x, mx, n)
}

func expRow64(m Impl, dst *float64, x *float64, mx float64, n int) float64 {
	if m == AVX512 {
		return expRowAVX512F64(dst, x, mx, n)
	}
	return expRowAVX2F64(dst, x, mx, n)
}

func scaleRow32(m Impl, dst *float32, e *float64, s float64, n int) {
	if m == AVX512 {
		scaleRowAVX512F32(dst, e, s, n)
		return
	}
	scaleRowAVX2F32(dst, e, s, n)
}

func scaleRow64(m Impl, dst *float64, e *float64, s float64, n int) {
	if m == AVX512 {
		scaleRowAVX512F64(dst, e, s, n)
		return
	}
	scaleRowAVX2F64(dst, e, s, n)
}

func runHard32(v *vec, loss, grad, x, y *float32, n int) (float64, int) {
	switch {
	case v.impl == AVX512 && v.scaled:
		return sigmoidHardScaledAVX512F32(&v.par, &v.q, loss, grad, x, y, n)
	case v.impl == AVX512:
		return sigmoidHardAVX512F32(&v.par, &v.q, loss, grad, x, y, n)
	case v.scaled:
		return sigmoidHardScaledAVX2F32(&v.par, &v.q, loss, grad, x, y, n)
	}
	return sigmoidHardAVX2F32(&v.par, &v.q, loss, grad, x, y, n)
}

func hessRow32(m Impl, dst *float32, e *float64, c *[32]float64, n int) {
	if m == AVX512 {
		hessRowAVX512F32(dst, e, c, n)
		return
	}
	hessRowAVX2F32(dst, e, c, n)
}

func hessRow64(m Impl, dst *float64, e *float64, c *[32]float64, n int) {
	if m == AVX512 {
		hessRowAVX512F64(dst, e, c, n)
		return
	}
	hessRowAVX2F64(dst, e, c, n)
}

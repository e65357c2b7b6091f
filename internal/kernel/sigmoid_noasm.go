//go:build !amd64 || purego

package kernel

// Without assembly only Generic is available: newVec always fails and the
// kernels below are never called.

func step(Impl) int { return 0 }

func kernel32(v *vec, loss, grad, hess, x, y *float32, n int) float64 {
	panic("kernel: no vector kernel in this build")
}

func kernel64(v *vec, loss, grad, hess, x, y *float64, n int) float64 {
	panic("kernel: no vector kernel in this build")
}

func targetLanes(Impl, int) int { return 0 }

func targets32(m Impl, y *float32, n int) (pos, bad int) {
	panic("kernel: no vector kernel in this build")
}

func targets64(m Impl, y *float64, n int) (pos, bad int) {
	panic("kernel: no vector kernel in this build")
}

func rowMax32(Impl, *float32, int) float64 { panic("kernel: no vector kernel in this build") }
func rowMax64(Impl, *float64, int) float64 { panic("kernel: no vector kernel in this build") }

func expRow32(Impl, *float64, *float32, float64, int) float64 {
	panic("kernel: no vector kernel in this build")
}

func expRow64(Impl, *float64, *float64, float64, int) float64 {
	panic("kernel: no vector kernel in this build")
}

func scaleRow32(Impl, *float32, *float64, float64, int) {
	panic("kernel: no vector kernel in this build")
}
func scaleRow64(Impl, *float64, *float64, float64, int) {
	panic("kernel: no vector kernel in this build")
}

func runHard32(v *vec, loss, grad, x, y *float32, n int) (float64, int) {
	panic("kernel: no vector kernel in this build")
}

func hessRow32(Impl, *float32, *float64, *[32]float64, int) {
	panic("kernel: no vector kernel in this build")
}

func hessRow64(Impl, *float64, *float64, *[32]float64, int) {
	panic("kernel: no vector kernel in this build")
}

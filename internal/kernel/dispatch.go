package kernel

// Sigmoid is the sigmoid kernel used by package focal: the vectorized one
// for float32 and float64 when the CPU has it and w and ignore are nil, else
// SigmoidGo. Its contract is SigmoidGo's.
func Sigmoid[T Float](p *SigmoidParams, loss, grad, hess, x, y, w []T, ignore []bool) float64 {
	return SigmoidGo(p, loss, grad, hess, x, y, w, ignore)
}

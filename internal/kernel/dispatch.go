package kernel

// Sigmoid is the sigmoid kernel used by package focal: the vectorized one
// for float32 and float64 when the CPU has it and w and ignore are nil, else
// SigmoidGo. Its contract is SigmoidGo's.
func Sigmoid[T Float](p *SigmoidParams, loss, grad, hess, x, y, w []T, ignore []bool) float64 {
	return SigmoidGo(p, loss, grad, hess, x, y, w, ignore)
}

// Sparse is the sparse-label kernel used by package focal; its contract is
// SparseGo's.
func Sparse[T Float, L Int](p *SigmoidParams, loss, grad, hess, x []T, classes int, labels []L) float64 {
	return SparseGo(p, loss, grad, hess, x, classes, labels)
}

// Softmax is the softmax kernel used by package focal; its contract is
// SoftmaxGo's.
func Softmax[T Float, L Int](p *SoftmaxParams, loss, grad, hess, x []T, labels []L, w []T, first int) float64 {
	return SoftmaxGo(p, loss, grad, hess, x, labels, w, first)
}

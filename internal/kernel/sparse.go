package kernel

// Int is the element type of integer labels.
type Int interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32
}

// SparseIgnore is the label of a row that SparseGo skips; any other label
// outside [0, C) marks a background row (every output negative).
const SparseIgnore = -2

// SparseGo is the pure-Go sparse-label sigmoid kernel: x is [N, C] row-major
// and labels[n] names the one positive column of row n. It equals SigmoidGo
// on the one-hot targets without forming them: row n, column c has target
// 1 if labels[n] = c, else 0; rows labelled SparseIgnore get 0 in every
// destination and add nothing. Destinations are nil or as long as x.
func SparseGo[T Float, L Int](p *SigmoidParams, loss, grad, hess, x []T, classes int, labels []L) float64 {
	_, f32 := any(x).([]float32) // sigmoidPlain's element functions
	k := newHard32(p)
	var sum float64
	for n, lab := range labels {
		ignored := int64(lab) == SparseIgnore
		for c := range classes {
			i := n*classes + c
			var l, g, h, s float64
			if !ignored {
				y := 0.0
				if int64(lab) == int64(c) {
					y = 1
				}
				if f32 {
					l, g, h = k.elem(float64(x[i]), y, hess != nil)
				} else {
					l, g, h = SigmoidElem(float64(x[i]), y, p)
				}
				s = p.Scale
			}
			sum += l
			put(loss, grad, hess, i, l, g, h, s, p.ClipHess)
		}
	}
	return sum
}

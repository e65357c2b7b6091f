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
	if x32, ok := any(x).([]float32); ok {
		return sparse32(p, any(loss).([]float32), any(grad).([]float32), any(hess).([]float32), x32, classes, labels)
	}
	var sum float64
	for n, lab := range labels {
		row := n * classes
		ignored := int64(lab) == SparseIgnore
		for c := range classes {
			i := row + c
			var l, g, h float64
			if !ignored {
				y := 0.0
				if int64(lab) == int64(c) {
					y = 1
				}
				l, g, h = SigmoidElem(float64(x[i]), y, p)
				g *= p.Scale
				h *= p.Scale
				if p.ClipHess {
					h = max(h, 0)
				}
			}
			sum += l
			if loss != nil {
				loss[i] = T(l)
			}
			if grad != nil {
				grad[i] = T(g)
			}
			if hess != nil {
				hess[i] = T(h)
			}
		}
	}
	return sum
}

// sparse32 is SparseGo for float32, with sigmoidPlain32's element.
func sparse32[L Int](p *SigmoidParams, loss, grad, hess, x []float32, classes int, labels []L) float64 {
	k := newHard32(p)
	scale := p.Scale
	var sum float64
	for n, lab := range labels {
		row := n * classes
		ignored := int64(lab) == SparseIgnore
		for c := range classes {
			i := row + c
			var l, g, h float64
			if !ignored {
				y := 0.0
				if int64(lab) == int64(c) {
					y = 1
				}
				l, g, h = k.elem(float64(x[i]), y, hess != nil)
				g *= scale
				h *= scale
				if p.ClipHess {
					h = max(h, 0)
				}
			}
			sum += l
			if loss != nil {
				loss[i] = sat[float32](l)
			}
			if grad != nil {
				grad[i] = float32(g)
			}
			if hess != nil {
				hess[i] = float32(h)
			}
		}
	}
	return sum
}

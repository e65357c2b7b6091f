package kernel

import "math"

// softmaxHard is SoftmaxGo without label smoothing, where only the label's
// class has a loss term: −α_y (1 − p_y)^γ log p_y. Then ΣB = B_y, the
// gradient is B_y (δ_cy − p_c), and the Hessian needs only class y's
// terms, so a position costs one exponential per class and a handful of
// operations. The formulas are softmaxPosition's, specialised.
func softmaxHard[T Float, L Int](p *SoftmaxParams, loss, grad, hess, x []T, labels []L, w []T, first int) float64 {
	C, in := p.Classes, p.Inner
	_, f32 := any(x).([]float32)
	g := p.Gamma
	k, isInt := intGamma(g)
	var buf [stackClasses]float64
	stored := C <= stackClasses
	var sum float64
	for j, lab := range labels {
		pos := first + j
		base := (pos/in)*C*in + pos%in
		wj, skip := position(p, lab, w, j)
		if skip {
			zeroPosition(loss, grad, hess, j, base, C, in)
			continue
		}
		y := int(lab)
		// max, argmax and NaN
		m, ks := float64(x[base]), 0
		nan := false
		for c := range C {
			v := float64(x[base+c*in])
			nan = nan || v != v
			if v > m {
				m, ks = v, c
			}
		}
		if nan {
			n := math.NaN()
			sum += n
			if loss != nil {
				loss[j] = T(n)
			}
			for c := range C {
				if grad != nil {
					grad[base+c*in] = T(n)
				}
				if hess != nil {
					hess[base+c*in] = T(n)
				}
			}
			continue
		}
		certain := math.IsInf(m, 0) // the max is ±Inf: the argmax is certain
		expAt := func(c int) float64 {
			switch {
			case certain:
				if c == ks {
					return 1
				}
				return 0
			case f32:
				return expNeg(m - float64(x[base+c*in]))
			}
			return math.Exp(float64(x[base+c*in]) - m)
		}
		var sp float64
		for c := range C {
			e := expAt(c)
			if stored {
				buf[c] = e
			}
			if c != ks {
				sp += e
			}
		}
		ex := func(c int) float64 {
			if stored {
				return buf[c]
			}
			return expAt(c)
		}
		d := 1 + sp
		logD := math.Log1p(sp)
		// class y
		py := ex(y) / d
		var qy, lp, ratio float64
		if y == ks {
			lp, qy = -logD, sp/d
			ratio = -1 // lim log p/(1−p) as p → 1
			if sp > 0 {
				ratio = lp / qy
			}
		} else {
			lp = max(float64(x[base+y*in])-m-logD, -math.MaxFloat64)
			qy = 1 - py
			ratio = lp / qy
		}
		var wy float64
		if isInt {
			wy = powInt(qy, k)
		} else {
			wy = math.Exp(g * math.Log(qy))
		}
		a := p.alpha(y)
		l := -a * wy * lp * wj
		sum += l
		if loss != nil {
			loss[j] = sat[T](l)
		}
		if grad == nil && hess == nil {
			continue
		}
		b := a * wy * (g*py*ratio - 1)
		var ahat, gp, aK float64
		if hess != nil {
			ahat = a * wy * qy * (-g*(g-1)*py*py*ratio + 2*g*py + qy)
			if y == ks {
				aK = ahat
			} else {
				gp = ahat / (qy * qy)
			}
		}
		s := wj * p.Scale
		for c := range C {
			pc := ex(c) / d
			gr := -pc * b
			if c == y {
				gr += b
			}
			if grad != nil {
				grad[base+c*in] = T(gr * s)
			}
			if hess != nil {
				var h float64
				if c == y {
					h = ahat
				}
				if c == ks {
					h += pc * pc * gp
				} else {
					qc := 1 - pc
					h += pc * pc * (gp - h/(qc*qc))
					if sp > 0 {
						r := ex(c) / sp
						h += r * r * aK
					}
				}
				h = (h + (1-2*pc)*gr) * s
				if p.ClipHess {
					h = max(h, 0)
				}
				hess[base+c*in] = T(h)
			}
		}
	}
	return sum
}

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
	pw := newGammaPow(g)
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
		py, qy, lp, ratio := classProbs(y, ks, ex(y), float64(x[base+y*in]), m, sp, math.Log1p(sp))
		wy := pw.of(qy)
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
			ahat, gp, aK = labelHess(a, wy, qy, py, ratio, g, y == ks)
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
				hess[base+c*in] = T(clipHess(hessAt(c, y, ks, pc, ex(c), sp, gr, ahat, gp, aK)*s, p.ClipHess))
			}
		}
	}
	return sum
}

// gammaPow computes q^γ: by multiplication for a small integer γ, else as
// exp(γ·log q).
type gammaPow struct {
	g     float64
	k     int
	isInt bool
}

func newGammaPow(g float64) gammaPow {
	k, isInt := intGamma(g)
	return gammaPow{g, k, isInt}
}

func (w gammaPow) of(q float64) float64 {
	if w.isInt {
		return powInt(q, w.k)
	}
	return math.Exp(w.g * math.Log(q))
}

// classProbs returns p_c, q_c = 1 − p_c, log p_c and log p_c / q_c of class
// c, whose exponential is ec = exp(x_c − m) and logit xc, in a position
// with max m at class ks, S′ = sp and logD = log(1 + S′): for c = k*, q_c
// is S′/(1 + S′), not a difference; for the others log p_c is clamped so
// that p_c = 0 times log p_c is 0, not NaN (the loss then saturates
// instead of overflowing).
func classProbs(c, ks int, ec, xc, m, sp, logD float64) (pc, qc, lp, ratio float64) {
	d := 1 + sp
	pc = ec / d
	if c == ks {
		lp, qc = -logD, sp/d
		if sp > 0 {
			return pc, qc, lp, lp / qc
		}
		return pc, qc, lp, -1 // lim log p/(1−p) as p → 1
	}
	lp = max(xc-m-logD, -math.MaxFloat64)
	qc = 1 - pc
	return pc, qc, lp, lp / qc
}

// labelHess returns the label's Hessian terms of softmaxHard from its
// weight a, its (1 − p_y)^γ w, q_y, p_y and log p_y / q_y: Â_y, and
// gp = Â_y / q_y² when the label is not the argmax (isMax false) or
// aK = Â_y when it is (the other 0).
func labelHess(a, w, qy, py, ratio, g float64, isMax bool) (ahat, gp, aK float64) {
	ahat = a * w * qy * (-g*(g-1)*py*py*ratio + 2*g*py + qy)
	if isMax {
		return ahat, 0, ahat
	}
	return ahat, ahat / (qy * qy), 0
}

// hessAt returns the unscaled Hessian diagonal of class c, with
// probability pc, exponential ec and gradient gr, of a position with label
// y, argmax ks, S′ = sp and the label's Hessian terms ahat, gp and aK (see
// labelHess).
func hessAt(c, y, ks int, pc, ec, sp, gr, ahat, gp, aK float64) float64 {
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
			r := ec / sp
			h += r * r * aK
		}
	}
	return h + (1-2*pc)*gr
}

// clipHess returns h, or max(h, 0) when clip.
func clipHess(h float64, clip bool) float64 {
	if clip {
		return max(h, 0)
	}
	return h
}

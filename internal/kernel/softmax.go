package kernel

import "math"

// SoftmaxParams are the constants of a softmax focal-loss pass.
type SoftmaxParams struct {
	Classes   int       // C ≥ 1
	Inner     int       // stride between classes: 1 for [N, C], d₁·d₂·… for [N, C, d₁, …]
	Alpha     []float64 // nil: 1; one value: scalar; C values: per class
	Gamma     float64   // γ ≥ 0
	Smooth    float64   // label smoothing ε ∈ [0, 1)
	Scale     float64   // multiplies the gradient and Hessian
	ClipHess  bool
	HasIgnore bool
	Ignore    int64 // label value of ignored positions, when HasIgnore
	// Schedule, when non-nil, chooses γ per position from p_y (Gamma and
	// Smooth are then unused): ScheduledSoftmaxGo.
	Schedule *ScheduleParams
}

func (p *SoftmaxParams) alpha(c int) float64 {
	switch len(p.Alpha) {
	case 0:
		return 1
	case 1:
		return p.Alpha[0]
	}
	return p.Alpha[c]
}

// position returns the weight of the position j with label lab (w nil: 1)
// and whether the position is skipped: ignored, or weighted 0.
func position[L Int, T Float](p *SoftmaxParams, lab L, w []T, j int) (float64, bool) {
	wj := 1.0
	if w != nil {
		wj = float64(w[j])
	}
	return wj, (p.HasIgnore && int64(lab) == p.Ignore) || wj == 0
}

// zeroPosition clears the outputs of a skipped position: its loss (at j)
// and its C gradient and Hessian entries (at base + c·in).
func zeroPosition[T Float](loss, grad, hess []T, j, base, C, in int) {
	if loss != nil {
		loss[j] = 0
	}
	for c := range C {
		if grad != nil {
			grad[base+c*in] = 0
		}
		if hess != nil {
			hess[base+c*in] = 0
		}
	}
}

// stackClasses is the largest C whose exponentials SoftmaxGo keeps on the
// stack; above it they are recomputed.
const stackClasses = 256

// SoftmaxGo is the pure-Go softmax focal-loss kernel over the positions
// first, …, first + len(labels) − 1 of the whole array x. Position
// j = n·Inner + i has logits x[n·C·Inner + c·Inner + i] for c ∈ [0, C), label
// labels[j − first] and weight w[j − first] (w nil: 1). It sets
//
//	loss[j] = w_j Σ_c f_c,  f_c = −a_c (1 − p_c)^γ log p_c,  a_c = α_c ((1 − ε)[c = y] + ε/C)
//	grad[k] = s·w_j (B_k − p_k ΣB),  B_c = p_c ∂f_c/∂p_c
//	hess[k] = s·w_j ∂²/∂x_k² Σ_c f_c
//
// with s = p.Scale, and returns Σ_j loss[j]. Ignored positions get 0 and add
// nothing. loss and w (indexed like labels) are nil or as long as labels;
// grad and hess (indexed like x) nil or as long as x. Labels are trusted to
// be in [0, C) or the ignore value.
//
// Stability: with m = max_c x_c at class k*, e_c = exp(x_c − m) and
// S′ = Σ_{c≠k*} e_c, log p_c = x_c − m − log1p(S′), and 1 − p_c is S′/(1+S′)
// for c = k* and 1 − p_c (≥ ½, no cancellation) otherwise. Every
// intermediate that grows like (1 − p)^(γ−1) or (1 − p)^(γ−2) as p → 1 is
// carried multiplied by the (1 − p)² that the softmax Jacobian supplies, so
// loss, gradient and Hessian stay finite for every finite logit and γ ≥ 0.
func SoftmaxGo[T Float, L Int](p *SoftmaxParams, loss, grad, hess, x []T, labels []L, w []T, first int) float64 {
	if p.Smooth == 0 {
		return softmaxHard(p, loss, grad, hess, x, labels, w, first)
	}
	return softmaxGeneral(p, loss, grad, hess, x, labels, w, first)
}

// softmaxGeneral is SoftmaxGo for any ε, one softmaxPosition per position.
func softmaxGeneral[T Float, L Int](p *SoftmaxParams, loss, grad, hess, x []T, labels []L, w []T, first int) float64 {
	return softmaxEach(p, loss, grad, hess, x, labels, w, first, nil, math.Inf(1))
}

// softmaxEach runs softmaxPosition on each position, with γ from sched
// (and ε = 0) when it is not nil; gradients and Hessians beyond ±lim
// saturate there.
func softmaxEach[T Float, L Int](p *SoftmaxParams, loss, grad, hess, x []T, labels []L, w []T, first int, sched *ScheduleParams, lim float64) float64 {
	C, in := p.Classes, p.Inner
	var buf [stackClasses]float64
	var sum float64
	q := *p
	if sched != nil {
		q.Smooth = 0
	}
	for j, lab := range labels {
		n, i := (first+j)/in, (first+j)%in
		base := n*C*in + i
		at := func(c int) float64 { return float64(x[base+c*in]) }
		wj, skip := position(p, lab, w, j)
		if skip {
			zeroPosition(loss, grad, hess, j, base, C, in)
			continue
		}
		if sched != nil {
			q.Gamma = sched.at(math.Exp(logSoftmaxAt(C, int(lab), at)))
		}
		l := softmaxPosition(&q, int(lab), at, buf[:min(C, stackClasses)], func(c int, g, h float64) {
			s := wj * p.Scale
			h *= s
			if p.ClipHess {
				h = max(h, 0)
			}
			if grad != nil {
				grad[base+c*in] = T(min(max(g*s, -lim), lim))
			}
			if hess != nil {
				hess[base+c*in] = T(min(max(h, -lim), lim))
			}
		}, grad != nil || hess != nil)
		l *= wj
		sum += l
		if loss != nil {
			loss[j] = sat[T](l)
		}
	}
	return sum
}

// softmaxPosition computes the loss of one position with label y and, when
// derivs, calls emit(c, ∂L/∂x_c, ∂²L/∂x_c²) for each class (unscaled).
// e is scratch for the exponentials: len C, or shorter to recompute them.
func softmaxPosition(p *SoftmaxParams, y int, at func(int) float64, e []float64, emit func(c int, g, h float64), derivs bool) float64 {
	C := p.Classes
	stored := len(e) == C
	m, ks := at(0), 0
	for c := range C {
		v := at(c)
		if v != v {
			n := math.NaN()
			if derivs {
				for c := range C {
					emit(c, n, n)
				}
			}
			return n
		}
		if v > m {
			m, ks = v, c
		}
	}
	expAt := func(c int) float64 {
		if math.IsInf(m, 0) { // the max is ±Inf: the argmax is certain
			if c == ks {
				return 1
			}
			return 0
		}
		return math.Exp(at(c) - m)
	}
	var sp float64 // S′ = Σ_{c≠k*} e_c
	for c := range C {
		v := expAt(c)
		if stored {
			e[c] = v
		}
		if c != ks {
			sp += v
		}
	}
	ex := func(c int) float64 {
		if stored {
			return e[c]
		}
		return expAt(c)
	}
	logD := math.Log1p(sp)
	g := p.Gamma
	k, isInt := intGamma(g)

	// probs returns p_c, q_c = 1 − p_c, log p_c and log p_c / q_c.
	probs := func(c int) (pc, qc, lp, ratio float64) {
		return classProbs(c, ks, ex(c), at(c), m, sp, logD)
	}
	weight := func(c int) float64 {
		t := p.Smooth / float64(C)
		if c == y {
			t += 1 - p.Smooth
		}
		return p.alpha(c) * t
	}
	// terms returns class c's loss term f_c, B_c = p_c ∂f_c/∂p_c and
	// Â_c = p_c² ∂²f_c/∂p_c² · q_c², each finite (the (1 − p)^(γ−1) and
	// (1 − p)^(γ−2) factors are absorbed by log p/(1 − p) and q_c²).
	terms := func(c int) (f, b, ah float64) {
		a := weight(c)
		if a == 0 {
			return 0, 0, 0
		}
		pc, qc, lp, ratio := probs(c)
		var w float64
		if isInt {
			w = powInt(qc, k)
		} else {
			w = math.Exp(g * math.Log(qc))
		}
		f = -a * w * lp
		b = a * w * (g*pc*ratio - 1)
		ah = a * w * qc * (-g*(g-1)*pc*pc*ratio + 2*g*pc + qc)
		return f, b, ah
	}

	// Contributing classes: every class with label smoothing, else y.
	lo, hi := y, y+1
	if p.Smooth > 0 {
		lo, hi = 0, C
	}
	var loss, sumB, gp, aK float64 // gp = Σ_{c≠k*} Â_c / q_c²
	for c := lo; c < hi; c++ {
		f, b, ah := terms(c)
		loss += f
		sumB += b
		if c == ks {
			aK = ah
		} else if ah != 0 {
			_, qc, _, _ := probs(c)
			gp += ah / (qc * qc)
		}
	}
	if !derivs {
		return loss
	}
	for c := range C {
		pc, qc, _, _ := probs(c)
		var bc, ac float64
		if c >= lo && c < hi {
			_, bc, ac = terms(c)
		}
		grad := bc - pc*sumB
		// Σ_c′ Â_c′ ((δ_cc′ − p_c)/q_c′)²: Â_c itself, p_c²·Â_c′/q_c′² over
		// c′ ∉ {c, k*}, and (e_c/S′)²·Â_k* for c ≠ k* (p_c/q_k* = e_c/S′).
		h := ac
		if c == ks {
			h += pc * pc * gp
		} else {
			h += pc * pc * (gp - ac/(qc*qc))
			if sp > 0 {
				r := ex(c) / sp
				h += r * r * aK
			}
		}
		// The softmax's own curvature: Σ_c′ B_c′ ∂²p_c′/∂x_c² / p_c′ = (1 − 2p_c)·grad.
		emit(c, grad, h+(1-2*pc)*grad)
	}
	return loss
}

package kernel

import (
	"math"
	"unsafe"
)

// softmaxVec is softmaxHard for the class-last layout (Inner = 1), on the
// vector row primitives of table t: the row's max, its
// exponentials exp(x_c − max) and their sum, the gradient row
// e_c·(−B_y·s/(1 + S′)) and the Hessian row of the classes other than the
// label and the argmax are vector loops; the label's own terms and those
// two classes are softmaxHard's scalar code. Rows with a NaN or an
// infinite max go to softmaxHard.
func softmaxVec[T Float, L Int](t *table, s *scratch, p *SoftmaxParams, loss, grad, hess, x []T, labels []L, w []T, first int) float64 {
	C := p.Classes
	g := p.Gamma
	pw := newGammaPow(g)
	clip := math.Inf(-1)
	if p.ClipHess {
		clip = 0
	}
	e := s.e[:C]
	var sum float64
	for j, lab := range labels {
		base := (first + j) * C
		row := x[base : base+C]
		wj, skip := position(p, lab, w, j)
		if skip {
			zeroRow(loss, grad, hess, j, base, C)
			continue
		}
		mx, ks, sp, ok := rowExp(t, e, row)
		if !ok {
			sum += softmaxHard(p, sub(loss, j, j+1), grad, hess, x, labels[j:j+1], sub(w, j, j+1), first+j)
			continue
		}
		y := int(lab)
		d := 1 + sp
		py, qy, lp, ratio := classProbs(y, ks, e[y], float64(row[y]), mx, sp, math.Log1p(sp))
		var wy float64
		if pw.isInt {
			wy = powInt(qy, pw.k)
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
		sc := wj * p.Scale
		if grad != nil {
			gr := grad[base : base+C]
			scaleRow(t, gr, e, -b*sc/d)
			gr[y] = T((-py*b + b) * sc)
		}
		if hess == nil {
			continue
		}
		// softmaxHard's Hessian: the row loop for the classes other than y
		// and k*, then those two exactly as there.
		ahat := a * wy * qy * (-g*(g-1)*py*py*ratio + 2*g*py + qy)
		var gp, aK float64
		if y == ks {
			aK = ahat
		} else {
			gp = ahat / (qy * qy)
		}
		c := &s.c
		aKv, spv := hessAK(aK, sp)
		for i, v := range [...]float64{1 / d, gp, aKv, -b, sc, clip, spv} {
			c[4*i], c[4*i+1], c[4*i+2], c[4*i+3] = v, v, v, v
		}
		hs := hess[base : base+C]
		hessRow(t, hs, e, c)
		for _, cc := range [...]int{y, ks} {
			pc := e[cc] / d
			gr := -pc * b
			if cc == y {
				gr += b
			}
			hs[cc] = T(clipHess(hessAt(cc, y, ks, pc, e[cc], sp, gr, ahat, gp, aK)*sc, p.ClipHess))
		}
	}
	return sum
}

// hessAK returns hessRow's constants Â_k* and S′ from the label's aK and
// S′ = sp: 0 and 1 where there is no Â_k* term (softmaxHard adds it only
// when S′ > 0).
func hessAK(aK, sp float64) (float64, float64) {
	if !(sp > 0) || aK == 0 {
		return 0, 1
	}
	return aK, sp
}

// zeroRow clears the outputs of a skipped position of the class-last
// layout: its loss (at j) and its C gradient and Hessian entries from base.
func zeroRow[T Float](loss, grad, hess []T, j, base, C int) {
	if loss != nil {
		loss[j] = 0
	}
	clearRange(base, base+C, grad, hess, nil)
}

// rowExp sets e to the exponentials exp(x_c − max) of row and returns the
// max, its first class k* and S′ = Σ_{c≠k*} e_c; ok is false, and e not
// set, for a NaN max (any element NaN) or an infinite one.
func rowExp[T Float](t *table, e []float64, row []T) (mx float64, ks int, sp float64, ok bool) {
	n0 := len(row) &^ (t.rowLanes - 1)
	f32 := unsafe.Sizeof(row[0]) == 4
	mx = math.Inf(-1)
	if n0 > 0 {
		if f32 {
			mx = t.rowMaxF32(ptr[T, float32](row), n0)
		} else {
			mx = t.rowMaxF64(ptr[T, float64](row), n0)
		}
	}
	for _, v := range row[n0:] {
		if v != v {
			return math.NaN(), 0, 0, false
		}
		mx = max(mx, float64(v))
	}
	if math.IsNaN(mx) || math.IsInf(mx, 0) {
		return mx, 0, 0, false
	}
	for float64(row[ks]) != mx {
		ks++
	}
	var s float64
	if n0 > 0 {
		if f32 {
			s = t.expRowF32(&e[0], ptr[T, float32](row), mx, n0)
		} else {
			s = t.expRowF64(&e[0], ptr[T, float64](row), mx, n0)
		}
	}
	for i := n0; i < len(row); i++ {
		e[i] = math.Exp(float64(row[i]) - mx)
		s += e[i]
	}
	// S′: the row's sum less e_k* = exp(0) = 1, exact enough when S′ ≥ ½;
	// below, summed again without it.
	sp = s - 1
	if sp < 0.5 {
		sp = 0
		for c, v := range e {
			if c != ks {
				sp += v
			}
		}
	}
	return mx, ks, sp, true
}

// scaleRow sets dst[i] = T(e[i]·s).
func scaleRow[T Float](t *table, dst []T, e []float64, s float64) {
	n0 := len(dst) &^ (t.rowLanes - 1)
	if n0 > 0 {
		if unsafe.Sizeof(dst[0]) == 4 {
			t.scaleRowF32(ptr[T, float32](dst), &e[0], s, n0)
		} else {
			t.scaleRowF64(ptr[T, float64](dst), &e[0], s, n0)
		}
	}
	for i := n0; i < len(dst); i++ {
		dst[i] = T(e[i] * s)
	}
}

// hessRow sets dst[i] to the Hessian of class i as the assembly hessRow
// (c: 1/(1 + S′), gp, Â_k*, −B_y, s·w, floor, S′; four copies each), for
// classes other than the label and the argmax.
func hessRow[T Float](t *table, dst []T, e []float64, c *[32]float64) {
	n0 := len(dst) &^ (t.rowLanes - 1)
	if n0 > 0 {
		if unsafe.Sizeof(dst[0]) == 4 {
			t.hessRowF32(ptr[T, float32](dst), &e[0], c, n0)
		} else {
			t.hessRowF64(ptr[T, float64](dst), &e[0], c, n0)
		}
	}
	for i := n0; i < len(dst); i++ {
		pc := e[i] * c[0]
		r := e[i] / c[24]
		h := (pc*pc*c[4] + r*r*c[8] + (1-2*pc)*(pc*c[12])) * c[16]
		dst[i] = T(max(c[20], h))
	}
}

// softmaxStrided is softmaxHard for the class-second layout (Inner > 1,
// [N, C, d₁, …]) on the class-strided primitives of table t, without
// transposing: blocks of t.colLanes consecutive positions of one image are
// two vectors' lanes, and each primitive walks the C classes Inner elements
// apart (colMax, colExp, colScale, colHess); the label's terms of each
// position, and its label's and argmax's entries, are softmaxVec's scalar
// code.
//
// The blocks are fixed by the image (block b holds its positions
// b·lanes … b·lanes + lanes − 1), not by the call, so that a position's
// outputs are the same bit for bit however the positions are split among
// calls: a block the call's range cuts is computed whole, into scratch
// tiles, and only the call's positions are copied out. Blocks with a NaN
// or an infinite max, and an image's last, partial block, go to
// softmaxHard.
func softmaxStrided[T Float, L Int](t *table, s *scratch, p *SoftmaxParams, loss, grad, hess, x []T, labels []L, w []T, first int) float64 {
	C, in, lanes := p.Classes, p.Inner, t.colLanes
	g := p.Gamma
	pw := newGammaPow(g)
	clip := math.Inf(-1)
	if p.ClipHess {
		clip = 0
	}
	e := s.ec[:C*lanes]
	// The sum is taken per image, then over images: as softmaxHard's per
	// call, so that a call per image adds up as one call does.
	var sum, img float64
	cur := first / in
	for j := 0; j < len(labels); {
		pos := first + j
		if pos/in != cur {
			sum, img, cur = sum+img, 0, pos/in
		}
		i0 := pos % in
		start := i0 - i0%lanes // the block's first position in the image
		if start+lanes > in {  // the image's last, partial block
			n := min(in-i0, len(labels)-j)
			img += softmaxHard(p, sub(loss, j, j+n), grad, hess, x, labels[j:j+n], sub(w, j, j+n), pos)
			j += n
			continue
		}
		lo := i0 - start                   // the call's lanes: lo … hi − 1
		hi := min(lanes, lo+len(labels)-j) //
		base := pos/in*C*in + start        // logit (lane 0's position, class 0)
		jl := j - lo                       // label index of lane 0
		colMax(t, x[base:], in, C, &s.mx, &s.idx)
		finite := true
		for _, m := range s.mx[:lanes] {
			finite = finite && !math.IsNaN(m) && !math.IsInf(m, 0)
		}
		if !finite {
			img += softmaxHard(p, sub(loss, j, j+hi-lo), grad, hess, x, labels[j:j+hi-lo], sub(w, j, j+hi-lo), pos)
			j += hi - lo
			continue
		}
		colExp(t, e, x[base:], in, C, &s.mx, &s.idx, &s.sp)
		for l := range lanes {
			s.k[l] = 0
			for i := range 7 {
				s.hc[i*lanes+l] = 0
			}
			s.hc[hcClip*lanes+l], s.hc[hcSp*lanes+l] = clip, 1
			s.skip[l] = true
			if l < lo || l >= hi { // another call's position
				continue
			}
			lab := labels[jl+l]
			wj, skip := position(p, lab, w, jl+l)
			if skip {
				if loss != nil {
					loss[jl+l] = 0
				}
				continue
			}
			s.skip[l] = false
			y, ks := int(lab), int(s.idx[l])
			sp := s.sp[l]
			py, qy, lp, ratio := classProbs(y, ks, e[y*lanes+l], float64(x[base+y*in+l]), s.mx[l], sp, math.Log1p(sp))
			wy := pw.of(qy)
			a := p.alpha(y)
			lv := -a * wy * lp * wj
			img += lv
			if loss != nil {
				loss[jl+l] = sat[T](lv)
			}
			b := a * wy * (g*py*ratio - 1)
			sc := wj * p.Scale
			s.k[l] = -b * sc / (1 + sp)
			s.b[l], s.sc[l], s.py[l] = b, sc, py
			ahat, gp, aK := labelHess(a, wy, qy, py, ratio, g, y == ks)
			s.ahat[l], s.gp[l], s.aK[l] = ahat, gp, aK
			aKv, spv := hessAK(aK, sp)
			for i, v := range [...]float64{1 / (1 + sp), gp, aKv, -b, sc, clip, spv} {
				s.hc[i*lanes+l] = v
			}
		}
		// The outputs go straight to the arrays for a whole block, through
		// a tile (lanes apart) for a cut one.
		whole := lo == 0 && hi == lanes
		out := func(dst []T, fill func(dst []T, stride int)) {
			if whole {
				fill(dst[base:], in)
				return
			}
			tile := view[T](s.tile[:], C*lanes)
			fill(tile, lanes)
			for c := range C {
				copy(dst[base+c*in+lo:base+c*in+hi], tile[c*lanes+lo:c*lanes+hi])
			}
		}
		if grad != nil {
			out(grad, func(dst []T, stride int) {
				colScale(t, dst, stride, C, e, &s.k)
				for l := lo; l < hi; l++ {
					if !s.skip[l] {
						y := int(labels[jl+l])
						dst[y*stride+l] = T((-s.py[l]*s.b[l] + s.b[l]) * s.sc[l])
					}
				}
			})
		}
		if hess != nil {
			out(hess, func(dst []T, stride int) {
				colHess(t, dst, stride, C, e, &s.hc)
				for l := lo; l < hi; l++ {
					if s.skip[l] {
						continue
					}
					y, ks := int(labels[jl+l]), int(s.idx[l])
					sp, b := s.sp[l], s.b[l]
					for _, cc := range [...]int{y, ks} {
						ec := e[cc*lanes+l]
						pc := ec / (1 + sp)
						gr := -pc * b
						if cc == y {
							gr += b
						}
						h := hessAt(cc, y, ks, pc, ec, sp, gr, s.ahat[l], s.gp[l], s.aK[l])
						dst[cc*stride+l] = T(clipHess(h*s.sc[l], p.ClipHess))
					}
				}
			})
		}
		j += hi - lo
	}
	return sum + img
}

// Slots of scratch.hc, as hessRow's constants.
const (
	hcClip = 5
	hcSp   = 6
)

// colMax runs t's colMax on the block of positions at x.
func colMax[T Float](t *table, x []T, stride, classes int, mx, idx *[16]float64) {
	if unsafe.Sizeof(x[0]) == 4 {
		t.colMaxF32(ptr[T, float32](x), stride, classes, &mx[0], &idx[0])
		return
	}
	t.colMaxF64(ptr[T, float64](x), stride, classes, &mx[0], &idx[0])
}

// colExp runs t's colExp on the block of positions at x.
func colExp[T Float](t *table, e []float64, x []T, stride, classes int, mx, idx, sp *[16]float64) {
	if unsafe.Sizeof(x[0]) == 4 {
		t.colExpF32(&e[0], ptr[T, float32](x), stride, classes, &mx[0], &idx[0], &sp[0])
		return
	}
	t.colExpF64(&e[0], ptr[T, float64](x), stride, classes, &mx[0], &idx[0], &sp[0])
}

// colScale runs t's colScale on the block of positions at dst.
func colScale[T Float](t *table, dst []T, stride, classes int, e []float64, k *[16]float64) {
	if unsafe.Sizeof(dst[0]) == 4 {
		t.colScaleF32(ptr[T, float32](dst), stride, classes, &e[0], &k[0])
		return
	}
	t.colScaleF64(ptr[T, float64](dst), stride, classes, &e[0], &k[0])
}

// colHess runs t's colHess on the block of positions at dst.
func colHess[T Float](t *table, dst []T, stride, classes int, e []float64, c *[112]float64) {
	if unsafe.Sizeof(dst[0]) == 4 {
		t.colHessF32(ptr[T, float32](dst), stride, classes, &e[0], c)
		return
	}
	t.colHessF64(ptr[T, float64](dst), stride, classes, &e[0], c)
}

// softmaxSmooth is SoftmaxGo with label smoothing (ε > 0) for the
// class-last layout, loss and gradient (the Hessian stays softmaxGeneral's),
// on the vector row primitives of table t: every class has a loss term,
// f_c = −a_c (1 − p_c)^γ log p_c with a_c = α_c ((1 − ε)[c = y] + ε/C), and
// the gradient is s·(B_c − p_c ΣB). smoothRow computes the ε/C part of
// every class but the argmax k* (whose 1 − p is S′/(1 + S′), not a
// difference), gradRow the gradient; k*'s terms and the label's (1 − ε)
// part are softmaxPosition's scalar code. Rows with a NaN or an infinite
// max go to softmaxGeneral.
func softmaxSmooth[T Float, L Int](t *table, s *scratch, p *SoftmaxParams, loss, grad, x []T, labels []L, w []T, first int) float64 {
	C, lanes := p.Classes, t.rowLanes
	n0 := C &^ (lanes - 1)
	g := p.Gamma
	k, isInt := intGamma(g)
	flags := int64(-1)
	if isInt {
		flags = int64(k)
	}
	pow := func(q float64) float64 {
		if isInt {
			return powInt(q, k)
		}
		return math.Exp(g * math.Log(q))
	}
	eps := p.Smooth
	a := s.sa[:C]
	for c := range a {
		a[c] = p.alpha(c) * eps / float64(C)
	}
	e, B := s.e[:C], s.sb[:C]
	var sum float64
	for j, lab := range labels {
		base := (first + j) * C
		row := x[base : base+C]
		wj, skip := position(p, lab, w, j)
		if skip {
			zeroRow(loss, grad, nil, j, base, C)
			continue
		}
		mx, ks, sp, ok := rowExp(t, e, row)
		if !ok {
			sum += softmaxGeneral(p, sub(loss, j, j+1), grad, nil, x, labels[j:j+1], sub(w, j, j+1), first+j)
			continue
		}
		d := 1 + sp
		logD := math.Log1p(sp)
		// ε/C terms of the classes other than k*: the vector part, then the tail.
		var fs, bs float64
		if n0 > 0 {
			cs := &s.c
			for i, v := range [...]float64{mx, 1 / d, g, float64(ks), math.Float64frombits(uint64(flags)), logD} {
				cs[4*i], cs[4*i+1], cs[4*i+2], cs[4*i+3] = v, v, v, v
			}
			fs, bs = smoothRow(t, B[:n0], e, row[:n0], a, cs)
		}
		// terms returns f_c and B_c of class c with weight ac.
		terms := func(c int, ac float64) (f, b float64) {
			if ac == 0 {
				return 0, 0
			}
			pc, qc, lp, ratio := classProbs(c, ks, e[c], float64(row[c]), mx, sp, logD)
			aw := ac * pow(qc)
			return -aw * lp, aw * (g*pc*ratio - 1)
		}
		for c := n0; c < C; c++ {
			B[c] = 0
			if c != ks {
				f, b := terms(c, a[c])
				fs, bs, B[c] = fs+f, bs+b, b
			}
		}
		// k*'s terms, then the label's (1 − ε) part.
		y := int(lab)
		aks := a[ks]
		if y == ks {
			aks += p.alpha(y) * (1 - eps)
		}
		f, b := terms(ks, aks)
		fs, bs, B[ks] = fs+f, bs+b, b
		if y != ks {
			f, b := terms(y, p.alpha(y)*(1-eps))
			fs, bs, B[y] = fs+f, bs+b, B[y]+b
		}
		l := fs * wj
		sum += l
		if loss != nil {
			loss[j] = sat[T](l)
		}
		if grad != nil {
			sc := wj * p.Scale
			gradRow(t, grad[base:base+C], B, e, sc, sc*bs/d)
		}
	}
	return sum
}

// smoothRow runs t's smoothRow on the first len(b) classes (a multiple of
// the lane count).
func smoothRow[T Float](t *table, b, e []float64, x []T, a []float64, c *[32]float64) (f, sb float64) {
	if unsafe.Sizeof(x[0]) == 4 {
		return t.smoothRowF32(&b[0], &e[0], ptr[T, float32](x), &a[0], c, len(b))
	}
	return t.smoothRowF64(&b[0], &e[0], ptr[T, float64](x), &a[0], c, len(b))
}

// gradRow sets dst[i] = T(s·b[i] − k·e[i]).
func gradRow[T Float](t *table, dst []T, b, e []float64, s, k float64) {
	n0 := len(dst) &^ (t.rowLanes - 1)
	if n0 > 0 {
		if unsafe.Sizeof(dst[0]) == 4 {
			t.gradRowF32(ptr[T, float32](dst), &b[0], &e[0], s, k, n0)
		} else {
			t.gradRowF64(ptr[T, float64](dst), &b[0], &e[0], s, k, n0)
		}
	}
	for i := n0; i < len(dst); i++ {
		dst[i] = T(s*b[i] - k*e[i])
	}
}

package kernel

import (
	"math"
	"sync"
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
	k, isInt := intGamma(g)
	e := s.e[:C]
	var sum float64
	for j, lab := range labels {
		base := (first + j) * C
		row := x[base : base+C]
		wj := 1.0
		if w != nil {
			wj = float64(w[j])
		}
		if (p.HasIgnore && int64(lab) == p.Ignore) || wj == 0 {
			if loss != nil {
				loss[j] = 0
			}
			for _, d := range [...][]T{grad, hess} {
				if d != nil {
					clear(d[base : base+C])
				}
			}
			continue
		}
		mx := rowMax(t, row)
		if math.IsNaN(mx) || math.IsInf(mx, 0) {
			sum += softmaxHard(p, sub(loss, j, j+1), grad, hess, x, labels[j:j+1], sub(w, j, j+1), first+j)
			continue
		}
		ks := 0
		for float64(row[ks]) != mx {
			ks++
		}
		// S′ = Σ_{c≠k*} e_c: the row's sum less e_k* = exp(0) = 1, exact
		// enough when S′ ≥ ½; below, summed again without it.
		sp := expRow(t, e, row, mx) - 1
		if sp < 0.5 {
			sp = 0
			for c, v := range e {
				if c != ks {
					sp += v
				}
			}
		}
		y := int(lab)
		d := 1 + sp
		logD := math.Log1p(sp)
		py := e[y] / d
		var qy, lp, ratio float64
		if y == ks {
			lp, qy = -logD, sp/d
			ratio = -1 // lim log p/(1−p) as p → 1
			if sp > 0 {
				ratio = lp / qy
			}
		} else {
			lp = max(float64(row[y])-mx-logD, -math.MaxFloat64)
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
		aKv, spv := aK, sp
		if !(sp > 0) || aK == 0 { // no Â_k* term (softmaxHard: only when S′ > 0)
			aKv, spv = 0, 1
		}
		clip := math.Inf(-1)
		if p.ClipHess {
			clip = 0
		}
		for i, v := range [...]float64{1 / d, gp, aKv, -b, sc, clip, spv} {
			c[4*i], c[4*i+1], c[4*i+2], c[4*i+3] = v, v, v, v
		}
		hs := hess[base : base+C]
		hessRow(t, hs, e, c)
		for _, cc := range [...]int{y, ks} {
			pc := e[cc] / d
			gr := -pc * b
			var h float64
			if cc == y {
				gr += b
				h = ahat
			}
			if cc == ks {
				h += pc * pc * gp
			} else {
				qc := 1 - pc
				h += pc * pc * (gp - h/(qc*qc))
				if sp > 0 {
					r := e[cc] / sp
					h += r * r * aK
				}
			}
			h = (h + (1-2*pc)*gr) * sc
			if p.ClipHess {
				h = max(h, 0)
			}
			hs[cc] = T(h)
		}
	}
	return sum
}

// tileElems is the logits of one transposed tile of softmaxTiled (at
// least stackClasses, so a tile holds a whole position): with C = 80, 102
// positions, whose per-class runs of 400 bytes (float32) keep the
// hardware prefetcher on each of the C strided streams.
const tileElems = 8192

// tiles holds softmaxTiled's buffers: logits, gradient and Hessian tiles
// (too large for the stack), one set per concurrent call.
type tiles[T Float] struct{ x, g, h [tileElems]T }

var tilePools = [2]sync.Pool{
	{New: func() any { return new(tiles[float32]) }},
	{New: func() any { return new(tiles[float64]) }},
}

// tilePool returns the pool of T's tiles.
func tilePool[T Float]() *sync.Pool {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return &tilePools[0]
	}
	return &tilePools[1]
}

// softmaxTiled is softmaxVec for the class-second layout (Inner > 1,
// [N, C, d₁, …]): runs of up to tileElems/C positions of one outer index
// are transposed into class-last tiles (reads contiguous per class), run
// through softmaxVec, and their gradient and Hessian transposed back.
func softmaxTiled[T Float, L Int](t *table, s *scratch, p *SoftmaxParams, loss, grad, hess, x []T, labels []L, w []T, first int) float64 {
	C, in := p.Classes, p.Inner
	q := *p
	q.Inner = 1
	pool := tilePool[T]()
	tl := pool.Get().(*tiles[T])
	defer pool.Put(tl)
	xb, gb, hb := tl.x[:], tl.g[:], tl.h[:]
	B := tileElems / C
	var sum float64
	for j := 0; j < len(labels); {
		pos := first + j
		i0 := pos % in
		b := min(B, len(labels)-j, in-i0) // positions of this tile, all of outer index pos/in
		base := pos/in*C*in + i0          // logit (position pos, class 0)
		for c := range C {
			for k, v := range x[base+c*in : base+c*in+b] {
				xb[k*C+c] = v
			}
		}
		var g, h []T
		if grad != nil {
			g = gb[:b*C]
		}
		if hess != nil {
			h = hb[:b*C]
		}
		sum += softmaxVec(t, s, &q, sub(loss, j, j+b), g, h, xb[:b*C], labels[j:j+b], sub(w, j, j+b), 0)
		for _, d := range [...]struct{ dst, tile []T }{{grad, g}, {hess, h}} {
			if d.dst == nil {
				continue
			}
			for c := range C {
				row := d.dst[base+c*in : base+c*in+b]
				for k := range row {
					row[k] = d.tile[k*C+c]
				}
			}
		}
		j += b
	}
	return sum
}

// rowMax returns max(x), NaN if any element is NaN.
func rowMax[T Float](t *table, x []T) float64 {
	n0 := len(x) &^ (t.rowLanes - 1)
	mx := math.Inf(-1)
	if n0 > 0 {
		if unsafe.Sizeof(x[0]) == 4 {
			mx = t.rowMaxF32(ptr[T, float32](x), n0)
		} else {
			mx = t.rowMaxF64(ptr[T, float64](x), n0)
		}
	}
	for _, v := range x[n0:] {
		if v != v {
			return math.NaN()
		}
		mx = max(mx, float64(v))
	}
	return mx
}

// expRow sets e[i] = exp(x[i] − mx) and returns their sum.
func expRow[T Float](t *table, e []float64, x []T, mx float64) float64 {
	n0 := len(x) &^ (t.rowLanes - 1)
	var s float64
	if n0 > 0 {
		if unsafe.Sizeof(x[0]) == 4 {
			s = t.expRowF32(&e[0], ptr[T, float32](x), mx, n0)
		} else {
			s = t.expRowF64(&e[0], ptr[T, float64](x), mx, n0)
		}
	}
	for i := n0; i < len(x); i++ {
		e[i] = math.Exp(float64(x[i]) - mx)
		s += e[i]
	}
	return s
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

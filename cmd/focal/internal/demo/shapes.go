package demo

import (
	"math"
	"math/rand/v2"
)

// shapeKinds are the synthetic object kinds, each an inside test on the
// unit square [−1, 1]².
var shapeKinds = []struct {
	name   string
	inside func(u, v float64) bool
}{
	{"disk", func(u, v float64) bool { return u*u+v*v <= 1 }},
	{"square", func(u, v float64) bool { return math.Abs(u) <= 0.85 && math.Abs(v) <= 0.85 }},
	{"triangle", func(u, v float64) bool { return v >= -1 && v <= 1 && math.Abs(u) <= (v+1)/2 }},
	{"ring", func(u, v float64) bool { r := u*u + v*v; return r <= 1 && r >= 0.3 }},
	{"cross", func(u, v float64) bool {
		return (math.Abs(u) <= 0.3 && math.Abs(v) <= 1) || (math.Abs(v) <= 0.3 && math.Abs(u) <= 1)
	}},
}

// shapeMask draws a random synthetic shape whose larger side is ext
// pixels and returns its w×h anti-aliased mask (4×4 supersampling) in
// [0, 1], row-major, and its kind (index in shapeKinds).
func shapeMask(rng *rand.Rand, ext int) (mask []float32, w, h, class int) {
	class = rng.IntN(len(shapeKinds))
	k := shapeKinds[class]
	w, h = ext, ext
	if short := max(minExtent, int(math.Round(float64(ext)*(0.6+0.4*rng.Float64())))); rng.IntN(2) == 0 {
		w = short
	} else {
		h = short
	}
	const ss = 4
	mask = make([]float32, w*h)
	for y := range h {
		for x := range w {
			var in int
			for sy := range ss {
				for sx := range ss {
					u := 2*(float64(x)+(float64(sx)+0.5)/ss)/float64(w) - 1
					v := 2*(float64(y)+(float64(sy)+0.5)/ss)/float64(h) - 1
					if k.inside(u, v) {
						in++
					}
				}
			}
			mask[y*w+x] = float32(in) / (ss * ss)
		}
	}
	return mask, w, h, class
}

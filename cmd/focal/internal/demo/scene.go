package demo

import (
	"math"
	"math/rand/v2"
)

// An Object is one item placed in a scene.
type Object struct {
	// X0, Y0, X1, Y1 bound the object in pixels, half-open: columns
	// [X0, X1), rows [Y0, Y1).
	X0, Y0, X1, Y1 int
	// Kind names the shape or the Fashion-MNIST class, and Class is its
	// index (in fashionClasses or shapeKinds).
	Kind  string
	Class int
}

// Extent is the object's larger side in pixels.
func (o Object) Extent() int { return max(o.X1-o.X0, o.Y1-o.Y0) }

// SizeClass is "small" (extent < 8 px), "medium" (8–15 px) or "large"
// (≥ 16 px).
func (o Object) SizeClass() SizeClass {
	switch e := o.Extent(); {
	case e < 8:
		return Small
	case e < 16:
		return Medium
	}
	return Large
}

// A SizeClass groups objects by extent for the recall breakdown.
type SizeClass int

// Size classes, by an object's larger side.
const (
	Small  SizeClass = iota // < 8 px
	Medium                  // 8–15 px
	Large                   // ≥ 16 px
	numSizeClasses
)

var sizeClassNames = [...]string{Small: "small", Medium: "medium", Large: "large"}

func (c SizeClass) String() string { return sizeClassNames[c] }

// A Scene is one grayscale image and the objects in it.
type Scene struct {
	// Size is the side of the square image in pixels.
	Size int
	// Pixels holds Size×Size intensities in [0, 1], row-major.
	Pixels []float32
	// Objects are the placed objects, which do not overlap.
	Objects []Object
}

// Target returns the objectness target of s on the grid of cells of side
// stride pixels, (Size/stride)² values in {0, 1}, row-major. A cell is
// positive when it contains an object's centre, or when its centre lies in
// the object's central box of half-side extent/8 (so a 24-pixel object
// marks at most 2×2 cells at stride 4). Everything else, including the rest
// of each object, is background: the target asks "is an object centred
// here", which keeps ≥ 98% of the cells negative, as in dense detection.
func (s Scene) Target(stride int) []float32 {
	g := s.Size / stride
	t := make([]float32, g*g)
	for _, o := range s.Objects {
		cx, cy := float64(o.X0+o.X1)/2, float64(o.Y0+o.Y1)/2
		hx, hy := float64(o.X1-o.X0)/8, float64(o.Y1-o.Y0)/8
		for i := range g {
			for j := range g {
				x, y := (float64(j)+0.5)*float64(stride), (float64(i)+0.5)*float64(stride)
				if math.Abs(x-cx) <= hx && math.Abs(y-cy) <= hy {
					t[i*g+j] = 1
				}
			}
		}
		// The cell holding the centre (a centre on a cell border belongs
		// to the cell below and to the right).
		j, i := min(int(cx)/stride, g-1), min(int(cy)/stride, g-1)
		t[i*g+j] = 1
	}
	return t
}

// A Generator draws random scenes: a textured, cluttered background and 1
// to MaxObjects non-overlapping objects of extent MinExtent–MaxExtent px
// (log-uniform) and random contrast. Objects are downscaled Fashion-MNIST
// items when the generator has them, synthetic shapes otherwise.
type Generator struct {
	// Size is the side of the scenes in pixels, a multiple of Stride, ≥ 32.
	Size int
	// Items, when not nil, supplies the objects' masks.
	Items *Items
	// MinExtent and MaxExtent bound an object's larger side in pixels,
	// MaxObjects the objects per scene; zero means the cells task's
	// defaults (3, 24, 4).
	MinExtent, MaxExtent, MaxObjects int
}

// The cells task's object extents and counts, and the smallest side any
// object mask gets.
const (
	minExtent  = 3
	maxExtent  = 24
	maxObjects = 4
)

// limits returns the generator's extent range and object count, with the
// defaults filled in.
func (gen Generator) limits() (lo, hi, count int) {
	lo, hi, count = gen.MinExtent, gen.MaxExtent, gen.MaxObjects
	if lo == 0 {
		lo = minExtent
	}
	if hi == 0 {
		hi = maxExtent
	}
	if count == 0 {
		count = maxObjects
	}
	return lo, hi, count
}

// Classes is the number of object classes: Fashion-MNIST's 10 or the 5
// synthetic shapes.
func (gen Generator) Classes() int {
	if gen.Items != nil {
		return len(fashionClasses)
	}
	return len(shapeKinds)
}

// Scene draws one scene from rng. The same rng state gives the same scene.
func (gen Generator) Scene(rng *rand.Rand) Scene {
	n := gen.Size
	s := Scene{Size: n, Pixels: background(rng, n)}
	lo, hi, most := gen.limits()
	count := 1 + rng.IntN(most)
	for range count {
		// Log-uniform extent: as many small objects per octave as large ones.
		ext := int(math.Round(float64(lo) * math.Exp(rng.Float64()*math.Log(float64(hi)/float64(lo)))))
		var mask []float32
		var w, h, class int
		if gen.Items != nil {
			mask, w, h, class = gen.Items.mask(rng, ext)
		} else {
			mask, w, h, class = shapeMask(rng, ext)
		}
		x0, y0, ok := place(rng, s.Objects, n, w, h)
		if !ok {
			continue
		}
		o := Object{X0: x0, Y0: y0, X1: x0 + w, Y1: y0 + h, Class: class}
		if gen.Items != nil {
			o.Kind = fashionClasses[class]
		} else {
			o.Kind = shapeKinds[class].name
		}
		paint(rng, s.Pixels, n, o, mask)
		s.Objects = append(s.Objects, o)
	}
	return s
}

// place finds a position for a w×h box at least 2 px inside the image
// and 3 px from every placed object, trying a fixed number of times.
func place(rng *rand.Rand, placed []Object, n, w, h int) (x0, y0 int, ok bool) {
	const margin, gap = 2, 3
	for range 50 {
		x0 = margin + rng.IntN(n-2*margin-w+1)
		y0 = margin + rng.IntN(n-2*margin-h+1)
		free := true
		for _, o := range placed {
			if x0 < o.X1+gap && o.X0 < x0+w+gap && y0 < o.Y1+gap && o.Y0 < y0+h+gap {
				free = false
				break
			}
		}
		if free {
			return x0, y0, true
		}
	}
	return 0, 0, false
}

// paint blends an object into the image: each pixel moves by c·m towards a
// random brighter or darker level, where m ∈ [0, 1] is the object's mask
// and the contrast c is drawn from [0.2, 0.6].
func paint(rng *rand.Rand, pix []float32, n int, o Object, mask []float32) {
	c := float32(0.2 + 0.4*rng.Float64())
	if rng.IntN(2) == 0 {
		c = -c
	}
	w := o.X1 - o.X0
	for y := o.Y0; y < o.Y1; y++ {
		for x := o.X0; x < o.X1; x++ {
			m := mask[(y-o.Y0)*w+(x-o.X0)]
			pix[y*n+x] = clamp01(pix[y*n+x] + c*m)
		}
	}
}

func clamp01(v float32) float32 { return min(max(v, 0), 1) }

var (
	nan    = math.NaN()
	posInf = math.Inf(1)
)

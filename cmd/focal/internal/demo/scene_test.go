package demo

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

var fashionOnce = sync.OnceValues(func() (*Items, error) { return LoadFashion(FashionDir) })

// testGenerators returns a shapes generator and, when the dataset is
// installed, a Fashion-MNIST one.
func testGenerators(t *testing.T) []Generator {
	gens := []Generator{{Size: 64}}
	if items, err := fashionOnce(); err == nil {
		gens = append(gens, Generator{Size: 64, Items: items})
	} else {
		t.Logf("Fashion-MNIST not tested: %v", err)
	}
	return gens
}

func TestGeneratorIsDeterministic(t *testing.T) {
	for _, gen := range testGenerators(t) {
		a := gen.Scene(rand.New(rand.NewPCG(3, 4)))
		b := gen.Scene(rand.New(rand.NewPCG(3, 4)))
		c := gen.Scene(rand.New(rand.NewPCG(3, 5)))
		if !slices.Equal(a.Pixels, b.Pixels) || !slices.Equal(a.Objects, b.Objects) {
			t.Errorf("items=%v: same seed, different scenes", gen.Items != nil)
		}
		if slices.Equal(a.Pixels, c.Pixels) {
			t.Errorf("items=%v: different seeds, same scene", gen.Items != nil)
		}
	}
}

func TestScenesAreMostlyBackground(t *testing.T) {
	for _, gen := range testGenerators(t) {
		rng := rand.New(rand.NewPCG(1, 2))
		var pos, cells, objects int
		var sizes [numSizeClasses]int
		for range 500 {
			s := gen.Scene(rng)
			for _, v := range s.Pixels {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("pixel %v outside [0, 1]", v)
				}
			}
			if len(s.Objects) < 1 || len(s.Objects) > maxObjects {
				t.Fatalf("%d objects, want 1 … %d", len(s.Objects), maxObjects)
			}
			for i, o := range s.Objects {
				if e := o.Extent(); e < minExtent || e > maxExtent {
					t.Errorf("object extent %d outside [%d, %d]", e, minExtent, maxExtent)
				}
				if o.X0 < 0 || o.Y0 < 0 || o.X1 > s.Size || o.Y1 > s.Size {
					t.Errorf("object %+v outside the image", o)
				}
				for _, p := range s.Objects[:i] {
					if o.X0 < p.X1 && p.X0 < o.X1 && o.Y0 < p.Y1 && p.Y0 < o.Y1 {
						t.Errorf("objects %+v and %+v overlap", o, p)
					}
				}
				sizes[o.SizeClass()]++
			}
			objects += len(s.Objects)
			tg := s.Target(Stride)
			for _, v := range tg {
				if v > 0 {
					pos++
				}
			}
			cells += len(tg)
			// Every object has a positive cell.
			g := s.Size / Stride
			for _, o := range s.Objects {
				cx, cy := (o.X0+o.X1)/2/Stride, (o.Y0+o.Y1)/2/Stride
				if tg[min(cy, g-1)*g+min(cx, g-1)] != 1 {
					t.Errorf("object %+v has no positive centre cell", o)
				}
			}
		}
		if bg := 1 - float64(pos)/float64(cells); bg < 0.98 {
			t.Errorf("items=%v: background fraction %.4f, want ≥ 0.98", gen.Items != nil, bg)
		}
		for c, n := range sizes {
			if n < objects/10 {
				t.Errorf("items=%v: %d %v objects of %d, want ≥ 10%%", gen.Items != nil, n, SizeClass(c), objects)
			}
		}
	}
}

func TestTargetMarksCentreRegion(t *testing.T) {
	cases := []struct {
		name string
		o    Object
		want []int // positive cells on the 8×8 grid of a 32-px scene
	}{
		{"3-px object: only the cell holding its centre", Object{X0: 9, Y0: 9, X1: 12, Y1: 12}, []int{2*8 + 2}},
		{"24-px object centred on a cell: that cell only", Object{X0: 2, Y0: 2, X1: 26, Y1: 26}, []int{3*8 + 3}},
		{"24-px object centred on a corner: the 2×2 cells around it", Object{X0: 4, Y0: 4, X1: 28, Y1: 28}, []int{3*8 + 3, 3*8 + 4, 4*8 + 3, 4*8 + 4}},
		{"16×4 object centred on a vertical cell border: two cells", Object{X0: 8, Y0: 4, X1: 24, Y1: 8}, []int{1*8 + 3, 1*8 + 4}},
	}
	for _, c := range cases {
		s := Scene{Size: 32, Pixels: make([]float32, 32*32), Objects: []Object{c.o}}
		var got []int
		for i, v := range s.Target(Stride) {
			if v > 0 {
				got = append(got, i)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: positive cells %v, want %v", c.name, got, c.want)
		}
	}
}

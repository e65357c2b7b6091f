package kernel

import (
	"math"
	"testing"
)

// TestFamilyGoWritesOnlyItsSlices runs every kind on slices cut from
// larger arrays whose guard elements must stay untouched, with weights,
// an ignore mask and a scale, and checks each written value against
// FamilyElem.
func TestFamilyGoWritesOnlyItsSlices(t *testing.T) {
	const n, guard = 13, 4
	const sentinel = -12345.0
	kinds := []FamilyParams{
		{Kind: FamilyPoly1, Alpha: 0.25, HasAlpha: true, Gamma: 2, Epsilon: 1},
		{Kind: FamilyASL, Gamma: 1, GammaNeg: 4, Margin: 0.05},
		{Kind: FamilyQFL, Gamma: 2},
		{Kind: FamilyVarifocal, Alpha: 0.75, Gamma: 2, IoUWeighted: true},
		{Kind: FamilyFLStar, Alpha: 0.25, HasAlpha: true, Gamma: 2, Beta: 1},
		{Kind: FamilyScheduled, Below: []float64{0.2, 0.5}, Gammas: []float64{5, 3}, Else: 3},
		{Kind: FamilyReduced, Gamma: 2, Threshold: 0.5},
	}
	for _, p := range kinds {
		p.Scale, p.ClipHess = 0.5, true
		arr := func() []float64 {
			a := make([]float64, n+2*guard)
			for i := range a {
				a[i] = sentinel
			}
			return a
		}
		la, ga, ha := arr(), arr(), arr()
		x, y, w := make([]float64, n), make([]float64, n), make([]float64, n)
		ign := make([]bool, n)
		for i := range x {
			x[i] = float64(i) - 6.5
			y[i] = float64(i % 2)
			w[i] = 1 + float64(i%3)
			ign[i] = i == 5
		}
		sum := FamilyGo(&p, la[guard:guard+n], ga[guard:guard+n], ha[guard:guard+n], x, y, w, ign)
		var want float64
		for i := range x {
			l, g, h := FamilyElem(x[i], y[i], &p)
			l, g, h = w[i]*l, w[i]*g*p.Scale, max(w[i]*h*p.Scale, 0)
			if ign[i] {
				l, g, h = 0, 0, 0
			}
			want += l
			if la[guard+i] != l || ga[guard+i] != g || ha[guard+i] != h {
				t.Errorf("kind %d element %d: (%v, %v, %v), want (%v, %v, %v)", p.Kind, i, la[guard+i], ga[guard+i], ha[guard+i], l, g, h)
			}
		}
		if math.Abs(sum-want) > 1e-12*math.Abs(want) {
			t.Errorf("kind %d: sum %v, want %v", p.Kind, sum, want)
		}
		for _, a := range [][]float64{la, ga, ha} {
			for i := range guard {
				if a[i] != sentinel || a[guard+n+i] != sentinel {
					t.Fatalf("kind %d wrote outside its slice", p.Kind)
				}
			}
		}
	}
}

package demo

import (
	"math"
	"math/rand/v2"
)

// background returns an n×n textured, cluttered background in [0, 1]:
// a random level and gradient, smooth value noise at 8 and 16 px, pixel
// noise and 3–8 thin line segments (clutter with edges, but no compact
// blob that could pass for an object).
func background(rng *rand.Rand, n int) []float32 {
	pix := make([]float32, n*n)
	level := 0.3 + 0.4*rng.Float64()
	gx, gy := 0.2*(rng.Float64()-0.5), 0.2*(rng.Float64()-0.5)
	coarse := valueNoise(rng, n, 16)
	fine := valueNoise(rng, n, 8)
	a1, a2 := 0.08+0.08*rng.Float64(), 0.04+0.06*rng.Float64()
	sigma := 0.02 + 0.04*rng.Float64()
	for y := range n {
		for x := range n {
			v := level + gx*(float64(x)/float64(n)-0.5) + gy*(float64(y)/float64(n)-0.5)
			v += a1*float64(coarse[y*n+x]) + a2*float64(fine[y*n+x]) + sigma*rng.NormFloat64()
			pix[y*n+x] = clamp01(float32(v))
		}
	}
	for range 3 + rng.IntN(6) {
		line(rng, pix, n)
	}
	return pix
}

// valueNoise returns n×n values in [−1, 1]: uniform random values on a grid
// of the given cell size, bilinearly interpolated.
func valueNoise(rng *rand.Rand, n, cell int) []float32 {
	g := n/cell + 2
	grid := make([]float64, g*g)
	for i := range grid {
		grid[i] = 2*rng.Float64() - 1
	}
	out := make([]float32, n*n)
	for y := range n {
		fy := float64(y) / float64(cell)
		iy, ty := int(fy), fy-math.Floor(fy)
		for x := range n {
			fx := float64(x) / float64(cell)
			ix, tx := int(fx), fx-math.Floor(fx)
			v00, v01 := grid[iy*g+ix], grid[iy*g+ix+1]
			v10, v11 := grid[(iy+1)*g+ix], grid[(iy+1)*g+ix+1]
			out[y*n+x] = float32((1-ty)*((1-tx)*v00+tx*v01) + ty*((1-tx)*v10+tx*v11))
		}
	}
	return out
}

// line draws a 1-px segment of length 12–48 px and contrast ±(0.1–0.3).
func line(rng *rand.Rand, pix []float32, n int) {
	x, y := rng.Float64()*float64(n), rng.Float64()*float64(n)
	theta := rng.Float64() * math.Pi
	length := 12 + 36*rng.Float64()
	c := float32(0.1 + 0.2*rng.Float64())
	if rng.IntN(2) == 0 {
		c = -c
	}
	dx, dy := math.Cos(theta), math.Sin(theta)
	for t := 0.0; t < length; t += 0.5 {
		px, py := int(x+t*dx), int(y+t*dy)
		if px >= 0 && px < n && py >= 0 && py < n {
			pix[py*n+px] = clamp01(pix[py*n+px] + c/2) // two samples per pixel
		}
	}
}

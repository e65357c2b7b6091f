package dataset

import "math"

// Standardizer maps each feature to zero mean and unit variance:
//
//	x′ = (x − μ) / σ,
//
// with μ and σ (population standard deviation) measured on the training
// split only, so that nothing about the test data leaks into the model.
// A constant feature (σ = 0) is only centred.
type Standardizer struct {
	Mean []float64 `json:"mean"`
	Std  []float64 `json:"std"`
}

// Fit measures the mean and standard deviation of each feature of the
// row-major n×f matrix x, in float64 with Welford's update.
func Fit(x []float32, n, f int) Standardizer {
	s := Standardizer{Mean: make([]float64, f), Std: make([]float64, f)}
	m2 := make([]float64, f)
	for i := range n {
		row := x[i*f : (i+1)*f]
		for j, v := range row {
			d := float64(v) - s.Mean[j]
			s.Mean[j] += d / float64(i+1)
			m2[j] += d * (float64(v) - s.Mean[j])
		}
	}
	for j := range s.Std {
		s.Std[j] = 1
		if n > 0 {
			if sd := math.Sqrt(m2[j] / float64(n)); sd > 0 {
				s.Std[j] = sd
			}
		}
	}
	return s
}

// Apply returns a standardised copy of the row-major matrix x, which must
// have len(s.Mean) columns.
func (s Standardizer) Apply(x []float32) []float32 {
	f := len(s.Mean)
	out := make([]float32, len(x))
	for i, v := range x {
		j := i % f
		out[i] = float32((float64(v) - s.Mean[j]) / s.Std[j])
	}
	return out
}

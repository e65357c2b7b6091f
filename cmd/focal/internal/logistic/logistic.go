// Package logistic holds the logistic function σ and softplus for the
// command's scalar float64 arithmetic (temperature fits, scores, figures),
// both without overflow for large |x|. The core package has the vector
// kernels; these are the one-value forms that train and demo share.
package logistic

import "math"

// Sigmoid returns σ(x) = 1/(1 + e^(−x)), without overflow for large |x|.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Softplus returns log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)), without
// overflow. −log σ(x) = Softplus(−x).
func Softplus(x float64) float64 {
	return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

package train

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"

	"github.com/focalgo/focal/cmd/focal/internal/logistic"
)

// TemperatureFit is the outcome of temperature scaling (Guo et al., "On
// Calibration of Modern Neural Networks", ICML 2017, §4.2): the one
// temperature T > 0 that divides every logit, chosen to minimise the
// negative log-likelihood of the validation split.
type TemperatureFit struct {
	// T is the temperature in effect: T* of the optimizer, or 1 when T*
	// does not lower the validation NLL (see FitTemperature).
	T float64 `json:"T"`
	// NLLBefore and NLLAfter are the validation NLL (nats) at T = 1 and
	// at T; NLLAfter ≤ NLLBefore always.
	NLLBefore float64 `json:"val_nll_before"`
	NLLAfter  float64 `json:"val_nll_after"`
	// Evaluations counts the NLL evaluations of the optimizer; Status is
	// its word on the stop.
	Evaluations int    `json:"evaluations"`
	Status      string `json:"status"`
}

// maxLogTemperature bounds |log T| of the search: beyond T = e^±12
// (1.6e5), the probabilities are those of the limit (all mass on the
// arg-max, or uniform) to float64 precision, and the optimizer would only
// walk further down a flat valley of a split that the model separates.
const maxLogTemperature = 12

// FitTemperature returns the temperature T > 0 minimising the mean
// negative log-likelihood of labels y (classes in [0, outputs), binary: 0
// or 1) under the logits divided by T (row-major n×outputs; see
// probabilities for what they mean: one sigmoid output, C sigmoids
// normalised to sum to 1 when sigmoid is set, else a softmax).
//
// The search is over u = log T, unconstrained, by gonum's BFGS with the
// exact derivative dNLL/du = −Σ_c (∂NLL/∂z_c)·z_c at z = x/T. For a
// softmax and for one sigmoid the NLL is convex in 1/T (a log-sum-exp of
// a linear function of 1/T minus a linear one), so along u it has one
// minimum and the optimizer finds it. The result never has a larger
// validation NLL than T = 1: when the optimizer fails, leaves the search
// interval |log T| ≤ 12 or ends higher than at T = 1, T is 1.
//
// Argmax-based metrics do not move: dividing logits by T > 0 keeps their
// order (for the normalised sigmoids, the order of σ(x_c/T), the same).
func FitTemperature(logits []float64, y []int, outputs int, sigmoid bool) (TemperatureFit, error) {
	if outputs < 1 || len(logits) != len(y)*outputs {
		return TemperatureFit{}, fmt.Errorf("train: temperature: %d logits for %d labels of %d outputs", len(logits), len(y), outputs)
	}
	if len(y) == 0 {
		return TemperatureFit{}, errors.New("train: temperature: no validation examples")
	}
	for _, c := range y {
		if c < 0 || c >= max(outputs, 2) {
			return TemperatureFit{}, fmt.Errorf("train: temperature: label %d outside [0, %d)", c, max(outputs, 2))
		}
	}
	for _, v := range logits {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return TemperatureFit{}, errors.New("train: temperature: a logit is NaN or infinite")
		}
	}
	nll := func(u float64) (f, df float64) { return temperatureNLL(logits, y, outputs, sigmoid, u) }
	before, _ := nll(0)
	fit := TemperatureFit{T: 1, NLLBefore: before, NLLAfter: before}
	p := optimize.Problem{
		Func: func(x []float64) float64 {
			if math.Abs(x[0]) > maxLogTemperature {
				return math.Inf(1) // outside the search interval: the line search backs off
			}
			f, _ := nll(x[0])
			return f
		},
		Grad: func(grad, x []float64) {
			_, grad[0] = nll(x[0])
		},
	}
	res, err := optimize.Minimize(p, []float64{0}, &optimize.Settings{
		GradientThreshold: 1e-10,
		MajorIterations:   100,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-14, Relative: 1e-14, Iterations: 10},
	}, &optimize.BFGS{})
	if res == nil {
		return fit, nil
	}
	fit.Evaluations = res.Stats.FuncEvaluations
	fit.Status = res.Status.String()
	if err != nil {
		fit.Status += ": " + err.Error()
	}
	u := res.X[0]
	if f, _ := nll(u); math.Abs(u) <= maxLogTemperature && f < before {
		fit.T, fit.NLLAfter = math.Exp(u), f
	}
	return fit, nil
}

// temperatureNLL returns the mean NLL of y under logits/T, T = e^u, and
// its derivative with respect to u, computed stably from the logits (no
// probability floor: the exact NLL of the model).
func temperatureNLL(logits []float64, y []int, outputs int, sigmoid bool, u float64) (f, df float64) {
	inv := math.Exp(-u)
	n := len(y)
	switch {
	case outputs == 1:
		for i, c := range y {
			z := logits[i] * inv
			// −log σ(z) = softplus(−z) for a positive, softplus(z) for a
			// negative; ∂/∂z = σ(z) − y.
			s := z
			if c == 1 {
				s = -z
			}
			f += logistic.Softplus(s)
			df += -(logistic.Sigmoid(z) - float64(c)) * z
		}
	case sigmoid:
		for i, c := range y {
			row := logits[i*outputs : (i+1)*outputs]
			// p_c = σ(z_c)/S, S = Σ_k σ(z_k): −log p_y = softplus(−z_y) + log S;
			// ∂/∂z_c = −(1 − σ(z_y))·1[c = y] + σ(z_c)(1 − σ(z_c))/S.
			var logS float64
			lse := math.Inf(-1)
			for _, v := range row {
				lse = logAddExp(lse, -logistic.Softplus(-v*inv)) // log σ(z) = −softplus(−z)
			}
			logS = lse
			f += logistic.Softplus(-row[c]*inv) + logS
			for k, v := range row {
				z := v * inv
				s := logistic.Sigmoid(z)
				g := s * (1 - s) / math.Exp(logS)
				if k == c {
					g -= 1 - s
				}
				df += -g * z
			}
		}
	default:
		for i, c := range y {
			row := logits[i*outputs : (i+1)*outputs]
			m := math.Inf(-1)
			for _, v := range row {
				m = max(m, v*inv)
			}
			var s float64
			for _, v := range row {
				s += math.Exp(v*inv - m)
			}
			lse := m + math.Log(s)
			f += lse - row[c]*inv
			// ∂/∂z_k = p_k − 1[k = y].
			for k, v := range row {
				z := v * inv
				g := math.Exp(z - lse)
				if k == c {
					g--
				}
				df += -g * z
			}
		}
	}
	return f / float64(n), df / float64(n)
}

// logAddExp returns log(eᵃ + eᵇ).
func logAddExp(a, b float64) float64 {
	if math.IsInf(a, -1) {
		return b
	}
	if a < b {
		a, b = b, a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// scaleLogits returns the logits divided by t.
func scaleLogits[T float32 | float64](logits []T, t float64) []float64 {
	out := make([]float64, len(logits))
	for i, v := range logits {
		out[i] = float64(v) / t
	}
	return out
}

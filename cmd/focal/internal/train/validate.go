package train

import (
	"math"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
	"github.com/focalgo/focal/cmd/focal/internal/metrics"
)

// validator scores a model on the validation split.
type validator struct {
	set *dataset.Set
	// xs are the split's features standardised as the model's.
	xs  []float32
	obj *objective
	// outputs is the number of logits per example; sigmoid says whether
	// they are sigmoids (binary or one against the rest).
	outputs int
	sigmoid bool
	binary  bool
}

// newValidator prepares val for scoring models like m, trained with spec.
func newValidator(m *Model, spec lossSpec, val *dataset.Set) *validator {
	return &validator{
		set:     val,
		xs:      m.Standardizer.Apply(val.X),
		obj:     newObjective(spec, val.Y),
		outputs: spec.outputs(),
		sigmoid: spec.out != outSoftmax,
		binary:  spec.out == outBinary,
	}
}

// score returns the score of the logits of the split's examples: average
// precision (binary) or balanced accuracy, and the training loss.
func (v *validator) score(logits []float64) (Score, error) {
	l, err := v.obj.eval(logits, nil)
	if err != nil {
		return Score{}, err
	}
	p := probabilities(logits, v.outputs, v.sigmoid && !v.binary)
	if v.binary {
		y := make([]bool, v.set.N)
		for i, c := range v.set.Y {
			y[i] = c == 1
		}
		ap, err := metrics.AveragePrecision(p, y)
		if err != nil {
			return Score{}, err
		}
		return Score{Metric: ap, Loss: l}, nil
	}
	mc, err := metrics.EvaluateMulticlass(p, v.set.Y, v.outputs)
	if err != nil {
		return Score{}, err
	}
	return Score{Metric: mc.BalancedAccuracy, Loss: l}, nil
}

// finite reports whether every value is finite.
func finite(v ...float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

package focalloss

import (
	"math"
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/train/loss"
)

// binaryData returns [n, c] logits, 0/1 targets, per-element weights and
// a mask with some elements off.
func binaryData(seed uint64, n, c int) (x, y, w []float64, mask []bool) {
	rng := newRand(seed, 3)
	for range n * c {
		x = append(x, rng.NormFloat64()*3)
		y = append(y, float64(rng.IntN(2)))
		w = append(w, rng.Float64())
		mask = append(mask, rng.IntN(5) != 0)
	}
	x[0] = 0
	return x, y, w, mask
}

// GoMLX passes extra labels in any order; the loss function must find the
// weights and the mask by dtype.
func TestSigmoidFocalLossFnTakesExtraLabelsInAnyOrder(t *testing.T) {
	const n, c = 6, 4
	x, y, w, mask := binaryData(1, n, c)
	s, o := retinaNet, focal.Options{Reduction: focal.Positives}
	fn := MakeSigmoid(s, o)
	want, wantGrad := coreFamily(t, s, o, x, y, w, not(mask))
	for _, order := range [][]int{{1, 2, 3}, {1, 3, 2}} {
		val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node {
			return fn([]*graph.Node{in[order[0]], in[order[1]], in[order[2]]}, []*graph.Node{in[0]})
		}, x, []int{n, c}, tensorOf(y, n, c), tensorOf(w, n, c), tensorOf(mask, n, c))
		compare(t, "loss", val, want, 0)
		compare(t, "grad", grad, wantGrad, gradAbs)
	}
	// Without extras.
	want, wantGrad = coreFamily(t, s, o, x, y, nil, nil)
	val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return fn(in[1:], in[:1]) }, x, []int{n, c}, tensorOf(y, n, c))
	compare(t, "loss", val, want, 0)
	compare(t, "grad", grad, wantGrad, gradAbs)
}

// BCE is GoMLX's own BinaryCrossentropyLogits, weights and mask included.
func TestBCEEqualsGoMLXBinaryCrossentropyLogits(t *testing.T) {
	const n, c = 7, 3
	x, y, w, mask := binaryData(2, n, c)
	ours := BCE
	for _, name := range []string{"plain", "weights and mask"} {
		extras := []any{tensorOf(y, n, c)}
		if name != "plain" {
			extras = append(extras, tensorOf(w, n, c), tensorOf(mask, n, c))
		}
		got, gotGrad := evalGrad(t, func(in []*graph.Node) *graph.Node { return ours(in[1:], in[:1]) }, x, []int{n, c}, extras...)
		want, wantGrad := evalGrad(t, func(in []*graph.Node) *graph.Node { return loss.BinaryCrossentropyLogits(in[1:], in[:1]) },
			x, []int{n, c}, extras...)
		compare(t, name+" loss", got, want, 0)
		compare(t, name+" grad", gotGrad, wantGrad, gradAbs)
	}
}

func TestBalancedBCEIsFocalWithGammaZero(t *testing.T) {
	const n, c = 5, 2
	x, y, _, mask := binaryData(3, n, c)
	fn := MakeBalancedBCE(0.75)
	val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return fn(in[1:], in[:1]) },
		x, []int{n, c}, tensorOf(y, n, c), tensorOf(mask, n, c))
	want, wantGrad := coreFamily(t, focal.Sigmoid{Alpha: 0.75}, focal.Options{Reduction: focal.Mean}, x, y, nil, not(mask))
	compare(t, "loss", val, want, 0)
	compare(t, "grad", grad, wantGrad, gradAbs)
}

// Every constructor panics on what Validate or ValidateSoftmax reports,
// with an error wrapping the core package's sentinel.
func TestConstructorsRejectBadParameters(t *testing.T) {
	sig, soft := focal.Sigmoid{}, focal.Softmax{}
	mean, sum := focal.Options{}, focal.Options{Reduction: focal.Sum}
	for _, c := range []struct {
		name     string
		make     func()
		validate func() error // nil: the constructor has no Validate
		want     error
	}{
		{"focal γ < 0", func() { MakeSigmoid(focal.Sigmoid{Gamma: -1}, mean) },
			func() error { return Validate(focal.Sigmoid{Gamma: -1}, mean) }, focal.ErrGamma},
		{"focal α > 1", func() { MakeSigmoid(focal.Sigmoid{Alpha: 2}, mean) },
			func() error { return Validate(focal.Sigmoid{Alpha: 2}, mean) }, focal.ErrAlpha},
		{"focal bad reduction", func() { MakeSigmoid(sig, focal.Options{Reduction: 9}) },
			func() error { return Validate(sig, focal.Options{Reduction: 9}) }, focal.ErrReduction},
		{"focal negative normalizer", func() { MakeSigmoid(sig, focal.Options{Normalizer: -1}) },
			func() error { return Validate(sig, focal.Options{Normalizer: -1}) }, focal.ErrNormalizer},
		{"sparse γ < 0", func() { MakeSparse(focal.Sigmoid{Gamma: -1}, mean) }, nil, focal.ErrGamma},
		{"softmax bad reduction", func() { MakeSoftmax(soft, focal.Options{Reduction: -1}) },
			func() error { return ValidateSoftmax(soft, focal.Options{Reduction: -1}) }, focal.ErrReduction},
		{"categorical smoothing 1", func() { MakeCategorical(focal.Softmax{LabelSmoothing: 1}, mean) },
			func() error { return ValidateSoftmax(focal.Softmax{LabelSmoothing: 1}, mean) }, focal.ErrSmoothing},
		{"weights option in a LossFn", func() { MakeSigmoid(sig, mean, Weights(nil)) },
			func() error { return Validate(sig, mean, Weights(nil)) }, focal.ErrWeight},
		{"normalizer with sum", func() { MakeSigmoid(sig, sum, Normalizer{}) },
			func() error { return Validate(sig, sum, Normalizer{}) }, focal.ErrNormalizer},
		{"normalizer and constant normalizer", func() { MakeSoftmax(soft, focal.Options{Normalizer: 3}, Normalizer{Momentum: 0.9}) },
			func() error { return ValidateSoftmax(soft, focal.Options{Normalizer: 3}, Normalizer{Momentum: 0.9}) }, focal.ErrNormalizer},
		{"normalizer momentum 1", func() { MakeSigmoid(sig, mean, Normalizer{Momentum: 1}) },
			func() error { return Validate(sig, mean, Normalizer{Momentum: 1}) }, focal.ErrNormalizer},
		{"normalizer init NaN", func() { MakeCategorical(soft, mean, Normalizer{Init: math.NaN()}) },
			func() error { return ValidateSoftmax(soft, mean, Normalizer{Init: math.NaN()}) }, focal.ErrNormalizer},
		{"normalizer twice", func() { MakeSigmoid(sig, mean, Normalizer{}, Normalizer{}) },
			func() error { return Validate(sig, mean, Normalizer{}, Normalizer{}) }, focal.ErrNormalizer},
		{"class weight < 0", func() { MakeSigmoid(sig, mean, ClassWeights(1, -1)) },
			func() error { return Validate(sig, mean, ClassWeights(1, -1)) }, focal.ErrWeight},
		{"class weights vs per-class α", func() { MakeSoftmax(focal.Softmax{Alpha: []float64{1, 2, 3}}, mean, ClassWeights(1, 2)) },
			func() error {
				return ValidateSoftmax(focal.Softmax{Alpha: []float64{1, 2, 3}}, mean, ClassWeights(1, 2))
			}, focal.ErrWeight},
		{"class axis twice", func() { MakeSoftmax(soft, mean, ClassAxis(1), ClassAxis(1)) },
			func() error { return ValidateSoftmax(soft, mean, ClassAxis(1), ClassAxis(1)) }, focal.ErrLayout},
		{"nil option", func() { MakeFamily(focal.Poly1{}, mean, nil) },
			func() error { return Validate(focal.Poly1{}, mean, nil) }, focal.ErrParam},
		{"balanced α < 0", func() { MakeBalancedBCE(-0.5) }, nil, focal.ErrAlpha},
		{"balanced α = 0", func() { MakeBalancedBCE(0) }, nil, focal.ErrAlpha},
		{"balanced α > 1", func() { MakeBalancedBCE(1.5) }, nil, focal.ErrAlpha},
	} {
		wantErr(t, c.name+": constructor panic", panicErr(c.make), c.want)
		if c.validate != nil {
			wantErr(t, c.name+": Validate", c.validate(), c.want)
		}
	}
}

// An extra label that is neither weights nor a mask is an error of the
// graph's execution, not a silent misuse.
func TestUnknownExtraLabelIsAnError(t *testing.T) {
	fn := BCE
	_, _, err := tryEvalGrad(func(in []*graph.Node) *graph.Node { return fn(in[1:], in[:1]) },
		[]float64{1, 2}, []int{2}, tensorOf([]float64{0, 1}, 2), tensorOf([]int32{1, 1}, 2))
	wantErr(t, "BCE", err, focal.ErrLength)
}

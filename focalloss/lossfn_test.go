package focalloss

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/train/loss"
)

// binaryData returns [n, c] logits, 0/1 targets, per-element weights and
// a mask with some elements off.
func binaryData(seed uint64, n, c int) (x, y, w []float64, mask []bool) {
	rng := rand.New(rand.NewPCG(seed, 3))
	for range n * c {
		x = append(x, rng.NormFloat64()*3)
		y = append(y, float64(rng.IntN(2)))
		w = append(w, rng.Float64())
		mask = append(mask, rng.IntN(5) != 0)
	}
	x[0] = 0
	return x, y, w, mask
}

func not(m []bool) []bool {
	r := make([]bool, len(m))
	for i, v := range m {
		r[i] = !v
	}
	return r
}

// GoMLX passes extra labels in any order; the loss function must find the
// weights and the mask by dtype.
func TestSigmoidFocalLossFnTakesExtraLabelsInAnyOrder(t *testing.T) {
	const n, c = 6, 4
	x, y, w, mask := binaryData(1, n, c)
	s, o := retinaNet, focal.Options{Reduction: focal.Positives}
	fn, err := SigmoidFocal(s, o)
	if err != nil {
		t.Fatal(err)
	}
	want, wantGrad := coreSigmoid(t, s, o, x, y, w, not(mask))
	for _, order := range [][]int{{1, 2, 3}, {1, 3, 2}} {
		val, grad := evalGrad(t, func(in []*Node) *Node {
			return fn([]*Node{in[order[0]], in[order[1]], in[order[2]]}, []*Node{in[0]})
		}, x, []int{n, c}, tensorOf(y, n, c), tensorOf(w, n, c), tensorOf(mask, n, c))
		compare(t, "loss", val, want, 0)
		compare(t, "grad", grad, wantGrad, gradAbs)
	}
	// Without extras.
	want, wantGrad = coreSigmoid(t, s, o, x, y, nil, nil)
	val, grad := evalGrad(t, func(in []*Node) *Node { return fn(in[1:], in[:1]) }, x, []int{n, c}, tensorOf(y, n, c))
	compare(t, "loss", val, want, 0)
	compare(t, "grad", grad, wantGrad, gradAbs)
}

// BCE is GoMLX's own BinaryCrossentropyLogits, weights and mask included.
func TestBCEEqualsGoMLXBinaryCrossentropyLogits(t *testing.T) {
	const n, c = 7, 3
	x, y, w, mask := binaryData(2, n, c)
	ours := BCE()
	for _, name := range []string{"plain", "weights and mask"} {
		extras := []any{tensorOf(y, n, c)}
		if name != "plain" {
			extras = append(extras, tensorOf(w, n, c), tensorOf(mask, n, c))
		}
		got, gotGrad := evalGrad(t, func(in []*Node) *Node { return ours(in[1:], in[:1]) }, x, []int{n, c}, extras...)
		want, wantGrad := evalGrad(t, func(in []*Node) *Node { return loss.BinaryCrossentropyLogits(in[1:], in[:1]) },
			x, []int{n, c}, extras...)
		compare(t, name+" loss", got, want, 0)
		compare(t, name+" grad", gotGrad, wantGrad, gradAbs)
	}
}

func TestBalancedBCEIsFocalWithGammaZero(t *testing.T) {
	const n, c = 5, 2
	x, y, _, mask := binaryData(3, n, c)
	fn, err := BalancedBCE(0.75)
	if err != nil {
		t.Fatal(err)
	}
	val, grad := evalGrad(t, func(in []*Node) *Node { return fn(in[1:], in[:1]) },
		x, []int{n, c}, tensorOf(y, n, c), tensorOf(mask, n, c))
	want, wantGrad := coreSigmoid(t, focal.Sigmoid{Alpha: 0.75}, focal.Options{Reduction: focal.Mean}, x, y, nil, not(mask))
	compare(t, "loss", val, want, 0)
	compare(t, "grad", grad, wantGrad, gradAbs)
}

func TestConstructorsRejectBadParameters(t *testing.T) {
	for _, c := range []struct {
		name string
		err  func() error
		want error
	}{
		{"focal γ < 0", func() error { _, err := SigmoidFocal(focal.Sigmoid{Gamma: -1}, focal.Options{}); return err }, focal.ErrGamma},
		{"focal α > 1", func() error { _, err := SigmoidFocal(focal.Sigmoid{Alpha: 2}, focal.Options{}); return err }, focal.ErrAlpha},
		{"focal bad reduction", func() error {
			_, err := SigmoidFocal(focal.Sigmoid{}, focal.Options{Reduction: 9})
			return err
		}, focal.ErrReduction},
		{"focal negative normalizer", func() error {
			_, err := SigmoidFocal(focal.Sigmoid{}, focal.Options{Normalizer: -1})
			return err
		}, focal.ErrNormalizer},
		{"softmax bad reduction", func() error {
			_, err := SoftmaxFocal(focal.Softmax{}, focal.Options{Reduction: -1})
			return err
		}, focal.ErrReduction},
		{"balanced α < 0", func() error { _, err := BalancedBCE(-0.5); return err }, focal.ErrAlpha},
		{"balanced α = 0", func() error { _, err := BalancedBCE(0); return err }, focal.ErrAlpha},
		{"balanced α > 1", func() error { _, err := BalancedBCE(1.5); return err }, focal.ErrAlpha},
	} {
		if err := c.err(); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
	}
}

// An extra label that is neither weights nor a mask is an error of the
// graph's execution, not a silent misuse.
func TestUnknownExtraLabelIsAnError(t *testing.T) {
	fn := BCE()
	_, _, err := tryEvalGrad(func(in []*Node) *Node { return fn(in[1:], in[:1]) },
		[]float64{1, 2}, []int{2}, tensorOf([]float64{0, 1}, 2), tensorOf([]int32{1, 1}, 2))
	if !errors.Is(err, focal.ErrLength) {
		t.Errorf("error %v, want %v", err, focal.ErrLength)
	}
}

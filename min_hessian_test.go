package focal_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/focalgo/focal"
)

// floorCase is one fused pass run twice, without and with a floor on the
// Hessian; counted[i] says whether logit i belongs to an element,
// row or position that counts (not ignored, weight not 0).
type floorCase[T focal.Float] struct {
	name    string
	n       int
	counted []bool
	run     func(o focal.Options, out focal.Outputs[T]) error
}

// checkFloor runs c with Options{Reduction: red} and again with a
// MinHessian of a third of the largest counted Hessian, and
// checks that the floored Hessian is max(h, floor) where counted and 0
// elsewhere, with loss and gradient unchanged. It returns how many counted
// Hessians were raised and how many kept.
func checkFloor[T focal.Float](t *testing.T, c floorCase[T], red focal.Reduction, clip bool) (raised, kept int) {
	t.Helper()
	outs := func() focal.Outputs[T] {
		return focal.Outputs[T]{Loss: make([]T, c.n), Grad: make([]T, c.n), Hess: make([]T, c.n)}
	}
	exact := outs()
	if err := c.run(focal.Options{Reduction: red}, exact); err != nil {
		t.Fatal(err)
	}
	hi := math.Inf(-1)
	for i, h := range exact.Hess {
		if c.counted[i] {
			hi = max(hi, float64(h))
		}
	}
	floor := float64(T(hi / 3))
	got := outs()
	if err := c.run(focal.Options{Reduction: red, ClipHessian: clip, MinHessian: floor}, got); err != nil {
		t.Fatal(err)
	}
	for i := range got.Hess {
		want := T(0)
		if c.counted[i] {
			want = max(exact.Hess[i], T(floor))
			if exact.Hess[i] < T(floor) {
				raised++
			} else {
				kept++
			}
		} else if exact.Hess[i] != 0 {
			t.Errorf("%s/%v: exact Hessian of uncounted logit %d = %v, want 0", c.name, red, i, exact.Hess[i])
		}
		if got.Hess[i] != want {
			t.Errorf("%s/%v/clip=%v: hess[%d] = %v with MinHessian %v, want %v (exact %v)", c.name, red, clip, i, got.Hess[i], floor, want, exact.Hess[i])
		}
		if got.Grad[i] != exact.Grad[i] {
			t.Errorf("%s/%v: MinHessian changed grad[%d] from %v to %v", c.name, red, i, exact.Grad[i], got.Grad[i])
		}
	}
	for i := range got.Loss {
		if got.Loss[i] != exact.Loss[i] && !(got.Loss[i] != got.Loss[i] && exact.Loss[i] != exact.Loss[i]) {
			t.Errorf("%s/%v: MinHessian changed loss[%d] from %v to %v", c.name, red, i, exact.Loss[i], got.Loss[i])
		}
	}
	return raised, kept
}

// floorCases are Loss with the vectorized member Sigmoid and the Go
// members Poly1 and Gaussian (weights with zeros and an ignore mask),
// SparseLoss (background and ignored rows) and SoftmaxLoss (an ignored
// label, a zero weight, with and without a γ schedule, NCHW).
func floorCases[T focal.Float]() []floorCase[T] {
	const n = 96
	x, y, w := make([]T, n), make([]T, n), make([]T, n)
	ign, counted := make([]bool, n), make([]bool, n)
	for i := range x {
		x[i] = T(float64(i)/6 - 8)
		y[i] = T(i % 2)
		w[i] = T(1 + i%3)
		if i%11 == 4 {
			w[i] = 0
		}
		ign[i] = i%13 == 7
		counted[i] = w[i] != 0 && !ign[i]
	}
	in := focal.Input[T]{Logits: x, Targets: y, Weights: w, Ignore: ign}
	elementwise := func(name string, m focal.Member) floorCase[T] {
		return floorCase[T]{name, n, counted, func(o focal.Options, out focal.Outputs[T]) error {
			_, err := focal.Loss(m, o, out, in)
			return err
		}}
	}

	const C = 4
	labels := make([]int, n/C)
	sparseCounted := make([]bool, n)
	for r := range labels {
		switch r % 4 {
		case 0:
			labels[r] = focal.Background
		case 3:
			labels[r] = focal.IgnoreLabel
		default:
			labels[r] = r % C
		}
		for c := range C {
			sparseCounted[r*C+c] = labels[r] != focal.IgnoreLabel
		}
	}
	sparse := floorCase[T]{"sparse", n, sparseCounted, func(o focal.Options, out focal.Outputs[T]) error {
		_, err := focal.SparseLoss(focal.Sigmoid{Alpha: 0.25, Gamma: 2}, o, out, focal.SparseInput[T, int]{Logits: x, Classes: C, Labels: labels})
		return err
	}}

	lay := focal.ClassSecond(2, C, n/(2*C)) // [2, 4, 12]
	posLabels, posW := make([]int, lay.Labels()), make([]T, lay.Labels())
	softCounted := make([]bool, n)
	for j := range posLabels {
		posLabels[j], posW[j] = (j*7)%C, T(0.5+float64(j%3))
		switch j % 9 {
		case 2:
			posLabels[j] = focal.DefaultIgnoreIndex
		case 5:
			posW[j] = 0
		}
		for c := range C {
			softCounted[(j/lay.Inner*C+c)*lay.Inner+j%lay.Inner] = posLabels[j] != focal.DefaultIgnoreIndex && posW[j] != 0
		}
	}
	softmax := func(name string, s focal.Softmax) floorCase[T] {
		return floorCase[T]{name, n, softCounted, func(o focal.Options, out focal.Outputs[T]) error {
			out.Loss = out.Loss[:lay.Labels()]
			_, err := focal.SoftmaxLoss(s, o, out, focal.SoftmaxInput[T, int]{Logits: x, Layout: lay, Labels: posLabels, Weights: posW})
			return err
		}}
	}
	return []floorCase[T]{
		elementwise("sigmoid", focal.Sigmoid{Alpha: 0.25, Gamma: 2}),
		elementwise("poly1", focal.Poly1{Alpha: 0.25, Gamma: 2, Epsilon: 1}),
		elementwise("gaussian", focal.Gaussian{Gamma: 2, Beta: 4}),
		sparse,
		softmax("softmax", focal.Softmax{Gamma: 2, IgnoreIndex: focal.DefaultIgnoreIndex}),
		softmax("softmax-flsd53", focal.Softmax{Schedule: focal.FLSD53(), IgnoreIndex: focal.DefaultIgnoreIndex}),
	}
}

// TestMinHessianFloorsCountedElementsOnly checks that a positive
// MinHessian raises the Hessian of every counted element to at least the
// floor, with or without ClipHessian, for every reduction, in float64 and
// float32, while ignored and zero-weight elements keep a Hessian of 0 and
// the loss and gradient do not change.
func TestMinHessianFloorsCountedElementsOnly(t *testing.T) {
	run := func(t *testing.T, name string, check func(red focal.Reduction, clip bool) (int, int)) {
		for _, red := range []focal.Reduction{focal.Mean, focal.Sum, focal.Positives, focal.None} {
			for _, clip := range []bool{false, true} {
				if raised, kept := check(red, clip); raised == 0 || kept == 0 {
					t.Errorf("%s/%v: the floor raised %d and kept %d Hessians; the case tests nothing", name, red, raised, kept)
				}
			}
		}
	}
	for _, c := range floorCases[float64]() {
		t.Run(c.name+"/float64", func(t *testing.T) {
			run(t, c.name, func(red focal.Reduction, clip bool) (int, int) { return checkFloor(t, c, red, clip) })
		})
	}
	for _, c := range floorCases[float32]() {
		t.Run(c.name+"/float32", func(t *testing.T) {
			run(t, c.name, func(red focal.Reduction, clip bool) (int, int) { return checkFloor(t, c, red, clip) })
		})
	}
}

// TestBadMinHessianIsRefused checks that a negative, NaN or infinite
// MinHessian is an error wrapping ErrParam and naming it, from every entry
// point, with nothing written.
func TestBadMinHessianIsRefused(t *testing.T) {
	for _, bad := range []float64{-1e-3, math.NaN(), math.Inf(1)} {
		for _, c := range floorCases[float64]() {
			out := focal.Outputs[float64]{Loss: make([]float64, c.n), Grad: make([]float64, c.n), Hess: make([]float64, c.n)}
			for i := range c.n {
				out.Loss[i], out.Grad[i], out.Hess[i] = 7, 7, 7
			}
			err := c.run(focal.Options{MinHessian: bad}, out)
			if !errors.Is(err, focal.ErrParam) || !strings.Contains(err.Error(), "min hessian") {
				t.Errorf("%s: MinHessian %v gives error %v, want ErrParam naming min hessian", c.name, bad, err)
			}
			for i := range c.n {
				if out.Loss[i] != 7 || out.Grad[i] != 7 || out.Hess[i] != 7 {
					t.Fatalf("%s: MinHessian %v: outputs written on error", c.name, bad)
				}
			}
		}
	}
}

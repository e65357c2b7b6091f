package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/focalgo/focal"
)

func parseOne(t *testing.T, name string, p LossParams) Loss {
	t.Helper()
	ls, err := ParseLosses(name, p)
	if err != nil {
		t.Fatal(err)
	}
	return ls[0]
}

func randomLogits(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0))
	x := make([]float64, n)
	for i := range x {
		x[i] = 3 * rng.NormFloat64()
	}
	return x
}

// TestPerClassAlphaIsTheBinaryAlpha: --alpha 0.75,0.25 (the negatives'
// weight, then the positives') is focal loss with α = 0.25, in value and
// gradient.
func TestPerClassAlphaIsTheBinaryAlpha(t *testing.T) {
	p := DefaultLossParams()
	p.Alpha = 0.25
	scalar := parseOne(t, "focal", p)
	p.Alpha, p.Alphas = math.NaN(), []float64{0.75, 0.25}
	perClass := parseOne(t, "focal", p)
	if got := perClass.Label(true); got != "focal α=0.75,0.25 γ=2" {
		t.Errorf("label %q", got)
	}
	y := []int{0, 1, 1, 0, 0, 0, 1, 0}
	x := randomLogits(len(y), 1)
	var vals [2]float64
	var grads [2][]float64
	for i, l := range []Loss{scalar, perClass} {
		s, err := l.spec(true, []int{5, 3})
		if err != nil {
			t.Fatal(err)
		}
		grads[i] = make([]float64, len(y))
		if vals[i], err = newObjective(s, y).eval(x, grads[i]); err != nil {
			t.Fatal(err)
		}
	}
	if math.Abs(vals[0]-vals[1]) > 1e-15 || !near(grads[0], grads[1], 1e-15) {
		t.Errorf("α = 0.25: %v %v; α = 0.75,0.25: %v %v", vals[0], grads[0], vals[1], grads[1])
	}
}

func near(a, b []float64, tol float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol*(1+math.Abs(a[i])) {
			return false
		}
	}
	return len(a) == len(b)
}

// TestClassBalancedWeightsEnterEveryForm: a cb- loss weighs each example
// of class c by the core's ClassBalancedWeights(β, counts)[c] in place of
// α: per example for a sigmoid, as Softmax.Alpha for a softmax; and the
// one-against-the-rest sigmoid loss of a row is the sum over its C outputs,
// averaged over the rows, as in Cui et al.'s code.
func TestClassBalancedWeightsEnterEveryForm(t *testing.T) {
	counts := []int{50, 20, 5}
	want, err := focal.ClassBalancedWeights(0.99, []int64{50, 20, 5})
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultLossParams()
	p.Beta = 0.99
	softmax, err := parseOne(t, "cb-focal", p).spec(false, counts)
	if err != nil {
		t.Fatal(err)
	}
	if softmax.out != outSoftmax || !slices.Equal(softmax.softmax.Alpha, want) || softmax.softmax.Gamma != 2 {
		t.Errorf("softmax cb-focal: %+v, want α %v, γ 2", softmax.softmax, want)
	}
	l := parseOne(t, "cb-focal-sigmoid", p)
	if got := l.Label(false); got != "cb-focal β=0.99 γ=2 (sigmoid)" {
		t.Errorf("label %q", got)
	}
	sig, err := l.spec(false, counts)
	if err != nil {
		t.Fatal(err)
	}
	if sig.out != outSigmoid || !slices.Equal(sig.classW, want) || sig.member != focal.Member(focal.Sigmoid{Gamma: 2}) {
		t.Fatalf("sigmoid cb-focal: %+v", sig)
	}
	y := []int{0, 2, 1, 0}
	x := randomLogits(len(y)*3, 2)
	got, err := newObjective(sig, y).eval(x, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for i, c := range y {
		for k := range 3 {
			target := 0.0
			if k == c {
				target = 1
			}
			l, _, _ := focal.Sigmoid{Gamma: 2}.Elem(x[i*3+k], target)
			sum += want[c] * l
		}
	}
	if math.Abs(got-sum/4) > 1e-14 {
		t.Errorf("objective %v, by hand %v", got, sum/4)
	}
}

// TestGraphLossIsTheObjective: the GoMLX loss an MLP trains on and the Go
// objective that scores the validation split (and drives L-BFGS) are the
// same function of the logits, class weights and all.
func TestGraphLossIsTheObjective(t *testing.T) {
	be, err := backend()
	if err != nil {
		t.Fatal(err)
	}
	y := []int{0, 2, 1, 0, 2, 2}
	counts := []int{2, 1, 3}
	p := DefaultLossParams()
	p.Alphas = []float64{0.5, 2, 1}
	for _, name := range []string{"cb-focal-sigmoid", "balanced-sigmoid", "focal", "cb-bce", "poly1-sigmoid", "bce", "bce:ls=0.1", "focal:gamma=1:ls=0.05", "flsd", "cb-focal:ls=0.2"} {
		t.Run(name, func(t *testing.T) {
			spec, err := parseOne(t, name, p).spec(false, counts)
			if err != nil {
				t.Fatal(err)
			}
			k := spec.outputs()
			x := randomLogits(len(y)*k, 3)
			want, err := newObjective(spec, y).eval(x, nil)
			if err != nil {
				t.Fatal(err)
			}
			fn, err := spec.lossFn()
			if err != nil {
				t.Fatal(err)
			}
			labels := batchLabels(spec, y, []int{0, 1, 2, 3, 4, 5})
			exec, err := graph.NewExec(be, func(in []*graph.Node) *graph.Node {
				l := fn(in[1:], in[:1])
				if !l.Shape().IsScalar() {
					l = graph.ReduceAllMean(l)
				}
				return l
			})
			if err != nil {
				t.Fatal(err)
			}
			x32 := make([]float32, len(x))
			for i, v := range x {
				x32[i] = float32(v)
			}
			args := []any{tensors.FromFlatDataAndDimensions(x32, len(y), k)}
			for _, l := range labels {
				args = append(args, l)
			}
			out, err := exec.Call(args...)
			if err != nil {
				t.Fatal(err)
			}
			got := float64(out[0].Value().(float32))
			if math.Abs(got-want) > 1e-5*math.Abs(want) {
				t.Errorf("graph %v, objective %v", got, want)
			}
		})
	}
}

package focal_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
)

// TestTotalValueDividesByItsReductionsDivisor checks Value for every
// reduction, with and without a Normalizer: Mean divides by Count,
// Positives by max(1, Positives), Sum and None by 1, and a positive
// Normalizer replaces the divisor of Mean and Positives only.
func TestTotalValueDividesByItsReductionsDivisor(t *testing.T) {
	cases := []struct {
		tot  focal.Total
		want float64
	}{
		{focal.Total{Sum: 6, Count: 4, Positives: 2, Reduction: focal.Mean}, 1.5},
		{focal.Total{Sum: 6, Count: 4, Positives: 2, Reduction: focal.Positives}, 3},
		{focal.Total{Sum: 6, Count: 4, Positives: 2, Reduction: focal.Sum}, 6},
		{focal.Total{Sum: 6, Count: 4, Positives: 2, Reduction: focal.None}, 6},
		{focal.Total{Sum: 6, Count: 4, Positives: 2, Reduction: focal.Mean, Normalizer: 8}, 0.75},
		{focal.Total{Sum: 6, Count: 4, Positives: 2, Reduction: focal.Positives, Normalizer: 8}, 0.75},
		{focal.Total{Sum: 6, Count: 4, Positives: 2, Reduction: focal.Sum, Normalizer: 8}, 6},
		{focal.Total{Sum: 6, Count: 4, Positives: 2, Reduction: focal.None, Normalizer: 8}, 6},
		{focal.Total{Sum: 6, Count: 4, Positives: 0, Reduction: focal.Positives}, 6},
		{focal.Total{Reduction: focal.Mean}, 0}, // an all-ignored batch
	}
	for _, c := range cases {
		if got := c.tot.Value(); got != c.want {
			t.Errorf("%+v.Value() = %v, want %v", c.tot, got, c.want)
		}
	}
}

// TestTotalCarriesTheOptions checks that a call's Total holds its
// Reduction and Normalizer, that its Value is the sum over the
// Normalizer, and that the gradient is that of the sum over the
// Normalizer too.
func TestTotalCarriesTheOptions(t *testing.T) {
	x, y := hardBatch(61, 50)
	s := focal.Sigmoid{Alpha: 0.25, Gamma: 2}
	sumGrad := make([]float64, len(x))
	st, err := focal.Loss(s, focal.Options{Reduction: focal.Sum}, focal.Outputs[float64]{Grad: sumGrad}, focal.Input[float64]{Logits: x, Targets: y})
	if err != nil {
		t.Fatal(err)
	}
	for _, red := range []focal.Reduction{focal.Mean, focal.Positives} {
		o := focal.Options{Reduction: red, Normalizer: 7}
		g := make([]float64, len(x))
		tot, err := focal.Loss(s, o, focal.Outputs[float64]{Grad: g}, focal.Input[float64]{Logits: x, Targets: y})
		if err != nil {
			t.Fatal(err)
		}
		if tot.Reduction != red || tot.Normalizer != 7 || !closeTo(tot.Value(), st.Sum/7, 1e-15) {
			t.Errorf("%v: Total %+v, Value %v; want reduction %v, normalizer 7, value %v", red, tot, tot.Value(), red, st.Sum/7)
		}
		for i := range g {
			if !closeTo(g[i], sumGrad[i]/7, 1e-15) {
				t.Errorf("%v: grad[%d] = %v with normalizer 7, want %v", red, i, g[i], sumGrad[i]/7)
			}
		}
	}
}

// TestShardsMergeToTheWholeForEveryForm checks, for SparseLoss and
// SoftmaxLoss and every reduction, that the merged Totals of three shards
// have the whole batch's counts and Value, and that each shard's gradient
// with the merged divisor as Normalizer is the whole batch's gradient.
func TestShardsMergeToTheWholeForEveryForm(t *testing.T) {
	const rows, C = 301, 6
	rng := rand.New(rand.NewPCG(63, 64))
	x := normals(rng, rows*C, 4)
	sparse, classes := make([]int32, rows), make([]int32, rows)
	for r := range rows {
		classes[r] = int32(rng.IntN(C))
		switch k := rng.IntN(10); {
		case k < 6:
			sparse[r] = focal.Background
		case k < 7:
			sparse[r] = focal.IgnoreLabel
			classes[r] = focal.DefaultIgnoreIndex
		default:
			sparse[r] = classes[r]
		}
	}
	forms := []struct {
		name string
		run  func(o focal.Options, grad []float64, lo, hi int) (focal.Total, error)
	}{
		{"sparse", func(o focal.Options, grad []float64, lo, hi int) (focal.Total, error) {
			return focal.SparseLoss(focal.Sigmoid{Alpha: 0.25, Gamma: 2}, o, focal.Outputs[float64]{Grad: grad},
				focal.SparseInput[float64, int32]{Logits: x[lo*C : hi*C], Classes: C, Labels: sparse[lo:hi]})
		}},
		{"softmax", func(o focal.Options, grad []float64, lo, hi int) (focal.Total, error) {
			return focal.SoftmaxLoss(focal.Softmax{Gamma: 2, IgnoreIndex: focal.DefaultIgnoreIndex}, o, focal.Outputs[float64]{Grad: grad},
				focal.SoftmaxInput[float64, int32]{Logits: x[lo*C : hi*C], Layout: focal.ClassLast(hi-lo, C), Labels: classes[lo:hi]})
		}},
	}
	cuts := []int{0, 100, 101, rows}
	for _, f := range forms {
		for _, red := range []focal.Reduction{focal.Mean, focal.Sum, focal.Positives, focal.None} {
			t.Run(fmt.Sprintf("%s/%v", f.name, red), func(t *testing.T) {
				o := focal.Options{Reduction: red}
				whole := make([]float64, len(x))
				wt, err := f.run(o, whole, 0, rows)
				if err != nil {
					t.Fatal(err)
				}
				var shards []focal.Total
				for i := 1; i < len(cuts); i++ {
					st, err := f.run(o, nil, cuts[i-1], cuts[i])
					if err != nil {
						t.Fatal(err)
					}
					shards = append(shards, st)
				}
				merged := mergeAll(shards)
				if merged.Count != wt.Count || merged.Positives != wt.Positives || !closeTo(merged.Value(), wt.Value(), 1e-12) {
					t.Fatalf("merged %+v (%v), whole %+v (%v)", merged, merged.Value(), wt, wt.Value())
				}
				o.Normalizer = divisorOf(merged)
				g := make([]float64, len(x))
				for i := 1; i < len(cuts); i++ {
					if _, err := f.run(o, g[cuts[i-1]*C:cuts[i]*C], cuts[i-1], cuts[i]); err != nil {
						t.Fatal(err)
					}
				}
				for i := range g {
					if !closeTo(g[i], whole[i], 1e-15) {
						t.Fatalf("grad[%d] = %v from shards, %v whole", i, g[i], whole[i])
					}
				}
			})
		}
	}
}

// TestMergePanicsOnDifferentOptions checks that Totals of calls with
// different reductions or normalizers do not merge, and that Totals with
// the same ones add up.
func TestMergePanicsOnDifferentOptions(t *testing.T) {
	mean := focal.Total{Sum: 1, Count: 2, Positives: 1, Reduction: focal.Mean}
	for _, other := range []focal.Total{
		{Sum: 1, Count: 2, Positives: 1, Reduction: focal.Sum},
		{Sum: 1, Count: 2, Positives: 1, Reduction: focal.Positives},
		{Sum: 1, Count: 2, Positives: 1, Reduction: focal.None},
		{Sum: 1, Count: 2, Positives: 1, Reduction: focal.Mean, Normalizer: 3},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("merging %+v with %+v did not panic", mean, other)
				}
			}()
			mean.Merge(other)
		}()
	}
	sum := mean.Merge(focal.Total{Sum: 2.5, Count: 3, Positives: 2, Reduction: focal.Mean})
	if want := (focal.Total{Sum: 3.5, Count: 5, Positives: 3, Reduction: focal.Mean}); sum != want {
		t.Errorf("Merge = %+v, want %+v", sum, want)
	}
}

// TestDivisorAndMergeFromZero: Divisor is what Value divides by (the
// Normalizer when set), and the zero Total is the empty shard, so that
// shards merge into a zero-valued variable for every reduction.
func TestDivisorAndMergeFromZero(t *testing.T) {
	x := []float64{3, -2, 0.5, -4, 1, 0}
	y := []float64{1, 0, 0, 1, 0, 0}
	for _, r := range []focal.Reduction{focal.Mean, focal.Sum, focal.Positives, focal.None} {
		o := focal.Options{Reduction: r}
		var merged focal.Total
		for lo := 0; lo < len(x); lo += 2 {
			tot, err := focal.Loss(focal.Sigmoid{Alpha: 0.25, Gamma: 2}, o, focal.Outputs[float64]{},
				focal.Input[float64]{Logits: x[lo : lo+2], Targets: y[lo : lo+2]})
			if err != nil {
				t.Fatal(err)
			}
			merged = merged.Merge(tot)
		}
		whole, err := focal.Loss(focal.Sigmoid{Alpha: 0.25, Gamma: 2}, o, focal.Outputs[float64]{},
			focal.Input[float64]{Logits: x, Targets: y})
		if err != nil {
			t.Fatal(err)
		}
		if merged.Count != whole.Count || merged.Positives != whole.Positives || merged.Reduction != r ||
			math.Abs(merged.Value()-whole.Value()) > 1e-15*whole.Value() {
			t.Errorf("%v: merged from zero %+v, whole %+v", r, merged, whole)
		}
		if got, want := whole.Divisor(), divisorOf(whole); got != want {
			t.Errorf("%v: Divisor() = %v, want %v", r, got, want)
		}
		if got := whole.Sum / whole.Divisor(); got != whole.Value() {
			t.Errorf("%v: Sum/Divisor() = %v, Value() = %v", r, got, whole.Value())
		}
	}
	n := focal.Total{Sum: 6, Count: 3, Positives: 1, Reduction: focal.Positives, Normalizer: 4}
	if n.Divisor() != 4 || n.Value() != 1.5 {
		t.Errorf("with Normalizer 4: Divisor %v, Value %v; want 4, 1.5", n.Divisor(), n.Value())
	}
}

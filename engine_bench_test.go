package focal_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
)

// BenchmarkEngine covers the engine's matrix: sigmoid, sparse (C = 80) and
// softmax (C = 80); float32 and float64; loss, loss+grad and
// loss+grad+Hessian; the tutorial's 196 608 elements and 8 000 000. It reports
// ns per logit (ns/elem); bytes are the logits and outputs streamed.
//
//	go test -run '^$' -bench Engine -benchtime 20x .
func BenchmarkEngine(b *testing.B) {
	for _, n := range []int{196_608, 8_000_000} {
		benchEngine[float32](b, n)
		benchEngine[float64](b, n)
	}
}

func benchEngine[T focal.Float](b *testing.B, n int) {
	const classes = 80
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := make([]T, n), make([]T, n)
	for i := range x {
		x[i] = T(rng.NormFloat64() * 3)
		if rng.IntN(100) == 0 {
			y[i] = 1
		}
	}
	rows := n / classes
	sparse, hard := make([]int32, rows), make([]int32, rows)
	for i := range sparse {
		hard[i] = int32(rng.IntN(classes))
		sparse[i] = focal.Background
		if rng.IntN(20) == 0 {
			sparse[i] = hard[i]
		}
	}
	loss, grad, hess := make([]T, n), make([]T, n), make([]T, n)
	outs := []struct {
		name string
		out  focal.Outputs[T]
	}{
		{"loss", focal.Outputs[T]{Loss: loss}},
		{"loss+grad", focal.Outputs[T]{Loss: loss, Grad: grad}},
		{"loss+grad+hess", focal.Outputs[T]{Loss: loss, Grad: grad, Hess: hess}},
	}
	var zero T
	size := int(unsafeSizeof(zero))
	paper := focal.Sigmoid{Alpha: 0.25, Gamma: 2}
	softmax := focal.Softmax{Gamma: 2, IgnoreIndex: focal.DefaultIgnoreIndex}
	forms := []struct {
		name string
		run  func(o focal.Outputs[T]) error
	}{
		{"sigmoid", func(o focal.Outputs[T]) error {
			_, err := focal.Loss(paper, positives, o, focal.Input[T]{Logits: x, Targets: y})
			return err
		}},
		{"sparse-C80", func(o focal.Outputs[T]) error {
			_, err := focal.SparseLoss(paper, positives, o, focal.SparseInput[T, int32]{Logits: x[:rows*classes], Classes: classes, Labels: sparse})
			return err
		}},
		{"softmax-C80", func(o focal.Outputs[T]) error {
			o.Loss = o.Loss[:rows]
			_, err := focal.SoftmaxLoss(softmax, focal.Options{}, o, focal.SoftmaxInput[T, int32]{Logits: x[:rows*classes], Layout: focal.ClassLast(rows, classes), Labels: hard})
			return err
		}},
	}
	for _, f := range forms {
		for _, o := range outs {
			b.Run(fmt.Sprintf("%s/%T/%s/n=%d", f.name, zero, o.name, n), func(b *testing.B) {
				streams := 1
				if o.out.Grad != nil {
					streams++
				}
				if o.out.Hess != nil {
					streams++
				}
				b.SetBytes(int64(n * size * (streams + 1)))
				b.ReportAllocs()
				for b.Loop() {
					if err := f.run(o.out); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
			})
		}
	}
}

func unsafeSizeof[T focal.Float](v T) uintptr {
	if _, ok := any(v).(float32); ok {
		return 4
	}
	return 8
}

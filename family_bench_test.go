package focal_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
)

// BenchmarkFamily measures loss + gradient + Hessian (Medium) and loss +
// gradient (MediumGrad, what focal bench times) of each member over
// 196 608 float32 elements (the tutorial's 1×3×256×256) with hard targets,
// ns per element in the ns/op column divided by the size.
func BenchmarkFamily(b *testing.B) {
	const n = 196608
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * 4)
		y[i] = float32(rng.IntN(2))
	}
	out := focal.Outputs[float32]{Loss: make([]float32, n), Grad: make([]float32, n), Hess: make([]float32, n)}
	grad := focal.Outputs[float32]{Loss: out.Loss, Grad: out.Grad}
	in := focal.Input[float32]{Logits: x, Targets: y}
	for _, k := range focal.Kinds() {
		m := k.Default()
		for _, form := range []struct {
			name string
			out  focal.Outputs[float32]
		}{{"Medium", out}, {"MediumGrad", grad}} {
			b.Run(fmt.Sprintf("%s/%s", k, form.name), func(b *testing.B) {
				b.SetBytes(int64(n * 4))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := focal.Loss(m, focal.Options{}, form.out, in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

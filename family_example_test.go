package focal_test

import (
	"fmt"

	"github.com/focalgo/focal"
)

// Each member's loss of a positive predicted at pₜ = ½ (x = 0), with the
// reference defaults; e.g. focal: 0.25·(½)²·log 2, Poly-1: that + 1·(½)³.
func ExampleCurve() {
	for _, k := range focal.Kinds() {
		fmt.Printf("%-9s %.6f\n", k, focal.Curve(k.Default(), 0.5, true))
	}
	// Output:
	// focal     0.043322
	// asl       0.346574
	// flsd      0.086643
	// flstar    0.039158
	// gaussian  0.173287
	// poly1     0.168322
	// qfl       0.173287
	// reduced   0.693147
	// varifocal 0.693147
}

// Asymmetric loss by name, as the command line builds it, over a small
// multi-label batch.
func ExampleNewMember() {
	k, _ := focal.ParseKind("ASL")
	m, err := focal.NewMember(k, map[string]float64{"gamma-neg": 2, "margin": 0})
	if err != nil {
		panic(err)
	}
	x := []float64{0, 0}
	y := []float64{1, 0}
	grad := make([]float64, 2)
	tot, _ := focal.Loss(m, focal.Options{Reduction: focal.Sum}, focal.Outputs[float64]{Grad: grad}, focal.Input[float64]{Logits: x, Targets: y})
	// positive: ½·log 2; negative: ¼·log 2. Detached weights: −½·½, ¼·½.
	fmt.Printf("loss %.6f grad %.4f %.4f\n", tot.Value(), grad[0], grad[1])
	// Output:
	// loss 0.519860 grad -0.2500 0.1250
}

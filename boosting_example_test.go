package focal_test

import (
	"fmt"

	"github.com/focalgo/focal"
)

// Focal loss as a gradient-boosting objective: a boosting library asks, at
// each round, for the gradient and Hessian of the loss of every row with
// respect to its current margin (the logit). Reduction None gives them per
// row (the derivatives of the sum), without α, as the popular boosting
// implementations' focal objectives; the exact Hessian is negative for
// hard examples (focal loss is not convex in the logit there), and a leaf
// weight −G/H needs a positive one: MinHessian floors it. (ClipHessian
// alone floors at 0, which leaves a leaf of hard examples without a
// weight.) docs/boosting.md trains XGBoost with these numbers.
func ExampleLoss_boosting() {
	margins := []float64{-3, -0.5, 0.2, 2.5, -2, 4} // the ensemble's current raw scores
	labels := []float64{1, 1, 0, 1, 0, 0}
	grad, exact, floored := make([]float64, 6), make([]float64, 6), make([]float64, 6)
	in := focal.Input[float64]{Logits: margins, Targets: labels}
	s := focal.Sigmoid{Gamma: 2} // no α
	if _, err := focal.Loss(s, focal.Options{Reduction: focal.None}, focal.Outputs[float64]{Grad: grad, Hess: exact}, in); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := focal.Loss(s, focal.Options{Reduction: focal.None, MinHessian: 1e-6}, focal.Outputs[float64]{Hess: floored}, in); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("margin label      grad       hess    floored")
	for i := range margins {
		fmt.Printf("%6.1f %5.0f %9.5f %10.3g %10.3g\n", margins[i], labels[i], grad[i], exact[i], floored[i])
	}
	// Output:
	// margin label      grad       hess    floored
	//   -3.0     1  -1.12675    -0.0201      1e-06
	//   -0.5     1  -0.52615      0.493      0.493
	//    0.2     0   0.38347       0.45       0.45
	//    2.5     1  -0.00128     0.0035     0.0035
	//   -2.0     0   0.00487     0.0127     0.0127
	//    4.0     0   1.08640    -0.0467      1e-06
}

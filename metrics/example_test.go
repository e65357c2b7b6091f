package metrics_test

import (
	"fmt"

	"github.com/focalgo/focal/metrics"
)

func ExampleEvaluateBinary() {
	p := []float64{0.9, 0.8, 0.7, 0.6, 0.5, 0.4}
	y := []bool{true, false, true, true, false, false}
	r, err := metrics.EvaluateBinary(p, y)
	if err != nil {
		panic(err)
	}
	fmt.Printf("AP %.4f  ROC-AUC %.4f  best F1 %.4f at %.1f\n", r.AveragePrecision, r.ROCAUC, r.BestF1, r.BestF1Threshold)
	// Output:
	// AP 0.8056  ROC-AUC 0.7778  best F1 0.8571 at 0.6
}

func ExampleEvaluateMulticlass() {
	probs := []float64{
		0.7, 0.2, 0.1,
		0.3, 0.6, 0.1,
		0.2, 0.5, 0.3,
	}
	r, err := metrics.EvaluateMulticlass(probs, []int{0, 0, 1}, 3)
	if err != nil {
		panic(err)
	}
	fmt.Printf("accuracy %.3f  balanced %.3f  recall %v\n", r.Accuracy, r.BalancedAccuracy, r.Recall)
	// Output:
	// accuracy 0.667  balanced 0.750  recall [0.5 1 0]
}

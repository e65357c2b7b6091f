package metrics_test

import (
	"fmt"

	"github.com/focalgo/focal/cmd/focal/internal/metrics"
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

func ExampleEvaluateCalibration() {
	probs := []float64{
		0.9, 0.05, 0.05,
		0.25, 0.65, 0.1,
		0.3, 0.6, 0.1,
		0.5, 0.5, 0.0,
		0.1, 0.1, 0.8,
		0.4, 0.35, 0.25,
	}
	r, err := metrics.EvaluateCalibration(probs, []int{0, 1, 0, 1, 2, 0}, 3)
	if err != nil {
		panic(err)
	}
	fmt.Printf("ECE %.4f  adaptive %.4f  class-wise %.4f  MCE %.2f\n", r.ECE, r.AdaptiveECE, r.ClasswiseECE, r.MCE)
	fmt.Printf("NLL %.4f  Brier %.4f\n", r.NLL, r.Brier)
	for _, b := range r.Reliability {
		if b.Count > 0 {
			fmt.Printf("(%.3f, %.3f]  %d  confidence %.2f  accuracy %.0f\n", b.Lo, b.Hi, b.Count, b.Confidence, b.Frequency)
		}
	}
	// Output:
	// ECE 0.3917  adaptive 0.3917  class-wise 0.2722  MCE 0.60
	// NLL 0.5954  Brier 0.3625
	// (0.333, 0.400]  1  confidence 0.40  accuracy 1
	// (0.467, 0.533]  1  confidence 0.50  accuracy 0
	// (0.533, 0.600]  1  confidence 0.60  accuracy 0
	// (0.600, 0.667]  1  confidence 0.65  accuracy 1
	// (0.733, 0.800]  1  confidence 0.80  accuracy 1
	// (0.867, 0.933]  1  confidence 0.90  accuracy 1
}

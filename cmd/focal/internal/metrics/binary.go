package metrics

// Binary is the report of a binary classifier on held-out data.
type Binary struct {
	Count     int `json:"count"`     // examples
	Positives int `json:"positives"` // positive examples

	AveragePrecision float64 `json:"average_precision"`
	ROCAUC           float64 `json:"roc_auc"`
	// BestF1 and RecallAtBestF1 are read at BestF1Threshold, the threshold
	// that maximises F1 on this very data (see BestF1).
	BestF1          float64 `json:"best_f1"`
	RecallAtBestF1  float64 `json:"recall_at_best_f1"`
	BestF1Threshold float64 `json:"best_f1_threshold"`
	// RecallAtPrecision90 is the largest recall with precision ≥ 0.9.
	RecallAtPrecision90 float64 `json:"recall_at_precision_0.9"`
	Brier               float64 `json:"brier"`
	// ECE is the expected calibration error of the positive-class
	// probability over Bins equal-width bins.
	ECE float64 `json:"ece"`
}

// EvaluateBinary scores the positive-class probabilities p against labels
// y (true = positive). Both classes must be present.
func EvaluateBinary(p []float64, y []bool) (Binary, error) {
	if err := checkBinary(p, y); err != nil {
		return Binary{}, err
	}
	var r Binary
	r.Count = len(y)
	for _, v := range y {
		if v {
			r.Positives++
		}
	}
	// The errors below were all ruled out by checkBinary.
	r.AveragePrecision, _ = AveragePrecision(p, y)
	r.ROCAUC, _ = ROCAUC(p, y)
	r.BestF1, r.RecallAtBestF1, r.BestF1Threshold, _ = BestF1(p, y)
	r.RecallAtPrecision90, _ = RecallAtPrecision(p, y, 0.9)
	r.Brier, _ = Brier(p, y)
	r.ECE, _ = ECE(p, y, Bins)
	return r, nil
}

package metrics

// TopLabel returns the top-label form of the row-major N×classes
// probability matrix probs with labels in [0, classes): per example, the
// confidence conf = max_c p_c and whether the prediction argmax_c p_c is
// the label. On ties the prediction is the first (lowest) class of largest
// probability, as numpy's argmax and torch.max take it, so a row
// [0.5, 0.5, 0] predicts class 0. The result feeds ECE, MCE, AdaptiveECE
// and Reliability for the top-label metrics of Guo et al. (2017).
func TopLabel(probs []float64, labels []int, classes int) (conf []float64, correct []bool, err error) {
	if err := checkMatrix(probs, labels, classes); err != nil {
		return nil, nil, err
	}
	conf = make([]float64, len(labels))
	correct = make([]bool, len(labels))
	for i, label := range labels {
		row := probs[i*classes : (i+1)*classes]
		k := argmax(row)
		conf[i], correct[i] = row[k], k == label
	}
	return conf, correct, nil
}

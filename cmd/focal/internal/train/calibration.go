package train

import (
	"github.com/focalgo/focal/cmd/focal/internal/dataset"
	"github.com/focalgo/focal/cmd/focal/internal/metrics"
)

// Calibration is the calibration of one trained model on the test set:
// every metric of metrics.Calibration for the model as trained (Before)
// and, with temperature scaling, after its logits are divided by the
// temperature fitted on the validation split (After, Temperature).
//
// For a multi-class task the binned metrics read the top label; for a
// binary task the positive-class probability.
type Calibration struct {
	Before      metrics.Calibration  `json:"before"`
	After       *metrics.Calibration `json:"after,omitempty"`
	Temperature *TemperatureFit      `json:"temperature,omitempty"`
}

// calibrate reports the calibration of the test probabilities probs of
// the test labels y; with val, it fits a temperature on the validation
// split first, sets it on m and reports the test set again under it
// (probsTS, nil without val).
func calibrate(m *Model, testLogits []float32, probs []float64, y []int, val *dataset.Set) (c *Calibration, probsTS []float64, err error) {
	c = &Calibration{}
	if c.Before, err = calibrationOf(m, probs, y); err != nil {
		return nil, nil, err
	}
	if val == nil {
		return c, nil, nil
	}
	vl, err := m.Logits(val.X, val.N)
	if err != nil {
		return nil, nil, err
	}
	tf, err := FitTemperature(scaleLogits(vl, 1), val.Y, m.Outputs(), m.Output == OutputSigmoid)
	if err != nil {
		return nil, nil, err
	}
	m.Temperature = tf.T
	probsTS = m.probabilities(testLogits, tf.T)
	after, err := calibrationOf(m, probsTS, y)
	if err != nil {
		return nil, nil, err
	}
	c.After, c.Temperature = &after, &tf
	return c, probsTS, nil
}

func calibrationOf(m *Model, probs []float64, y []int) (metrics.Calibration, error) {
	if m.Binary {
		pos := make([]bool, len(y))
		for i, c := range y {
			pos[i] = c == 1
		}
		return metrics.EvaluateBinaryCalibration(probs, pos)
	}
	return metrics.EvaluateCalibration(probs, y, len(m.Classes))
}

package train

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
	"github.com/focalgo/focal/cmd/focal/internal/npy"
	"github.com/focalgo/focal/cmd/focal/internal/output"
)

// PredictFile applies the model saved at modelPath to the features of
// dataSpec (see dataset.LoadFeatures) and writes the probabilities to out:
// an .npy array ([N] for a binary model, the probability of its positive
// class; [N, C] otherwise) when out ends in .npy, else CSV with a header
// p_CLASS per column. It returns the number of rows written. out is
// checked before anything is read, and written whole or not at all (see
// package output).
func PredictFile(modelPath, dataSpec, out string) (int, error) {
	plan := output.NewPlan()
	defer plan.Abort()
	plan.Input("--model", modelPath)
	for _, f := range dataset.Files(dataSpec) {
		plan.Input("--data", f)
	}
	dst := plan.Output("--out", out)
	if err := plan.Check(); err != nil {
		return 0, err
	}
	// The errors of Load and of dataset start with the path at fault.
	m, err := Load(modelPath)
	if err != nil {
		return 0, exitcode.Input(fmt.Errorf("--model %w", err))
	}
	s, err := dataset.LoadFeatures(dataSpec, m.Features)
	if err != nil {
		return 0, exitcode.Input(fmt.Errorf("--data %w", err))
	}
	p, err := m.Predict(s.X, s.N)
	if err != nil {
		return 0, err
	}
	classes := m.Classes
	if m.Binary {
		classes = classes[1:]
	}
	var fill func(w io.Writer) error
	if strings.HasSuffix(strings.ToLower(out), ".npy") {
		fill = func(w io.Writer) error {
			if m.Binary {
				return npy.Write(w, []int{s.N}, p)
			}
			return npy.Write(w, []int{s.N, len(classes)}, p)
		}
	} else {
		fill = func(w io.Writer) error { return writeCSV(w, classes, p) }
	}
	if err := dst.Write(fill); err != nil {
		return 0, err
	}
	if err := plan.Commit(); err != nil {
		return 0, err
	}
	return s.N, nil
}

func writeCSV(w io.Writer, classes []string, p []float64) error {
	bw := bufio.NewWriter(w)
	for j, c := range classes {
		if j > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString(csvField("p_" + c))
	}
	bw.WriteByte('\n')
	c := len(classes)
	var buf []byte
	for i := 0; i < len(p); i += c {
		for j := range c {
			if j > 0 {
				bw.WriteByte(',')
			}
			buf = strconv.AppendFloat(buf[:0], p[i+j], 'g', -1, 64)
			bw.Write(buf)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// csvField quotes a header field when CSV needs it.
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

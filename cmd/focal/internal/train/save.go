package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/focalgo/focal/cmd/focal/internal/infile"
	"github.com/focalgo/focal/cmd/focal/internal/quote"
)

// Save writes m as JSON to w, for Load.
func Save(w io.Writer, m *Model) error {
	return json.NewEncoder(w).Encode(m)
}

// Load reads a model written by Save and checks that its parts fit
// together. Its errors start with the path.
func Load(path string) (*Model, error) {
	f, _, err := infile.Open(path, "a model file")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var m Model
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: not a focal model: empty file", path)
		}
		return nil, fmt.Errorf("%s: not a focal model: %v", path, err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}

func (m *Model) check() error {
	if m.Format != FormatVersion {
		return fmt.Errorf("format %q, want %q", m.Format, FormatVersion)
	}
	f := len(m.Features)
	if f == 0 || len(m.Standardizer.Mean) != f || len(m.Standardizer.Std) != f {
		return fmt.Errorf("%d features but %d means and %d deviations", f, len(m.Standardizer.Mean), len(m.Standardizer.Std))
	}
	if m.Output != "" && (m.Output != OutputSigmoid || m.Binary) {
		return fmt.Errorf("output %q (binary %v)", m.Output, m.Binary)
	}
	// Features are looked up by name in the CSV files predict reads: a
	// name given twice would feed one column into both.
	for i, name := range m.Features {
		if j := slices.Index(m.Features[:i], name); j >= 0 {
			return fmt.Errorf("feature %s appears twice (features %d and %d)", quote.Clip(name), j+1, i+1)
		}
	}
	if len(m.Classes) < 2 || (m.Binary && len(m.Classes) != 2) {
		return fmt.Errorf("%d classes (binary %v)", len(m.Classes), m.Binary)
	}
	if len(m.Layers) != len(m.Hidden)+1 {
		return fmt.Errorf("%d layers for %d hidden", len(m.Layers), len(m.Hidden))
	}
	in := f
	for i, l := range m.Layers {
		want := m.Outputs()
		if i < len(m.Hidden) {
			want = m.Hidden[i]
		}
		if l.In != in || l.Out != want || len(l.W) != l.In*l.Out || len(l.B) != l.Out {
			return fmt.Errorf("layer %d is %d×%d with %d weights and %d biases, want %d×%d", i, l.In, l.Out, len(l.W), len(l.B), in, want)
		}
		in = l.Out
	}
	if t := m.Temperature; !(t >= 0) || math.IsInf(t, 0) {
		return fmt.Errorf("temperature %v, want a finite T > 0 (or none)", t)
	}
	for _, s := range m.Standardizer.Std {
		if !(s > 0) {
			return fmt.Errorf("standard deviation %v", s)
		}
	}
	return nil
}

package train

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/synthetic"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	s := synthetic.Imbalanced(300, 3, 0.1, 2, 1)
	l, _ := ParseLosses("balanced", DefaultLossParams())
	fit, err := Fit(context.Background(), FitConfig{Hidden: []int{4, 3}, Epochs: 1, LR: 1e-2, Batch: 32, Seed: 1, Loss: l[0]}, s, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	fit.Model.Temperature = 1.75 // a temperature-scaled model
	p := filepath.Join(t.TempDir(), "m.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(f, fit.Model); err != nil {
		t.Fatal(err)
	}
	f.Close()
	m, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Layers {
		if !slices.Equal(m.Layers[i].W, fit.Model.Layers[i].W) || !slices.Equal(m.Layers[i].B, fit.Model.Layers[i].B) {
			t.Errorf("layer %d changed in the round trip", i)
		}
	}
	a, _ := fit.Model.Predict(s.X, s.N)
	b, _ := m.Predict(s.X, s.N)
	if !slices.Equal(a, b) || m.Temperature != 1.75 {
		t.Errorf("the loaded model (temperature %v) predicts differently", m.Temperature)
	}
	logits, _ := m.Logits(s.X, s.N)
	if want := probabilities(scaleLogits(logits, 1.75), 1, false); !slices.Equal(b, want) {
		t.Error("the loaded model's probabilities are not those of its logits / T")
	}

	// Corruptions that Load must catch rather than crash on later.
	raw, _ := os.ReadFile(p)
	for _, c := range []struct{ name, from, to string }{
		{"wrong format", FormatVersion, "other/9"},
		{"layer width", `"in":4,"out":3`, `"in":4,"out":5`},
		{"unknown field", `"binary"`, `"bogus":1,"binary"`},
		{"truncated", "", ""},
		{"negative temperature", `"temperature":1.75`, `"temperature":-1`},
	} {
		bad := strings.Replace(string(raw), c.from, c.to, 1)
		if c.name == "truncated" {
			bad = string(raw[:len(raw)/2])
		}
		q := filepath.Join(t.TempDir(), "bad.json")
		os.WriteFile(q, []byte(bad), 0o644)
		if _, err := Load(q); err == nil {
			t.Errorf("%s: loaded", c.name)
		}
	}
}

package train

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/cmd/focal/internal/dataset"
	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
	"github.com/focalgo/focal/cmd/focal/internal/metrics"
	"github.com/focalgo/focal/cmd/focal/internal/synthetic"
)

// threeClasses returns n examples of three overlapping classes (40 %,
// 35 %, 25 %), each shifted along its own feature: a task a small MLP
// learns to an accuracy well short of 1, so that its confidence can be
// wrong.
func threeClasses(n int, seed uint64) *dataset.Set {
	return synthetic.Shifted(n, []string{"x", "y", "z"}, func(i int) int {
		switch r := i % 20; {
		case r >= 15:
			return 2
		case r >= 8:
			return 1
		}
		return 0
	}, 1.2, rand.New(rand.NewPCG(seed, 5)))
}

// TestSmoothingAndScheduleReachTheTrainedLoss: the loss the MLP trains on
// with ce:ls=0.1, flsd or focal:gamma=3 is, at the first step, the core
// package's focal.SoftmaxLoss with that ε, the FLSD-53 schedule or that γ,
// on the same batch (the whole set) and the initial weights; and not that
// of cross-entropy.
func TestSmoothingAndScheduleReachTheTrainedLoss(t *testing.T) {
	s := threeClasses(300, 1)
	hidden := []int{8}
	const seed = 3
	labels := make([]int32, s.N)
	for i, c := range s.Y {
		labels[i] = int32(c)
	}
	// The initial model, built as Fit builds it.
	counts := s.Counts()
	prior := make([]float64, len(counts))
	for i, c := range counts {
		prior[i] = float64(c) / float64(s.N)
	}
	m := &Model{Format: FormatVersion, Classes: s.Classes, Features: s.Features, Hidden: hidden,
		Standardizer: dataset.Fit(s.X, s.N, s.F)}
	m.Layers = newLayers(s.F, hidden, prior, outSoftmax, weightRand(seed), false)
	logits32, err := m.Logits(s.X, s.N)
	if err != nil {
		t.Fatal(err)
	}
	logits := scaleLogits(logits32, 1)
	core := func(sm focal.Softmax) float64 {
		sm.IgnoreIndex = focal.DefaultIgnoreIndex
		tot, err := focal.SoftmaxLoss(sm, focal.Options{Reduction: focal.Mean}, focal.Outputs[float64]{},
			focal.SoftmaxInput[float64, int32]{Logits: logits, Layout: focal.ClassLast(s.N, 3), Labels: labels})
		if err != nil {
			t.Fatal(err)
		}
		return tot.Value()
	}
	ce := core(focal.Softmax{})
	for _, c := range []struct {
		loss string
		want focal.Softmax
	}{
		{"ce", focal.Softmax{}},
		{"ce:ls=0.1", focal.Softmax{LabelSmoothing: 0.1}},
		{"focal:gamma=3:ls=0.2", focal.Softmax{Gamma: 3, LabelSmoothing: 0.2}},
		{"flsd", focal.Softmax{Schedule: focal.FLSD53()}},
		{"focal:gamma=3", focal.Softmax{Gamma: 3}},
	} {
		l := parseOne(t, c.loss, DefaultLossParams())
		fit, err := Fit(context.Background(), FitConfig{Hidden: hidden, Steps: 1, EvalEvery: 1, Batch: s.N, Seed: seed, Loss: l}, s, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		got, want := fit.History[0].TrainLoss, core(c.want)
		if math.Abs(got-want) > 1e-5*want {
			t.Errorf("%s: first-step loss %v, core %v", c.loss, got, want)
		}
		if c.loss != "ce" && math.Abs(got-ce) < 1e-3*ce {
			t.Errorf("%s: first-step loss %v is cross-entropy's %v", c.loss, got, ce)
		}
	}
}

// TestLossOptionsResolve: options after a loss name set its parameters
// and name it; each spec carries them to the softmax loss.
func TestLossOptionsResolve(t *testing.T) {
	ls, err := ParseLosses("ce,ce:ls=0.05,focal:gamma=1,focal,flsd,poly1-sigmoid:epsilon=2", DefaultLossParams())
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"bce", "bce:ls=0.05", "focal:gamma=1", "focal", "flsd", "poly1-sigmoid:epsilon=2"}
	wantLabels := []string{"ce", "ce ε=0.05", "focal γ=1", "focal γ=2", "flsd", "poly1 epsilon=2 (sigmoid)"}
	wantSoftmax := []focal.Softmax{{}, {LabelSmoothing: 0.05}, {Gamma: 1}, {Gamma: 2}, {Schedule: focal.FLSD53()}}
	for i, l := range ls {
		if l.Name != wantNames[i] || l.Label(false) != wantLabels[i] {
			t.Errorf("%d: name %q label %q, want %q %q", i, l.Name, l.Label(false), wantNames[i], wantLabels[i])
		}
		s, err := l.spec(false, []int{4, 3, 3})
		if err != nil {
			t.Fatal(err)
		}
		if i >= len(wantSoftmax) {
			if p, ok := s.member.(focal.Poly1); s.out != outSigmoid || !ok || p.Epsilon != 2 {
				t.Errorf("%s: %+v", l.Name, s)
			}
			continue
		}
		want := wantSoftmax[i]
		want.IgnoreIndex = focal.DefaultIgnoreIndex
		if s.out != outSoftmax || !reflect.DeepEqual(s.softmax, want) {
			t.Errorf("%s: softmax %+v, want %+v", l.Name, s.softmax, want)
		}
	}
}

func TestLossOptionsRefuseBadValues(t *testing.T) {
	for _, c := range []struct{ list, want string }{
		{"focal:gamma=-1", `--loss "focal:gamma=-1": gamma=-1`},
		{"ce:ls=1", `ls=1: want a label smoothing ε in [0, 1)`},
		{"ce:ls=nan", `option "ls=nan"`},
		{"focal:gamma", `option "gamma": want KEY=NUMBER`},
		{"focal:depth=2", `focal does not take "depth"`},
		{"focal:gamma=1:gamma=2", "gamma given twice"},
		{"focal:alpha=2", "alpha=2: want a number in [0, 1]"},
		{"poly1:epsilon=inf", "epsilon=+Inf: want a finite number"},
		{"focal:gamma=1,focal:gamma=1", "focal:gamma=1 given twice"},
	} {
		_, err := ParseLosses(c.list, DefaultLossParams())
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line with %q", c.list, err, c.want)
		}
	}
	p := DefaultLossParams()
	p.LabelSmoothing = -0.1
	if _, err := ParseLosses("ce", p); err == nil || !strings.Contains(err.Error(), "--label-smoothing -0.1") {
		t.Errorf("--label-smoothing -0.1: %v", err)
	}
	p.LabelSmoothing = 0.1
	for _, c := range []struct {
		list   string
		binary bool
		want   string
	}{
		{"focal", true, "not to a sigmoid output (--loss focal)"},
		{"focal-sigmoid", false, "not to a sigmoid output"},
		{"flsd", false, "not to the FLSD γ schedule"},
	} {
		l := parseOne(t, c.list, p)
		if _, err := l.spec(c.binary, []int{5, 5, 5}[:2+btoi(!c.binary)]); err == nil || !strings.Contains(err.Error(), "--label-smoothing 0.1") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s with ε: %v", c.list, err)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestRunTemperatureScaling: with --temperature-scale every result has
// the calibration of its test probabilities before and after scaling, as
// metrics computes them from the model's own predictions; the saved model
// predicts the scaled probabilities; the scaling keeps the validation NLL
// from rising and the accuracy as it was; over seeds the summary has the
// mean temperature.
func TestRunTemperatureScaling(t *testing.T) {
	data := synthetic.WriteCSV(t, t.TempDir(), threeClasses(900, 2))
	losses, err := ParseLosses("ce,ce:ls=0.1,focal:gamma=3,flsd,focal-sigmoid", DefaultLossParams())
	if err != nil {
		t.Fatal(err)
	}
	c := Config{Data: data, Label: "label", TestFraction: 0.3, ValFraction: 0.25, Seeds: []uint64{1, 2},
		Fit:    FitConfig{Hidden: []int{32, 32}, Steps: 300, EvalEvery: 300, LR: 1e-2, Batch: 64},
		Losses: losses, TemperatureScale: true}
	r, err := Run(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.scaled() || len(r.Results) != 10 {
		t.Fatalf("%d results, scaled %v", len(r.Results), r.scaled())
	}
	d, err := load(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range r.Results {
		_, _, te, err := d.split(c, res.Seed)
		if err != nil {
			t.Fatal(err)
		}
		cal, tf := res.Calibration, res.Calibration.Temperature
		if cal.After == nil || tf == nil || !(tf.NLLAfter <= tf.NLLBefore) || !(tf.T > 0) {
			t.Fatalf("%s seed %d: %+v %+v", res.Name, res.Seed, cal, tf)
		}
		if res.Model().Temperature != tf.T {
			t.Errorf("%s: model temperature %v, fitted %v", res.Name, res.Model().Temperature, tf.T)
		}
		scaled, err := res.Model().Predict(te.X, te.N)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(scaled, res.probsTS) {
			t.Errorf("%s: the model predicts other probabilities than the scaled ones scored", res.Name)
		}
		for k, p := range [][]float64{res.probs, scaled} {
			want, err := metrics.EvaluateCalibration(p, te.Y, 3)
			if err != nil {
				t.Fatal(err)
			}
			got := cal.Before
			if k == 1 {
				got = *cal.After
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s stage %d: calibration %+v, metrics %+v", res.Name, k, got, want)
			}
			mc, err := metrics.EvaluateMulticlass(p, te.Y, 3)
			if err != nil {
				t.Fatal(err)
			}
			if mc.Accuracy != res.Multiclass.Accuracy {
				t.Errorf("%s: accuracy %v after scaling, %v before", res.Name, mc.Accuracy, res.Multiclass.Accuracy)
			}
		}
	}
	for _, s := range r.Summary {
		var sum float64
		for _, res := range r.Results {
			if res.Name == s.Name {
				sum += res.Calibration.Temperature.T
			}
		}
		if s.Calibration == nil || s.Calibration.Temperature == nil || math.Abs(s.Calibration.Temperature.Mean-sum/2) > 1e-12 {
			t.Errorf("%s: summary %+v, mean T %v", s.Name, s.Calibration, sum/2)
		}
	}
	var b strings.Builder
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "  T-scaled") || !strings.Contains(b.String(), "adaptive ECE") {
		t.Errorf("table without the calibration rows:\n%s", b.String())
	}
}

// TestTemperatureScaleNeedsAValidationSplit: without one, Run refuses,
// naming the flag; a binary logistic regression with one is scaled too.
func TestTemperatureScaleNeedsAValidationSplit(t *testing.T) {
	data := synthetic.WriteCSV(t, t.TempDir(), synthetic.Imbalanced(600, 3, 0.2, 1, 1))
	losses, _ := ParseLosses("bce,focal", DefaultLossParams())
	c := Config{Data: data, Label: "label", TestFraction: 0.3, Losses: losses, TemperatureScale: true}
	_, err := Run(context.Background(), c, nil)
	if err == nil || exitcode.Code(err) != 2 || !strings.Contains(err.Error(), "--temperature-scale") {
		t.Fatalf("no validation split: %v", err)
	}
	c.ValFraction = 0.2
	r, err := Run(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range r.Results {
		tf := res.Calibration.Temperature
		if res.Calibration.After == nil || !(tf.NLLAfter <= tf.NLLBefore) || res.Model().Temperature != tf.T {
			t.Errorf("%s: %+v", res.Name, res.Calibration)
		}
	}
}

// TestEveryLossIsValidated: without --temperature-scale too, every loss of
// a seed trains with the validation split (early stopping, the best
// checkpoint), not only the first; and no temperature is fitted.
func TestEveryLossIsValidated(t *testing.T) {
	data := synthetic.WriteCSV(t, t.TempDir(), threeClasses(300, 3))
	losses, _ := ParseLosses("ce,focal,flsd", DefaultLossParams())
	c := Config{Data: data, Label: "label", TestFraction: 0.3, ValFraction: 0.25, Seeds: []uint64{1, 2},
		Fit: FitConfig{Hidden: []int{8}, Steps: 40, EvalEvery: 20}, Losses: losses}
	r, err := Run(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range r.Results {
		if res.Val == nil || len(res.History) != 2 || res.History[1].Val == nil {
			t.Errorf("%s seed %d: trained without the validation split", res.Name, res.Seed)
		}
		if res.Calibration == nil || res.Calibration.After != nil || res.Model().Temperature != 0 {
			t.Errorf("%s seed %d: calibration %+v, temperature %v without --temperature-scale", res.Name, res.Seed, res.Calibration, res.Model().Temperature)
		}
	}
}

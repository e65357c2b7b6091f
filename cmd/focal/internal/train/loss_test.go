package train

import (
	"math"
	"strings"
	"testing"
)

func TestParseLosses(t *testing.T) {
	for _, c := range []struct {
		name, list   string
		alpha, gamma float64
		params       map[string]float64
		labels       []string // binary-task labels
		wantErr      string
	}{
		{"defaults per loss", "bce,balanced,focal", math.NaN(), math.NaN(), nil,
			[]string{"bce", "balanced α=0.75", "focal α=0.25 γ=2"}, ""},
		{"explicit α and γ", "balanced,focal", 0.5, 1, nil,
			[]string{"balanced α=0.5", "focal α=0.5 γ=1"}, ""},
		{"family member with its defaults, by alias", "fl*", math.NaN(), math.NaN(), nil,
			[]string{"flstar"}, ""},
		{"family parameters go to the members that take them", "poly1,asl", math.NaN(), 3, map[string]float64{"epsilon": 2},
			[]string{"poly1 gamma=3 epsilon=2", "asl"}, ""},
		{"unknown loss", "hinge", math.NaN(), math.NaN(), nil, nil, `--loss "hinge"`},
		{"twice", "bce,bce", math.NaN(), math.NaN(), nil, nil, "twice"},
		{"parameter nobody takes", "bce,focal", math.NaN(), math.NaN(), map[string]float64{"epsilon": 1}, nil, `--param "epsilon"`},
		{"α out of range", "focal", 1.5, math.NaN(), nil, nil, "--alpha"},
		{"negative γ", "focal", math.NaN(), -1, nil, nil, "--gamma"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ls, err := ParseLosses(c.list, LossParams{Alpha: c.alpha, Gamma: c.gamma, Beta: math.NaN(), Params: c.params})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range ls {
				if got := l.Label(true); got != c.labels[i] {
					t.Errorf("label %q, want %q", got, c.labels[i])
				}
			}
		})
	}
}

// TestFamilyLossesTrainMultiClassOnlyAsSigmoids: a family member is a
// sigmoid loss: on a multi-class task it needs --positive, or the
// -sigmoid form.
func TestFamilyLossesTrainMultiClassOnlyAsSigmoids(t *testing.T) {
	ls, _ := ParseLosses("poly1,poly1-sigmoid", DefaultLossParams())
	if _, err := ls[0].spec(false, []int{3, 3, 3}); err == nil || !strings.Contains(err.Error(), "--positive") || !strings.Contains(err.Error(), "poly1-sigmoid") {
		t.Errorf("multi-class poly1: %v", err)
	}
	if s, err := ls[1].spec(false, []int{3, 3, 3}); err != nil || s.out != outSigmoid {
		t.Errorf("multi-class poly1-sigmoid: %v", err)
	}
	bad, _ := ParseLosses("reduced", LossParams{Alpha: math.NaN(), Gamma: math.NaN(), Beta: math.NaN(), Params: map[string]float64{"threshold": 7}})
	if _, err := bad[0].spec(true, []int{3, 3}); err == nil {
		t.Error("reduced with threshold 7 accepted")
	}
}

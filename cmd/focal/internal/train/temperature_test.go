package train

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/metrics"
)

// outputForm is one of the three meanings of a model's logits.
type outputForm struct {
	name    string
	outputs int
	sigmoid bool
}

var outputForms = []outputForm{{"binary", 1, false}, {"softmax", 4, false}, {"normalised sigmoids", 4, true}}

// calibratedSample returns n examples of logits z (standard normal times
// spread) and labels drawn from the probabilities of z: a model
// calibrated by construction.
func calibratedSample(f outputForm, n int, spread float64, seed uint64) (z []float64, y []int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	z = make([]float64, n*f.outputs)
	for i := range z {
		z[i] = spread * rng.NormFloat64()
	}
	p := probabilities(z, f.outputs, f.sigmoid)
	y = make([]int, n)
	for i := range y {
		u := rng.Float64()
		if f.outputs == 1 {
			if u < p[i] {
				y[i] = 1
			}
			continue
		}
		row := p[i*f.outputs : (i+1)*f.outputs]
		y[i] = f.outputs - 1
		for c, acc := 0, 0.0; c < f.outputs; c++ {
			if acc += row[c]; u < acc {
				y[i] = c
				break
			}
		}
	}
	return z, y
}

// nllByMetrics is the NLL of y under logits/t computed independently of
// temperatureNLL: the model's probabilities, then metrics.NLL.
func nllByMetrics(t *testing.T, f outputForm, logits []float64, y []int, temp float64) float64 {
	t.Helper()
	p := probabilities(scaleLogits(logits, temp), f.outputs, f.sigmoid)
	classes := f.outputs
	if f.outputs == 1 {
		classes = 2
		two := make([]float64, 2*len(y))
		for i, v := range p {
			two[2*i], two[2*i+1] = 1-v, v
		}
		p = two
	}
	nll, err := metrics.NLL(p, y, classes)
	if err != nil {
		t.Fatal(err)
	}
	return nll
}

// TestTemperatureRecoversAKnownT: logits z·T₀ of a model whose z are
// calibrated are calibrated again at T = T₀; the fit finds it.
func TestTemperatureRecoversAKnownT(t *testing.T) {
	for _, f := range outputForms {
		for _, t0 := range []float64{0.4, 1, 2.5} {
			z, y := calibratedSample(f, 20000, 2, uint64(10*t0))
			logits := make([]float64, len(z))
			for i, v := range z {
				logits[i] = v * t0
			}
			fit, err := FitTemperature(logits, y, f.outputs, f.sigmoid)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(math.Log(fit.T/t0)) > 0.05 {
				t.Errorf("%s, T₀ = %v: fitted T = %v (%s)", f.name, t0, fit.T, fit.Status)
			}
		}
	}
}

// TestTemperatureIsTheMinimum: no temperature on a fine grid over
// [1/50, 50] has a lower validation NLL than the fitted one, whose NLL
// is the one metrics.NLL computes from its probabilities.
func TestTemperatureIsTheMinimum(t *testing.T) {
	for _, f := range outputForms {
		for seed := uint64(1); seed <= 3; seed++ {
			z, y := calibratedSample(f, 500, 1.5, seed)
			// An overconfident model: the logits of a calibrated one, tripled.
			for i := range z {
				z[i] *= 3
			}
			fit, err := FitTemperature(z, y, f.outputs, f.sigmoid)
			if err != nil {
				t.Fatal(err)
			}
			if got := nllByMetrics(t, f, z, y, fit.T); math.Abs(got-fit.NLLAfter) > 1e-9 {
				t.Errorf("%s: NLL at T = %v reported %v, metrics.NLL %v", f.name, fit.T, fit.NLLAfter, got)
			}
			for u := -math.Log(50); u <= math.Log(50); u += 0.01 {
				if g := nllByMetrics(t, f, z, y, math.Exp(u)); g < fit.NLLAfter-1e-9 {
					t.Fatalf("%s seed %d: NLL %v at T = %v below %v at the fitted T = %v", f.name, seed, g, math.Exp(u), fit.NLLAfter, fit.T)
				}
			}
			if !(fit.T > 1.5) {
				t.Errorf("%s: tripled logits fitted T = %v, want about 3", f.name, fit.T)
			}
		}
	}
}

// TestTemperatureNeverWorsensValidationNLL: on adversarial splits too —
// every example right by a huge margin (the NLL falls all the way to
// T → 0), every one wrong (it falls towards T → ∞), logits that do not
// depend on T, a single example — the fitted T's NLL is at most that of
// T = 1, and T is finite and positive.
func TestTemperatureNeverWorsensValidationNLL(t *testing.T) {
	type split struct {
		name    string
		f       outputForm
		logits  []float64
		y       []int
		wantOne bool // T must stay 1: nothing lowers the NLL
	}
	cases := []split{
		{"separable by huge margins", outputForms[1], []float64{900, 0, 0, 0, 0, 700, 0, 0}, []int{0, 1}, false},
		{"separable, binary", outputForms[0], []float64{40, -40, 30}, []int{1, 0, 1}, false},
		{"all wrong by huge margins", outputForms[1], []float64{900, 0, 0, 0, 0, 700, 0, 0}, []int{3, 2}, false},
		{"all wrong, binary", outputForms[0], []float64{-40, 40}, []int{1, 0}, false},
		{"constant logits", outputForms[1], []float64{1, 1, 1, 1, 1, 1, 1, 1}, []int{0, 3}, true},
		{"zero logits, binary", outputForms[0], []float64{0, 0, 0}, []int{1, 0, 1}, true},
		{"one example", outputForms[2], []float64{2, -1, 0.5, 0}, []int{2}, false},
		{"ties at the top", outputForms[1], []float64{3, 3, 0, 0, 3, 3, 0, 0}, []int{0, 1}, false},
		{"saturated sigmoids", outputForms[2], []float64{-800, -900, -700, -750}, []int{2}, false},
	}
	for seed := uint64(1); seed <= 20; seed++ {
		for _, f := range outputForms {
			rng := rand.New(rand.NewPCG(seed, 11))
			n := 1 + rng.IntN(40)
			logits := make([]float64, n*f.outputs)
			for i := range logits {
				logits[i] = math.Pow(10, 3*rng.Float64()-1) * rng.NormFloat64()
			}
			y := make([]int, n)
			for i := range y {
				y[i] = rng.IntN(max(f.outputs, 2))
			}
			cases = append(cases, split{"random " + f.name, f, logits, y, false})
		}
	}
	for _, c := range cases {
		fit, err := FitTemperature(c.logits, c.y, c.f.outputs, c.f.sigmoid)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		at1 := nllByMetrics(t, c.f, c.logits, c.y, 1)
		atT := nllByMetrics(t, c.f, c.logits, c.y, fit.T)
		switch {
		case !(fit.T > 0) || math.IsInf(fit.T, 0):
			t.Errorf("%s: T = %v", c.name, fit.T)
		case fit.NLLAfter > fit.NLLBefore:
			t.Errorf("%s: validation NLL %v at T = %v, above %v at T = 1", c.name, fit.NLLAfter, fit.T, fit.NLLBefore)
		case atT > at1+1e-12:
			t.Errorf("%s: metrics.NLL %v at T = %v, above %v at T = 1", c.name, atT, fit.T, at1)
		case c.wantOne && fit.T != 1:
			t.Errorf("%s: T = %v where no temperature changes the NLL", c.name, fit.T)
		}
	}
}

// TestTemperatureNLLDerivative: the derivative the optimizer follows is
// that of the NLL, by central differences in u = log T.
func TestTemperatureNLLDerivative(t *testing.T) {
	for _, f := range outputForms {
		z, y := calibratedSample(f, 50, 3, 5)
		for _, u := range []float64{-1.5, -0.3, 0, 0.7, 2} {
			_, df := temperatureNLL(z, y, f.outputs, f.sigmoid, u)
			const h = 1e-5
			fp, _ := temperatureNLL(z, y, f.outputs, f.sigmoid, u+h)
			fm, _ := temperatureNLL(z, y, f.outputs, f.sigmoid, u-h)
			if num := (fp - fm) / (2 * h); math.Abs(num-df) > 1e-6*max(1, math.Abs(num)) {
				t.Errorf("%s at u = %v: derivative %v, by differences %v", f.name, u, df, num)
			}
		}
	}
}

func TestTemperatureRefusesBadInput(t *testing.T) {
	for _, c := range []struct {
		name    string
		logits  []float64
		y       []int
		outputs int
		want    string
	}{
		{"length mismatch", []float64{1, 2, 3}, []int{0, 1}, 2, "logits"},
		{"no examples", nil, nil, 3, "no validation examples"},
		{"label out of range", []float64{1, 2}, []int{2}, 2, "label 2"},
		{"binary label 2", []float64{1}, []int{2}, 1, "label 2"},
		{"NaN logit", []float64{1, math.NaN()}, []int{0}, 2, "NaN"},
		{"infinite logit", []float64{math.Inf(1)}, []int{0}, 1, "infinite"},
	} {
		if _, err := FitTemperature(c.logits, c.y, c.outputs, false); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

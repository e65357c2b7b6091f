package focal_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/focalgo/focal"
)

// TestParseKindAcceptsEveryNameAndAlias checks the registry: every kind
// parses from its name in any case, its default member has that kind, and
// unknown names are errors naming the valid ones.
func TestParseKindAcceptsEveryNameAndAlias(t *testing.T) {
	want := []focal.Kind{focal.KindFocal, focal.KindPoly1, focal.KindASL, focal.KindQFL, focal.KindVarifocal,
		focal.KindFLStar, focal.KindFLSD, focal.KindReduced}
	got := focal.Kinds()
	if len(got) != len(want) {
		t.Fatalf("Kinds() = %v, want %v", got, want)
	}
	for i, k := range want {
		if got[i] != k {
			t.Errorf("Kinds()[%d] = %v, want %v", i, got[i], k)
		}
		for _, s := range []string{string(k), strings.ToUpper(string(k))} {
			if p, err := focal.ParseKind(s); err != nil || p != k {
				t.Errorf("ParseKind(%q) = %v, %v; want %v", s, p, err, k)
			}
		}
		if m := k.Default(); m == nil || m.Kind() != k {
			t.Errorf("%v.Default() = %v", k, m)
		} else if err := focal.Validate(m); err != nil {
			t.Errorf("%v.Default() is invalid: %v", k, err)
		}
		if k.Purpose() == "" || len(k.Params()) == 0 {
			t.Errorf("%v has no purpose or parameters", k)
		}
	}
	for alias, k := range map[string]focal.Kind{"fl*": focal.KindFLStar, "Asymmetric": focal.KindASL, "vfl": focal.KindVarifocal,
		"gfl": focal.KindQFL, "flsd-53": focal.KindFLSD, "poly-1": focal.KindPoly1, "sigmoid": focal.KindFocal} {
		if p, err := focal.ParseKind(alias); err != nil || p != k {
			t.Errorf("ParseKind(%q) = %v, %v; want %v", alias, p, err, k)
		}
	}
	_, err := focal.ParseKind("hinge")
	if !errors.Is(err, focal.ErrParam) || !strings.Contains(err.Error(), "poly1") {
		t.Errorf("ParseKind(hinge) error = %v", err)
	}
}

// TestNewMemberSetsNamedParameters checks that NewMember starts from the
// defaults, sets the reduction and the named parameters, and rejects
// unknown names.
func TestNewMemberSetsNamedParameters(t *testing.T) {
	m, err := focal.NewMember(focal.KindASL, focal.Mean, map[string]float64{"gamma-neg": 2, "detach": 0})
	if err != nil {
		t.Fatal(err)
	}
	want := focal.Asymmetric{GammaPos: 1, GammaNeg: 2, Margin: 0.05, Reduction: focal.Mean}
	if m != focal.Member(want) {
		t.Errorf("NewMember(asl) = %+v, want %+v", m, want)
	}
	m, err = focal.NewMember(focal.KindFLSD, focal.Sum, map[string]float64{"threshold": 0.3, "gamma-below": 4, "gamma": 1})
	if err != nil {
		t.Fatal(err)
	}
	s := m.(focal.Scheduled)
	if g := s.Schedule; len(g.Below) != 1 || g.Below[0] != 0.3 || g.Gammas[0] != 4 || g.Else != 1 || s.Reduction != focal.Sum {
		t.Errorf("NewMember(flsd) = %+v", s)
	}
	if _, err := focal.NewMember(focal.KindQFL, focal.Mean, map[string]float64{"gamma": 2}); !errors.Is(err, focal.ErrParam) || !strings.Contains(err.Error(), "beta") {
		t.Errorf("NewMember(qfl, gamma) error = %v, want ErrParam listing beta", err)
	}
	if _, err := focal.NewMember("nope", focal.Mean, nil); !errors.Is(err, focal.ErrParam) {
		t.Errorf("NewMember(nope) error = %v", err)
	}
}

// TestFamilyRejectsBadParameters checks that each bad parameter returns the
// sentinel error with the parameter's name, and that nothing is written.
func TestFamilyRejectsBadParameters(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		m    focal.Member
		err  error
		word string
	}{
		{"poly1 alpha > 1", focal.Poly1{Alpha: 1.5, Gamma: 2}, focal.ErrAlpha, "alpha"},
		{"poly1 gamma < 0", focal.Poly1{Alpha: 0.25, Gamma: -1}, focal.ErrGamma, "gamma"},
		{"poly1 epsilon NaN", focal.Poly1{Gamma: 2, Epsilon: nan}, focal.ErrParam, "epsilon"},
		{"poly1 epsilon Inf", focal.Poly1{Gamma: 2, Epsilon: math.Inf(1)}, focal.ErrParam, "epsilon"},
		{"asl gamma-neg NaN", focal.Asymmetric{GammaPos: 1, GammaNeg: nan}, focal.ErrGamma, "gamma-neg"},
		{"asl gamma-pos < 0", focal.Asymmetric{GammaPos: -0.5}, focal.ErrGamma, "gamma-pos"},
		{"asl margin 1", focal.Asymmetric{Margin: 1}, focal.ErrParam, "margin"},
		{"asl margin < 0", focal.Asymmetric{Margin: -0.1}, focal.ErrParam, "margin"},
		{"qfl beta < 0", focal.Quality{Beta: -2}, focal.ErrGamma, "beta"},
		{"varifocal alpha < 0", focal.Varifocal{Alpha: -1, Gamma: 2}, focal.ErrAlpha, "alpha"},
		{"varifocal gamma Inf", focal.Varifocal{Alpha: 0.75, Gamma: math.Inf(1)}, focal.ErrGamma, "gamma"},
		{"flstar gamma 0", focal.FLStar{Alpha: 0.25}, focal.ErrGamma, "gamma"},
		{"flstar beta NaN", focal.FLStar{Gamma: 2, Beta: nan}, focal.ErrParam, "beta"},
		{"flsd lengths differ", focal.Scheduled{Schedule: focal.GammaSchedule{Below: []float64{0.2}}}, focal.ErrParam, "thresholds"},
		{"flsd thresholds not increasing", focal.Scheduled{Schedule: focal.GammaSchedule{Below: []float64{0.5, 0.2}, Gammas: []float64{1, 2}}}, focal.ErrParam, "Below[1]"},
		{"flsd negative gamma", focal.Scheduled{Schedule: focal.GammaSchedule{Below: []float64{0.5}, Gammas: []float64{-1}}}, focal.ErrGamma, "Gammas[0]"},
		{"flsd else NaN", focal.Scheduled{Schedule: focal.GammaSchedule{Else: nan}}, focal.ErrGamma, "Else"},
		{"reduced threshold 0", focal.Reduced{Gamma: 2}, focal.ErrParam, "threshold"},
		{"reduced threshold > 1", focal.Reduced{Gamma: 2, Threshold: 1.5}, focal.ErrParam, "threshold"},
		{"reduced th^-gamma overflows", focal.Reduced{Gamma: 3, Threshold: 1e-101}, focal.ErrParam, "threshold"},
		{"reduction out of range", focal.Poly1{Gamma: 2, Reduction: 9}, focal.ErrReduction, "Reduction(9)"},
		{"normalizer negative", focal.Quality{Beta: 2, Normalizer: -1}, focal.ErrNormalizer, "normalizer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loss := []float64{7, 7}
			_, err := focal.Family(c.m, focal.Outputs[float64]{Loss: loss}, []float64{1, -1}, []float64{1, 0})
			if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.word) {
				t.Errorf("error = %v, want %v naming %q", err, c.err, c.word)
			}
			if !errors.Is(focal.Validate(c.m), c.err) {
				t.Errorf("Validate = %v, want %v", focal.Validate(c.m), c.err)
			}
			if loss[0] != 7 || loss[1] != 7 {
				t.Errorf("wrote %v on error", loss)
			}
		})
	}
}

// TestFamilyRejectsBadData checks targets, weights and lengths, including
// soft targets for the members that want y ∈ {0, 1}.
func TestFamilyRejectsBadData(t *testing.T) {
	x := []float64{0.5, -1, 2}
	cases := []struct {
		name string
		m    focal.Member
		y, w []float64
		ign  []bool
		out  int
		err  error
		word string
	}{
		{"target > 1", focal.DefaultPoly1, []float64{0, 1.5, 1}, nil, nil, 3, focal.ErrTarget, "targets[1]"},
		{"target NaN", focal.DefaultQuality, []float64{0, 1, math.NaN()}, nil, nil, 3, focal.ErrTarget, "targets[2]"},
		{"soft target for asl", focal.DefaultAsymmetric, []float64{0, 0.5, 1}, nil, nil, 3, focal.ErrTarget, "targets[1]"},
		{"soft target for flstar", focal.DefaultFLStar, []float64{0.1, 0, 1}, nil, nil, 3, focal.ErrTarget, "targets[0]"},
		{"negative weight", focal.DefaultVarifocal, []float64{0, 0.5, 1}, []float64{1, 1, -1}, nil, 3, focal.ErrWeight, "weights[2]"},
		{"short targets", focal.DefaultReduced, []float64{0, 1}, nil, nil, 3, focal.ErrLength, "targets"},
		{"short weights", focal.DefaultReduced, []float64{0, 1, 1}, []float64{1}, nil, 3, focal.ErrLength, "weights"},
		{"short mask", focal.DefaultReduced, []float64{0, 1, 1}, nil, []bool{true}, 3, focal.ErrLength, "ignore"},
		{"short output", focal.DefaultScheduled(), []float64{0, 1, 1}, nil, nil, 2, focal.ErrLength, "Loss"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loss := make([]float64, c.out)
			for i := range loss {
				loss[i] = 7
			}
			_, err := focal.FamilyWeighted(c.m, focal.Outputs[float64]{Loss: loss}, x, c.y, c.w, c.ign)
			if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.word) {
				t.Errorf("error = %v, want %v naming %q", err, c.err, c.word)
			}
			for _, v := range loss {
				if v != 7 {
					t.Fatalf("wrote %v on error", loss)
				}
			}
		})
	}
	// An ignored soft target is not checked.
	if _, err := focal.FamilyWeighted(focal.DefaultAsymmetric, focal.Outputs[float64]{}, x, []float64{0, 0.5, 1}, nil, []bool{false, true, false}); err != nil {
		t.Errorf("ignored soft target: %v", err)
	}
}

// TestFamilyIsFiniteForEveryFiniteLogit checks loss, gradient and Hessian
// of every member at extreme logits (±MaxFloat, ±1e30, beyond the exp
// range, subnormal, ±0) and targets (hard, soft, next to 0 and 1), with
// 0 < γ < 1 included, in float64 and float32; and NaN in, NaN out.
func TestFamilyIsFiniteForEveryFiniteLogit(t *testing.T) {
	xs := []float64{math.MaxFloat64, -math.MaxFloat64, math.MaxFloat32, -math.MaxFloat32, 1e30, -1e30, 800, -800,
		40, -40, 37, -37, 1e-300, -4e-324, 0, math.Copysign(0, -1), 1, -2.2, 0.3}
	ys := []float64{0, 1, 0.5, 0.3, 1e-10, 1 - 1e-10, 1e-300}
	members := append([]struct {
		name string
		m    focal.Member
	}{
		{"asl/tiny-gamma/tiny-margin", focal.Asymmetric{GammaPos: 0.01, GammaNeg: 0.01, Margin: 1e-300}},
		{"qfl/b0.01", focal.Quality{Beta: 0.01}},
		{"qfl/b1", focal.Quality{Beta: 1}},
		{"reduced/tiny-threshold", focal.Reduced{Gamma: 3, Threshold: 1e-99}},
		{"poly1/huge-epsilon", focal.Poly1{Gamma: 0.1, Epsilon: 1e300}},
	}, familyMembers...)
	for _, mc := range members {
		t.Run(mc.name, func(t *testing.T) {
			for _, y := range ys {
				if hardTargets(mc.m) && y != 0 && y != 1 {
					continue
				}
				X := append([]float64{}, xs...)
				Y := make([]float64, len(X))
				for i := range Y {
					Y[i] = y
				}
				check := func(what string, v float64, i int) {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Errorf("%s(x = %v, y = %v) = %v", what, X[i], y, v)
					}
				}
				o := focal.Outputs[float64]{Loss: make([]float64, len(X)), Grad: make([]float64, len(X)), Hess: make([]float64, len(X))}
				if _, err := focal.Family(mc.m, o, X, Y); err != nil {
					t.Fatal(err)
				}
				o32 := focal.Outputs[float32]{Loss: make([]float32, len(X)), Grad: make([]float32, len(X)), Hess: make([]float32, len(X))}
				if _, err := focal.Family(mc.m, o32, toT[float32](X), toT[float32](Y)); err != nil {
					t.Fatal(err)
				}
				for i := range X {
					check("loss", o.Loss[i], i)
					check("grad", o.Grad[i], i)
					check("hess", o.Hess[i], i)
					if math.IsInf(float64(float32(X[i])), 0) {
						continue // not a finite float32 logit
					}
					check("float32 loss", float64(o32.Loss[i]), i)
					check("float32 grad", float64(o32.Grad[i]), i)
					check("float32 hess", float64(o32.Hess[i]), i)
				}
			}
			o := focal.Outputs[float64]{Loss: make([]float64, 1), Grad: make([]float64, 1), Hess: make([]float64, 1)}
			if _, err := focal.Family(mc.m, o, []float64{math.NaN()}, []float64{1}); err != nil {
				t.Fatal(err)
			}
			if !math.IsNaN(o.Loss[0]) || !math.IsNaN(o.Grad[0]) || !math.IsNaN(o.Hess[0]) {
				t.Errorf("NaN logit gives %v, %v, %v; want NaN", o.Loss[0], o.Grad[0], o.Hess[0])
			}
		})
	}
}

// TestCurveIsElemAtTheLogitOfPt checks Curve for positives and negatives,
// and that focal loss's curve decreases in pₜ.
func TestCurveIsElemAtTheLogitOfPt(t *testing.T) {
	for _, k := range focal.Kinds() {
		m := k.Default()
		prev := math.Inf(1)
		for _, pt := range []float64{0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99} {
			x := math.Log(pt / (1 - pt))
			lp, _, _ := m.Elem(x, 1)
			ln, _, _ := m.Elem(-x, 0)
			if got := focal.Curve(m, pt, true); !closeTo(got, lp, 1e-12) {
				t.Errorf("%v: Curve(%v, positive) = %v, want %v", k, pt, got, lp)
			}
			if got := focal.Curve(m, pt, false); !closeTo(got, ln, 1e-12) {
				t.Errorf("%v: Curve(%v, negative) = %v, want %v", k, pt, got, ln)
			}
			if k == focal.KindFocal && !(lp < prev) {
				t.Errorf("focal curve not decreasing at pₜ = %v", pt)
			}
			prev = lp
		}
		if l := focal.Curve(m, 1, true); l != 0 {
			t.Errorf("%v: Curve(1) = %v, want 0", k, l)
		}
	}
}

// TestFamilyHotPathAllocatesNothing checks the typed entry points and
// Family with a Member built once.
func TestFamilyHotPathAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	const n = 3000
	x, y := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(i%17) - 8
		y[i] = float32(i % 2)
	}
	out := focal.Outputs[float32]{Loss: make([]float32, n), Grad: make([]float32, n), Hess: make([]float32, n)}
	var m focal.Member = focal.DefaultReduced
	sched := focal.DefaultScheduled()
	for name, f := range map[string]func(){
		"Poly1Focal":     func() { _, _ = focal.Poly1Focal(focal.DefaultPoly1, out, x, y) },
		"AsymmetricLoss": func() { _, _ = focal.AsymmetricFocal(focal.DefaultAsymmetric, out, x, y) },
		"ScheduledFocal": func() { _, _ = focal.ScheduledFocal(sched, out, x, y) },
		"Family":         func() { _, _ = focal.Family(m, out, x, y) },
	} {
		f()
		if a := testing.AllocsPerRun(20, f); a != 0 {
			t.Errorf("%s: %v allocations per call", name, a)
		}
	}
}

package focal_test

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/focalgo/focal"
)

// TestParseKindAcceptsEveryNameAndAlias checks the registry: Kinds lists
// KindFocal first and then the others sorted by name, every kind parses
// from its name in any case, its default member has that kind and is
// valid, and unknown names are errors naming the valid ones.
func TestParseKindAcceptsEveryNameAndAlias(t *testing.T) {
	want := []focal.Kind{focal.KindFocal, focal.KindASL, focal.KindFLSD, focal.KindFLStar, focal.KindGaussian,
		focal.KindPoly1, focal.KindQFL, focal.KindReduced, focal.KindVarifocal}
	got := focal.Kinds()
	if len(got) != len(want) {
		t.Fatalf("Kinds() = %v, want %v", got, want)
	}
	if got[0] != focal.KindFocal || !slices.IsSorted(got[1:]) {
		t.Errorf("Kinds() = %v, want focal first, then sorted", got)
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
		} else if err := m.Validate(); err != nil {
			t.Errorf("%v.Default() is invalid: %v", k, err)
		}
		if k.Purpose() == "" || len(k.Params()) == 0 {
			t.Errorf("%v has no purpose or parameters", k)
		}
	}
	for alias, k := range map[string]focal.Kind{"fl*": focal.KindFLStar, "Asymmetric": focal.KindASL, "vfl": focal.KindVarifocal,
		"gfl": focal.KindQFL, "flsd-53": focal.KindFLSD, "poly-1": focal.KindPoly1, "sigmoid": focal.KindFocal,
		"CornerNet": focal.KindGaussian} {
		if p, err := focal.ParseKind(alias); err != nil || p != k {
			t.Errorf("ParseKind(%q) = %v, %v; want %v", alias, p, err, k)
		}
	}
	_, err := focal.ParseKind("hinge")
	if !errors.Is(err, focal.ErrParam) || !strings.Contains(err.Error(), "poly1") {
		t.Errorf("ParseKind(hinge) error = %v", err)
	}
	if m := focal.Kind("hinge").Default(); m != nil {
		t.Errorf("Kind(hinge).Default() = %v, want nil", m)
	}
}

// TestKindDefaultIsANewValueEachCall checks that the reference parameters
// cannot be changed through a returned member: changing one (including
// the schedule's slices) leaves the next Default as it was.
func TestKindDefaultIsANewValueEachCall(t *testing.T) {
	s := focal.KindFLSD.Default().(focal.Scheduled)
	s.Schedule.Below[0], s.Schedule.Gammas[0], s.Schedule.Else = 0.9, 99, 98
	s.Alpha = 0.5
	g := focal.KindFLSD.Default().(focal.Scheduled)
	if g.Alpha != 0 || !slices.Equal(g.Schedule.Below, []float64{0.2, 0.5}) || !slices.Equal(g.Schedule.Gammas, []float64{5, 3}) || g.Schedule.Else != 3 {
		t.Errorf("KindFLSD.Default() after changing a returned one = %+v", g)
	}
	f := focal.FLSD53()
	f.Gammas[1] = 7
	if g := focal.FLSD53(); g.Gammas[1] != 3 {
		t.Errorf("FLSD53() after changing a returned one = %+v", g)
	}
	for _, k := range focal.Kinds() {
		if a, b := k.Default(), k.Default(); !reflect.DeepEqual(a, b) {
			t.Errorf("%v: two Defaults differ: %+v, %+v", k, a, b)
		}
	}
	if m := focal.KindFocal.Default(); m != focal.Member(focal.Sigmoid{Alpha: 0.25, Gamma: 2}) {
		t.Errorf("KindFocal.Default() = %+v, want the paper's α = 0.25, γ = 2", m)
	}
}

// TestNewMemberSetsNamedParameters checks that NewMember starts from the
// defaults, sets the named parameters, and rejects unknown names.
func TestNewMemberSetsNamedParameters(t *testing.T) {
	m, err := focal.NewMember(focal.KindASL, map[string]float64{"gamma-neg": 2, "detach": 0})
	if err != nil {
		t.Fatal(err)
	}
	want := focal.Asymmetric{GammaPos: 1, GammaNeg: 2, Margin: 0.05}
	if m != focal.Member(want) {
		t.Errorf("NewMember(asl) = %+v, want %+v", m, want)
	}
	m, err = focal.NewMember(focal.KindFLSD, map[string]float64{"threshold": 0.3, "gamma-below": 4, "gamma": 1})
	if err != nil {
		t.Fatal(err)
	}
	s := m.(focal.Scheduled)
	if g := s.Schedule; len(g.Below) != 1 || g.Below[0] != 0.3 || g.Gammas[0] != 4 || g.Else != 1 {
		t.Errorf("NewMember(flsd) = %+v", s)
	}
	if _, err := focal.NewMember(focal.KindQFL, map[string]float64{"gamma": 2}); !errors.Is(err, focal.ErrParam) || !strings.Contains(err.Error(), "beta") {
		t.Errorf("NewMember(qfl, gamma) error = %v, want ErrParam listing beta", err)
	}
	if _, err := focal.NewMember("nope", nil); !errors.Is(err, focal.ErrParam) {
		t.Errorf("NewMember(nope) error = %v", err)
	}
}

// TestNewMemberSetsEveryListedParameter sets, for every kind, each name
// Kind.Params lists (in upper case too), and reads it back: a field
// tagged with the name holds the value and every other field keeps its
// default; FLSD's schedule names set the pieces of a two-piece schedule.
// A name not listed is an error naming it.
func TestNewMemberSetsEveryListedParameter(t *testing.T) {
	for _, k := range focal.Kinds() {
		def := reflect.ValueOf(k.Default())
		typ := def.Type()
		tagged := map[string]int{}
		for i := range typ.NumField() {
			if name := typ.Field(i).Tag.Get("param"); name != "" {
				tagged[name] = i
			}
		}
		params := k.Params()
		for name := range tagged {
			if !slices.Contains(params, name) {
				t.Errorf("%v: field tagged %q is not in Params() = %v", k, name, params)
			}
		}
		for _, name := range params {
			for _, spelled := range []string{name, strings.ToUpper(name)} {
				const v = 0.375 // a valid value of every parameter, equal to no default
				i, isField := tagged[name]
				set := v
				if isField && typ.Field(i).Type.Kind() == reflect.Bool && def.Field(i).Bool() {
					set = 0 // flip a true default
				}
				m, err := focal.NewMember(k, map[string]float64{spelled: set})
				if err != nil {
					t.Errorf("%v: NewMember(%s = %v): %v", k, spelled, set, err)
					continue
				}
				if err := m.Validate(); err != nil {
					t.Errorf("%v: NewMember(%s = %v) is invalid: %v", k, spelled, set, err)
				}
				got := reflect.ValueOf(m)
				if !isField {
					checkSchedulePiece(t, k, name, m, v)
					continue
				}
				for j := range typ.NumField() {
					f, d := got.Field(j), def.Field(j)
					switch {
					case j != i:
						if !reflect.DeepEqual(f.Interface(), d.Interface()) {
							t.Errorf("%v: setting %s changed field %s from %v to %v", k, spelled, typ.Field(j).Name, d, f)
						}
					case f.Kind() == reflect.Bool:
						if f.Bool() != (set != 0) {
							t.Errorf("%v: %s = %v gives %s = %v", k, spelled, set, typ.Field(j).Name, f.Bool())
						}
					case f.Float() != set:
						t.Errorf("%v: %s = %v gives %s = %v", k, spelled, set, typ.Field(j).Name, f.Float())
					}
				}
			}
		}
		if _, err := focal.NewMember(k, map[string]float64{"no-such": 1}); !errors.Is(err, focal.ErrParam) || !strings.Contains(err.Error(), "no-such") {
			t.Errorf("%v: NewMember(no-such) error = %v, want ErrParam naming it", k, err)
		}
	}
}

// checkSchedulePiece checks a parameter that is not a field: FLSD's
// threshold, gamma-below and gamma set one piece of a two-piece schedule,
// the others coming from the default FLSD-53 (γ = 5 below 0.2, else 3).
func checkSchedulePiece(t *testing.T, k focal.Kind, name string, m focal.Member, v float64) {
	t.Helper()
	s, ok := m.(focal.Scheduled)
	if !ok {
		t.Errorf("%v: parameter %q is not a field", k, name)
		return
	}
	want := focal.GammaSchedule{Below: []float64{0.2}, Gammas: []float64{5}, Else: 3}
	switch name {
	case "threshold":
		want.Below[0] = v
	case "gamma-below":
		want.Gammas[0] = v
	case "gamma":
		want.Else = v
	default:
		t.Errorf("%v: unexpected parameter %q", k, name)
	}
	if !reflect.DeepEqual(s.Schedule, want) || s.Alpha != 0 {
		t.Errorf("%v: %s = %v gives %+v, want schedule %+v", k, name, v, s, want)
	}
}

// TestFamilyRejectsBadParameters checks that each bad parameter or option
// returns the sentinel error with the parameter's name, and that nothing
// is written.
func TestFamilyRejectsBadParameters(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		m    focal.Member
		o    focal.Options
		err  error
		word string
	}{
		{"focal alpha < 0", focal.Sigmoid{Alpha: -1, Gamma: 2}, focal.Options{}, focal.ErrAlpha, "alpha"},
		{"poly1 alpha > 1", focal.Poly1{Alpha: 1.5, Gamma: 2}, focal.Options{}, focal.ErrAlpha, "alpha"},
		{"poly1 alpha < 0", focal.Poly1{Alpha: -1, Gamma: 2}, focal.Options{}, focal.ErrAlpha, "alpha"},
		{"poly1 gamma < 0", focal.Poly1{Alpha: 0.25, Gamma: -1}, focal.Options{}, focal.ErrGamma, "gamma"},
		{"poly1 epsilon NaN", focal.Poly1{Gamma: 2, Epsilon: nan}, focal.Options{}, focal.ErrParam, "epsilon"},
		{"poly1 epsilon Inf", focal.Poly1{Gamma: 2, Epsilon: math.Inf(1)}, focal.Options{}, focal.ErrParam, "epsilon"},
		{"asl gamma-neg NaN", focal.Asymmetric{GammaPos: 1, GammaNeg: nan}, focal.Options{}, focal.ErrGamma, "gamma-neg"},
		{"asl gamma-pos < 0", focal.Asymmetric{GammaPos: -0.5}, focal.Options{}, focal.ErrGamma, "gamma-pos"},
		{"asl margin 1", focal.Asymmetric{Margin: 1}, focal.Options{}, focal.ErrParam, "margin"},
		{"asl margin < 0", focal.Asymmetric{Margin: -0.1}, focal.Options{}, focal.ErrParam, "margin"},
		{"qfl beta < 0", focal.Quality{Beta: -2}, focal.Options{}, focal.ErrGamma, "beta"},
		{"varifocal alpha < 0", focal.Varifocal{Alpha: -1, Gamma: 2}, focal.Options{}, focal.ErrAlpha, "alpha"},
		{"varifocal gamma Inf", focal.Varifocal{Alpha: 0.75, Gamma: math.Inf(1)}, focal.Options{}, focal.ErrGamma, "gamma"},
		{"flstar alpha < 0", focal.FLStar{Alpha: -1, Gamma: 2}, focal.Options{}, focal.ErrAlpha, "alpha"},
		{"flstar gamma < 0", focal.FLStar{Alpha: 0.25, Gamma: -1}, focal.Options{}, focal.ErrGamma, "gamma"},
		{"flstar beta NaN", focal.FLStar{Gamma: 2, Beta: nan}, focal.Options{}, focal.ErrParam, "beta"},
		{"flsd alpha < 0", focal.Scheduled{Alpha: -1, Schedule: focal.FLSD53()}, focal.Options{}, focal.ErrAlpha, "alpha"},
		{"flsd lengths differ", focal.Scheduled{Schedule: focal.GammaSchedule{Below: []float64{0.2}}}, focal.Options{}, focal.ErrParam, "thresholds"},
		{"flsd thresholds not increasing", focal.Scheduled{Schedule: focal.GammaSchedule{Below: []float64{0.5, 0.2}, Gammas: []float64{1, 2}}}, focal.Options{}, focal.ErrParam, "Below[1]"},
		{"flsd negative gamma", focal.Scheduled{Schedule: focal.GammaSchedule{Below: []float64{0.5}, Gammas: []float64{-1}}}, focal.Options{}, focal.ErrGamma, "Gammas[0]"},
		{"flsd else NaN", focal.Scheduled{Schedule: focal.GammaSchedule{Else: nan}}, focal.Options{}, focal.ErrGamma, "Else"},
		{"reduced alpha < 0", focal.Reduced{Alpha: -1, Gamma: 2, Threshold: 0.5}, focal.Options{}, focal.ErrAlpha, "alpha"},
		{"reduced threshold < 0", focal.Reduced{Gamma: 2, Threshold: -0.5}, focal.Options{}, focal.ErrParam, "threshold"},
		{"reduced threshold > 1", focal.Reduced{Gamma: 2, Threshold: 1.5}, focal.Options{}, focal.ErrParam, "threshold"},
		{"reduced th^-gamma overflows", focal.Reduced{Gamma: 3, Threshold: 1e-101}, focal.Options{}, focal.ErrParam, "threshold"},
		{"gaussian gamma < 0", focal.Gaussian{Gamma: -1, Beta: 4}, focal.Options{}, focal.ErrGamma, "gamma"},
		{"gaussian beta NaN", focal.Gaussian{Gamma: 2, Beta: nan}, focal.Options{}, focal.ErrGamma, "beta"},
		// With several bad parameters, the first in the member's order is named.
		{"poly1 alpha and epsilon bad", focal.Poly1{Alpha: 2, Gamma: 2, Epsilon: nan}, focal.Options{}, focal.ErrAlpha, "alpha"},
		{"flstar gamma and beta bad", focal.FLStar{Gamma: math.Inf(1), Beta: nan}, focal.Options{}, focal.ErrGamma, "FL* wants"},
		{"asl gamma-neg and margin bad", focal.Asymmetric{GammaNeg: -1, Margin: 2}, focal.Options{}, focal.ErrGamma, "gamma-neg"},
		{"reduced gamma and threshold bad", focal.Reduced{Gamma: nan, Threshold: 5}, focal.Options{}, focal.ErrGamma, "gamma"},
		{"flsd alpha and schedule bad", focal.Scheduled{Alpha: 2, Schedule: focal.GammaSchedule{Else: -1}}, focal.Options{}, focal.ErrAlpha, "alpha"},
		{"reduction out of range", focal.Poly1{Gamma: 2}, focal.Options{Reduction: 9}, focal.ErrReduction, "Reduction(9)"},
		{"normalizer negative", focal.Quality{Beta: 2}, focal.Options{Normalizer: -1}, focal.ErrNormalizer, "normalizer"},
		{"min hessian negative", focal.Quality{Beta: 2}, focal.Options{MinHessian: -1}, focal.ErrParam, "min hessian"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loss := []float64{7, 7}
			_, err := focal.Loss(c.m, c.o, focal.Outputs[float64]{Loss: loss}, focal.Input[float64]{Logits: []float64{1, -1}, Targets: []float64{1, 0}})
			if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.word) {
				t.Errorf("error = %v, want %v naming %q", err, c.err, c.word)
			}
			if c.o == (focal.Options{}) {
				if err := c.m.Validate(); !errors.Is(err, c.err) {
					t.Errorf("Validate = %v, want %v", err, c.err)
				}
			} else if err := c.m.Validate(); err != nil {
				t.Errorf("Validate = %v for a valid member", err)
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
		{"target > 1", focal.KindPoly1.Default(), []float64{0, 1.5, 1}, nil, nil, 3, focal.ErrTarget, "targets[1]"},
		{"target NaN", focal.KindQFL.Default(), []float64{0, 1, math.NaN()}, nil, nil, 3, focal.ErrTarget, "targets[2]"},
		{"soft target for asl", focal.KindASL.Default(), []float64{0, 0.5, 1}, nil, nil, 3, focal.ErrTarget, "targets[1]"},
		{"soft target for flstar", focal.KindFLStar.Default(), []float64{0.1, 0, 1}, nil, nil, 3, focal.ErrTarget, "targets[0]"},
		{"negative weight", focal.KindVarifocal.Default(), []float64{0, 0.5, 1}, []float64{1, 1, -1}, nil, 3, focal.ErrWeight, "weights[2]"},
		{"bad weight before a bad target", focal.KindFocal.Default(), []float64{0, 1.5, 1}, []float64{-1, 1, 1}, nil, 3, focal.ErrWeight, "weights[0]"},
		{"bad target before a bad weight", focal.KindFocal.Default(), []float64{0, 1.5, 1}, []float64{1, 1, -1}, nil, 3, focal.ErrTarget, "targets[1]"},
		{"soft target for asl before a NaN weight", focal.KindASL.Default(), []float64{0, 0.5, 1}, []float64{1, 1, math.NaN()}, nil, 3, focal.ErrTarget, "targets[1]"},
		{"infinite weight", focal.KindFocal.Default(), []float64{0, 1, 1}, []float64{math.Inf(1), 1, 1}, nil, 3, focal.ErrWeight, "weights[0]"},
		{"soft target for asl before a bad one", focal.KindASL.Default(), []float64{0, 0.5, 2}, nil, nil, 3, focal.ErrTarget, "targets[1] = 0.5 (asl"},
		{"masked: soft target for flstar before a bad one", focal.KindFLStar.Default(), []float64{0.5, 0, -1}, nil, []bool{false, false, false}, 3, focal.ErrTarget, "targets[0] = 0.5 (flstar"},
		{"masked: bad weight before a bad target", focal.KindFocal.Default(), []float64{0, 1.5, 1}, []float64{-1, 1, 1}, []bool{false, false, true}, 3, focal.ErrWeight, "weights[0]"},
		{"masked: bad target before a bad weight", focal.KindFocal.Default(), []float64{0, 1.5, 1}, []float64{1, 1, -1}, []bool{true, false, false}, 3, focal.ErrTarget, "targets[1]"},
		{"masked: soft target for asl before a NaN weight", focal.KindASL.Default(), []float64{0, 0.5, 1}, []float64{1, 1, math.NaN()}, []bool{false, false, false}, 3, focal.ErrTarget, "targets[1]"},
		{"masked: bad target", focal.KindPoly1.Default(), []float64{7, 0, -1}, nil, []bool{true, false, false}, 3, focal.ErrTarget, "targets[2]"},
		{"short targets", focal.KindReduced.Default(), []float64{0, 1}, nil, nil, 3, focal.ErrLength, "targets"},
		{"short weights", focal.KindReduced.Default(), []float64{0, 1, 1}, []float64{1}, nil, 3, focal.ErrLength, "weights"},
		{"short mask", focal.KindReduced.Default(), []float64{0, 1, 1}, nil, []bool{true}, 3, focal.ErrLength, "ignore"},
		{"short output", focal.KindFLSD.Default(), []float64{0, 1, 1}, nil, nil, 2, focal.ErrLength, "Loss"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loss := make([]float64, c.out)
			for i := range loss {
				loss[i] = 7
			}
			_, err := focal.Loss(c.m, focal.Options{}, focal.Outputs[float64]{Loss: loss}, focal.Input[float64]{Logits: x, Targets: c.y, Weights: c.w, Ignore: c.ign})
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
	if _, err := focal.Loss(focal.KindASL.Default(), focal.Options{}, focal.Outputs[float64]{}, focal.Input[float64]{Logits: x, Targets: []float64{0, 0.5, 1}, Ignore: []bool{false, true, false}}); err != nil {
		t.Errorf("ignored soft target: %v", err)
	}
	// Nor an ignored element's bad target or weight.
	if _, err := focal.Loss(focal.KindFocal.Default(), focal.Options{}, focal.Outputs[float64]{}, focal.Input[float64]{Logits: x, Targets: []float64{0, 7, 1}, Weights: []float64{1, -1, 1}, Ignore: []bool{false, true, false}}); err != nil {
		t.Errorf("ignored bad target and weight: %v", err)
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
		red  focal.Reduction
	}{
		{"asl/tiny-gamma/tiny-margin", focal.Asymmetric{GammaPos: 0.01, GammaNeg: 0.01, Margin: 1e-300}, focal.None},
		{"qfl/b0.01", focal.Quality{Beta: 0.01}, focal.None},
		{"qfl/b1", focal.Quality{Beta: 1}, focal.None},
		{"reduced/tiny-threshold", focal.Reduced{Gamma: 3, Threshold: 1e-99}, focal.None},
		{"poly1/huge-epsilon", focal.Poly1{Gamma: 0.1, Epsilon: 1e300}, focal.None},
		{"gaussian/tiny-gamma/huge-beta", focal.Gaussian{Gamma: 0.01, Beta: 300}, focal.None},
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
				opt := focal.Options{Reduction: mc.red}
				o := focal.Outputs[float64]{Loss: make([]float64, len(X)), Grad: make([]float64, len(X)), Hess: make([]float64, len(X))}
				if _, err := focal.Loss(mc.m, opt, o, focal.Input[float64]{Logits: X, Targets: Y}); err != nil {
					t.Fatal(err)
				}
				o32 := focal.Outputs[float32]{Loss: make([]float32, len(X)), Grad: make([]float32, len(X)), Hess: make([]float32, len(X))}
				if _, err := focal.Loss(mc.m, opt, o32, focal.Input[float32]{Logits: toT[float32](X), Targets: toT[float32](Y)}); err != nil {
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
			if _, err := focal.Loss(mc.m, focal.Options{Reduction: mc.red}, o, focal.Input[float64]{Logits: []float64{math.NaN()}, Targets: []float64{1}}); err != nil {
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

// TestFamilyHotPathAllocatesNothing checks Loss with members of a
// concrete type (vectorized or not) and with a Member interface value
// built once.
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
	in := focal.Input[float32]{Logits: x, Targets: y}
	ign := make([]bool, n)
	for i := range ign {
		ign[i] = i%5 == 4
	}
	masked := focal.Input[float32]{Logits: x, Targets: y, Ignore: ign}
	m := focal.KindReduced.Default()
	poly := focal.Poly1{Alpha: 0.25, Gamma: 2, Epsilon: 1}
	asl := focal.Asymmetric{GammaPos: 1, GammaNeg: 4, Margin: 0.05, DetachWeight: true}
	sched := focal.Scheduled{Schedule: focal.FLSD53()}
	gauss := focal.Gaussian{Gamma: 2, Beta: 4}
	for name, f := range map[string]func(){
		"Loss[Sigmoid]":    func() { _, _ = focal.Loss(paper, positives, out, in) },
		"Loss[Poly1]":      func() { _, _ = focal.Loss(poly, positives, out, in) },
		"Loss[Asymmetric]": func() { _, _ = focal.Loss(asl, focal.Options{Reduction: focal.Sum}, out, in) },
		"Loss[Scheduled]":  func() { _, _ = focal.Loss(sched, focal.Options{}, out, in) },
		"Loss[Gaussian]":   func() { _, _ = focal.Loss(gauss, positives, out, in) },
		"Loss[Member]":     func() { _, _ = focal.Loss(m, focal.Options{}, out, in) },
		// The float32 lanes of γ outside {0, 1, 2} (loss and gradient), and
		// a member with a mask.
		"Loss[Sigmoid γ = 2.5]": func() {
			_, _ = focal.Loss(focal.Sigmoid{Alpha: 0.25, Gamma: 2.5}, positives, focal.Outputs[float32]{Grad: out.Grad}, in)
		},
		"Loss[Scheduled] masked": func() { _, _ = focal.Loss(sched, focal.Options{}, focal.Outputs[float32]{Grad: out.Grad}, masked) },
	} {
		f()
		if a := testing.AllocsPerRun(20, f); a != 0 {
			t.Errorf("%s: %v allocations per call", name, a)
		}
	}
}

// TestReducedZeroGammaAtInfiniteLogits: Reduced with γ = 0 is α-balanced
// cross-entropy above the threshold too, so an infinite logit on its
// target's side has loss, gradient and Hessian 0, as Loss documents, not
// the NaN of 0·log 0 (FuzzMemberKernels found it against the kernel).
func TestReducedZeroGammaAtInfiniteLogits(t *testing.T) {
	m := focal.Reduced{Alpha: 0.09, Threshold: 0.09}
	for _, c := range []struct{ x, y float64 }{{math.Inf(1), 1}, {math.Inf(-1), 0}} {
		l, g, h := m.Elem(c.x, c.y)
		if l != 0 || g != 0 || h != 0 {
			t.Errorf("Elem(%v, %v) = %v, %v, %v; want 0, 0, 0", c.x, c.y, l, g, h)
		}
	}
}

// TestHardMembersFindTheFirstSoftTarget: a member that wants targets in
// {0, 1} names the first other target, wherever it stands among random 0s
// and 1s and however close it is to 0 or 1, in float32 and float64.
func TestHardMembersFindTheFirstSoftTarget(t *testing.T) {
	hard := []focal.Member{focal.KindFLStar.Default(), focal.KindASL.Default()}
	for _, m := range hard {
		for _, n := range []int{1, 3, 4, 5, 9, 1000, 70000} {
			for _, at := range []int{0, n / 2, n - 1} {
				for _, soft := range []float64{0.5, math.SmallestNonzeroFloat32, 0x1p-126, 1 - 0x1p-24, 1 - 0x1p-53} {
					checkFirstSoft[float32](t, m, n, at, soft)
					checkFirstSoft[float64](t, m, n, at, soft)
				}
			}
			checkFirstSoft[float32](t, m, n, -1, 0)
		}
	}
}

// checkFirstSoft runs m on n targets alternating in runs of 0s and 1s, with
// soft at index at (none if at < 0), and wants ErrTarget naming that index,
// or no error.
func checkFirstSoft[T focal.Float](t *testing.T, m focal.Member, n, at int, soft float64) {
	t.Helper()
	x, y := make([]T, n), make([]T, n)
	for i := range y {
		y[i] = T((i * 7 / 3) % 2)
	}
	if at >= 0 {
		y[at] = T(soft)
		if y[at] == 0 || y[at] == 1 {
			return // not soft in T
		}
	}
	_, err := focal.Loss(m, focal.Options{}, focal.Outputs[T]{}, focal.Input[T]{Logits: x, Targets: y})
	want := fmt.Sprintf("targets[%d]", at)
	switch {
	case at < 0 && err != nil:
		t.Errorf("%s, n = %d, hard targets: %v", m.Kind(), n, err)
	case at >= 0 && (!errors.Is(err, focal.ErrTarget) || !strings.Contains(err.Error(), want+" =")):
		t.Errorf("%s, n = %d, %T target %v at %d: got %v, want ErrTarget naming %s", m.Kind(), n, y[0], soft, at, err, want)
	}
}

package gomlx

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
	. "github.com/gomlx/gomlx/core/graph"
)

// familyCases cover every member with its defaults and with parameters
// that take its other branches (integer and fractional exponents, margins,
// detached and exact weights, each reduction). hard marks members whose
// targets must be 0 or 1.
var familyCases = []struct {
	name string
	m    focal.Member
	hard bool
}{
	{"poly1 default", focal.DefaultPoly1, false},
	{"poly1 ε<0 γ=0.5 none", focal.Poly1{Alpha: focal.NoAlpha, Gamma: 0.5, Epsilon: -0.7, Reduction: focal.None}, false},
	{"poly1 γ=0 mean", focal.Poly1{Alpha: 0.3, Epsilon: 2, Reduction: focal.Mean}, false},
	{"asl default (detached)", focal.DefaultAsymmetric, true},
	{"asl exact margin γ₋=2.5", focal.Asymmetric{GammaPos: 0.5, GammaNeg: 2.5, Margin: 0.1, Reduction: focal.Mean}, true},
	{"asl exact no margin", focal.Asymmetric{GammaPos: 2, GammaNeg: 3, Reduction: focal.None}, true},
	{"asl detached margin γ₋=0", focal.Asymmetric{GammaPos: 1, Margin: 0.2, DetachWeight: true, Reduction: focal.Sum}, true},
	{"qfl default", focal.DefaultQuality, false},
	{"qfl β=1.5 none", focal.Quality{Beta: 1.5, Reduction: focal.None}, false},
	{"qfl β=1 sum", focal.Quality{Beta: 1, Reduction: focal.Sum}, false},
	{"qfl β=0 mean", focal.Quality{Reduction: focal.Mean}, false},
	{"varifocal default", focal.DefaultVarifocal, false},
	{"varifocal γ=0.5 unweighted none", focal.Varifocal{Alpha: 0.5, Gamma: 0.5, Reduction: focal.None}, false},
	{"fl* default", focal.DefaultFLStar, true},
	{"fl* γ=1 β=0 none", focal.FLStar{Alpha: focal.NoAlpha, Gamma: 1, Reduction: focal.None}, true},
	{"flsd-53", focal.DefaultScheduled(), false},
	{"scheduled fractional α", focal.Scheduled{Alpha: 0.25, Schedule: focal.GammaSchedule{Below: []float64{0.3}, Gammas: []float64{0.5}, Else: 2.5}, Reduction: focal.Positives}, false},
	{"reduced default", focal.DefaultReduced, false},
	{"reduced th=0.3 γ=1.5 α none", focal.Reduced{Alpha: 0.25, Gamma: 1.5, Threshold: 0.3, Reduction: focal.None}, false},
	{"reduced normalizer", focal.Reduced{Alpha: focal.NoAlpha, Gamma: 2, Threshold: 0.5, Reduction: focal.Mean, Normalizer: 4}, false},
	{"sigmoid through Family", focal.DefaultSigmoid, false},
}

// memberReduction returns m's reduction and normalizer.
func memberReduction(m focal.Member) (focal.Reduction, float64) {
	switch v := m.(type) {
	case focal.Sigmoid:
		return v.Reduction, v.Normalizer
	case focal.Poly1:
		return v.Reduction, v.Normalizer
	case focal.Asymmetric:
		return v.Reduction, v.Normalizer
	case focal.Quality:
		return v.Reduction, v.Normalizer
	case focal.Varifocal:
		return v.Reduction, v.Normalizer
	case focal.FLStar:
		return v.Reduction, v.Normalizer
	case focal.Scheduled:
		return v.Reduction, v.Normalizer
	case focal.Reduced:
		return v.Reduction, v.Normalizer
	}
	panic("unknown member")
}

// coreFamily is coreSigmoid for any member.
func coreFamily[T float](t *testing.T, m focal.Member, x, y, w []T, ignore []bool) (val, grad []T) {
	t.Helper()
	out := focal.Outputs[T]{Loss: make([]T, len(x)), Grad: make([]T, len(x))}
	tot, err := focal.FamilyWeighted(m, out, x, y, w, ignore)
	if err != nil {
		t.Fatal(err)
	}
	r, norm := memberReduction(m)
	if r == focal.None {
		return out.Loss, out.Grad
	}
	v := tot.Reduce(r)
	if norm > 0 && r != focal.Sum {
		v = tot.Sum / norm
	}
	return []T{T(v)}, out.Grad
}

func TestFamilyLossEqualsCore(t *testing.T) {
	t.Run("float64", testFamilyEqualsCore[float64])
	t.Run("float32", testFamilyEqualsCore[float32])
}

func testFamilyEqualsCore[T float](t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 2))
	xs, ys := sigmoidInputs[T](rng, 30)
	var xh, yh []T // hard targets only
	for i := range xs {
		if ys[i] == 0 || ys[i] == 1 {
			xh, yh = append(xh, xs[i]), append(yh, ys[i])
		}
	}
	for _, c := range familyCases {
		t.Run(c.name, func(t *testing.T) {
			x, y := xs, ys
			if c.hard {
				x, y = xh, yh
			}
			n := len(x)
			w, mask, ignore := make([]T, n), make([]bool, n), make([]bool, n)
			for i := range w {
				w[i] = T(rng.Float64() * 2)
				mask[i] = rng.IntN(4) != 0
				ignore[i] = !mask[i]
			}
			val, grad := evalGrad(t, func(in []*Node) *Node { return FamilyLoss(in[0], in[1], c.m) }, x, []int{n}, tensorOf(y, n))
			wantVal, wantGrad := coreFamily(t, c.m, x, y, nil, nil)
			compare(t, "loss", val, wantVal, 0)
			compare(t, "grad", grad, wantGrad, gradAbs)

			fn, err := Family(c.m)
			if err != nil {
				t.Fatal(err)
			}
			val, grad = evalGrad(t, func(in []*Node) *Node { return fn(in[1:], in[:1]) },
				x, []int{n}, tensorOf(y, n), tensorOf(mask, n), tensorOf(w, n))
			wantVal, wantGrad = coreFamily(t, c.m, x, y, w, ignore)
			compare(t, "weighted loss", val, wantVal, 0)
			compare(t, "weighted grad", grad, wantGrad, gradAbs)
		})
	}
}

// Every member's gradient is finite at saturated logits and at 0, for
// fractional exponents too.
func TestFamilyGradientsFiniteAtExtremes(t *testing.T) {
	x := []float64{0, 0, 40, 40, -40, -40, 750, 750, -750, -750, 1e30, 1e30, -1e30, -1e30}
	y := []float64{0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}
	for _, m := range []focal.Member{
		focal.Poly1{Alpha: 0.25, Gamma: 0.3, Epsilon: 1, Reduction: focal.Sum},
		focal.Asymmetric{GammaPos: 0.2, GammaNeg: 0.7, Margin: 0.05, Reduction: focal.Sum},
		focal.Asymmetric{GammaPos: 0.2, GammaNeg: 0.7, Reduction: focal.Sum},
		focal.Quality{Beta: 0.5, Reduction: focal.Sum},
		focal.Varifocal{Alpha: 0.75, Gamma: 0.4, IoUWeighted: true, Reduction: focal.Sum},
		focal.FLStar{Alpha: 0.25, Gamma: 2, Beta: 1, Reduction: focal.Sum},
		focal.Scheduled{Alpha: focal.NoAlpha, Schedule: focal.GammaSchedule{Below: []float64{0.5}, Gammas: []float64{0.5}, Else: 0.25}, Reduction: focal.Sum},
		focal.Reduced{Alpha: focal.NoAlpha, Gamma: 0.5, Threshold: 0.5, Reduction: focal.Sum},
	} {
		val, grad := evalGrad(t, func(in []*Node) *Node { return FamilyLoss(in[0], in[1], m) }, x, []int{len(x)}, tensorOf(y, len(y)))
		for i, d := range grad {
			if math.IsNaN(d) || math.IsInf(d, 0) {
				t.Errorf("%v: x = %v, y = %v: gradient %v", m.Kind(), x[i], y[i], d)
			}
		}
		wantVal, wantGrad := coreFamily(t, m, x, y, nil, nil)
		compare(t, string(m.Kind())+" loss", val, wantVal, 0)
		compare(t, string(m.Kind())+" grad", grad, wantGrad, gradAbs)
	}
}

// The identities that tie members to focal loss hold in the graph too.
func TestFamilyIdentitiesWithFocal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	x, y := sigmoidInputs[float64](rng, 10)
	var xh, yh []float64
	for i := range x {
		if y[i] == 0 || y[i] == 1 {
			xh, yh = append(xh, x[i]), append(yh, y[i])
		}
	}
	var xm, ym []float64 // |x| < 4 and hard targets: pₜ > σ(−4) > 0.01
	for i := range xh {
		if math.Abs(xh[i]) < 4 {
			xm, ym = append(xm, xh[i]), append(ym, yh[i])
		}
	}
	fl := focal.Sigmoid{Alpha: focal.NoAlpha, Gamma: 2, Reduction: focal.None}
	for _, c := range []struct {
		name   string
		m      focal.Member
		x, y   []float64
		target focal.Sigmoid
	}{
		{"poly1 ε=0", focal.Poly1{Alpha: 0.25, Gamma: 2.5, Reduction: focal.None}, x, y, focal.Sigmoid{Alpha: 0.25, Gamma: 2.5}},
		{"asl γ₊=γ₋ m=0 exact", focal.Asymmetric{GammaPos: 2, GammaNeg: 2, Reduction: focal.None}, xh, yh, fl},
		{"qfl hard targets", focal.Quality{Beta: 2, Reduction: focal.None}, xh, yh, fl},
		{"reduced th below every pₜ", focal.Reduced{Alpha: focal.NoAlpha, Gamma: 2, Threshold: 0.01, Reduction: focal.None}, xm, ym, fl},
	} {
		got, gotGrad := evalGrad(t, func(in []*Node) *Node { return FamilyLoss(in[0], in[1], c.m) }, c.x, []int{len(c.x)}, tensorOf(c.y, len(c.y)))
		want, wantGrad := evalGrad(t, func(in []*Node) *Node { return SigmoidFocalLoss(in[0], in[1], c.target) }, c.x, []int{len(c.x)}, tensorOf(c.y, len(c.y)))
		if c.name == "reduced th below every pₜ" {
			// RFL = th^−γ·FL where pₜ ≥ th everywhere: compare RFL·th^γ.
			for i := range got {
				got[i] *= 0.01 * 0.01
				gotGrad[i] *= 0.01 * 0.01
			}
		}
		compare(t, c.name+" loss", got, want, 0)
		compare(t, c.name+" grad", gotGrad, wantGrad, gradAbs)
	}
}

func TestFamilyBadParametersAreErrors(t *testing.T) {
	for _, c := range []struct {
		m    focal.Member
		want error
	}{
		{focal.Poly1{Gamma: -1}, focal.ErrGamma},
		{focal.Asymmetric{Margin: 1}, focal.ErrParam},
		{focal.FLStar{Gamma: 0}, focal.ErrGamma},
		{focal.Varifocal{Alpha: 2}, focal.ErrAlpha},
		{focal.Reduced{Threshold: 0}, focal.ErrParam},
		{focal.Scheduled{Schedule: focal.GammaSchedule{Below: []float64{0.5, 0.2}, Gammas: []float64{1, 2}}}, focal.ErrParam},
		{nil, focal.ErrParam},
	} {
		if _, err := Family(c.m); !errors.Is(err, c.want) {
			t.Errorf("Family(%#v): error %v, want %v", c.m, err, c.want)
		}
		_, _, err := tryEvalGrad(func(in []*Node) *Node { return FamilyLoss(in[0], in[1], c.m) },
			[]float64{1}, []int{1}, tensorOf([]float64{1}, 1))
		if !errors.Is(err, c.want) {
			t.Errorf("FamilyLoss(%#v): error %v, want %v", c.m, err, c.want)
		}
	}
}

package focalloss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/focalgo/focal"
	"github.com/gomlx/gomlx/core/graph"
)

// targetSet names the targets a family case is checked on.
type targetSet int

const (
	softTargets    targetSet = iota // sigmoidInputs: hard, soft and random
	hardTargets                     // sigmoidInputs' 0 and 1 targets only
	heatmapTargets                  // heatmapInputs: Gaussian-smoothed keypoints
)

// familyCases cover every member with its defaults and with parameters
// that take its other branches (integer and fractional exponents, margins,
// detached and exact weights, each reduction), each with its options.
// targets says which inputs the member takes: FL* and Asymmetric want hard
// targets, Gaussian is made for keypoint heatmaps.
var familyCases = []struct {
	name    string
	m       focal.Member
	o       focal.Options
	targets targetSet
}{
	{"poly1 default", focal.KindPoly1.Default(), focal.Options{Reduction: focal.Positives}, softTargets},
	{"poly1 ε<0 γ=0.5 none", focal.Poly1{Gamma: 0.5, Epsilon: -0.7}, focal.Options{Reduction: focal.None}, softTargets},
	{"poly1 γ=0 mean", focal.Poly1{Alpha: 0.3, Epsilon: 2}, focal.Options{Reduction: focal.Mean}, softTargets},
	{"asl default (detached)", focal.KindASL.Default(), focal.Options{Reduction: focal.Sum}, hardTargets},
	{"asl exact margin γ₋=2.5", focal.Asymmetric{GammaPos: 0.5, GammaNeg: 2.5, Margin: 0.1}, focal.Options{Reduction: focal.Mean}, hardTargets},
	{"asl exact no margin", focal.Asymmetric{GammaPos: 2, GammaNeg: 3}, focal.Options{Reduction: focal.None}, hardTargets},
	{"asl detached margin γ₋=0", focal.Asymmetric{GammaPos: 1, Margin: 0.2, DetachWeight: true}, focal.Options{Reduction: focal.Sum}, hardTargets},
	{"qfl default", focal.KindQFL.Default(), focal.Options{Reduction: focal.Positives}, softTargets},
	{"qfl β=1.5 none", focal.Quality{Beta: 1.5}, focal.Options{Reduction: focal.None}, softTargets},
	{"qfl β=1 sum", focal.Quality{Beta: 1}, focal.Options{Reduction: focal.Sum}, softTargets},
	{"qfl β=0 mean", focal.Quality{}, focal.Options{Reduction: focal.Mean}, softTargets},
	{"varifocal default", focal.KindVarifocal.Default(), focal.Options{Reduction: focal.Positives}, softTargets},
	{"varifocal γ=0.5 unweighted none", focal.Varifocal{Alpha: 0.5, Gamma: 0.5}, focal.Options{Reduction: focal.None}, softTargets},
	{"fl* default", focal.KindFLStar.Default(), focal.Options{Reduction: focal.Positives}, hardTargets},
	{"fl* γ=1 β=0 none", focal.FLStar{Gamma: 1}, focal.Options{Reduction: focal.None}, hardTargets},
	{"flsd-53", focal.KindFLSD.Default(), focal.Options{Reduction: focal.Mean}, softTargets},
	{"scheduled fractional α", focal.Scheduled{Alpha: 0.25, Schedule: focal.GammaSchedule{Below: []float64{0.3}, Gammas: []float64{0.5}, Else: 2.5}}, focal.Options{Reduction: focal.Positives}, softTargets},
	{"reduced default", focal.KindReduced.Default(), focal.Options{Reduction: focal.Mean}, softTargets},
	{"reduced th=0.3 γ=1.5 α none", focal.Reduced{Alpha: 0.25, Gamma: 1.5, Threshold: 0.3}, focal.Options{Reduction: focal.None}, softTargets},
	{"reduced normalizer", focal.Reduced{Gamma: 2, Threshold: 0.5}, focal.Options{Reduction: focal.Mean, Normalizer: 4}, softTargets},
	{"sigmoid through Family", focal.KindFocal.Default(), focal.Options{Reduction: focal.Positives}, softTargets},
	{"gaussian default positives", focal.KindGaussian.Default(), focal.Options{Reduction: focal.Positives}, heatmapTargets},
	{"gaussian default none", focal.KindGaussian.Default(), focal.Options{Reduction: focal.None}, heatmapTargets},
	{"gaussian γ=1.5 β=2.5 sum", focal.Gaussian{Gamma: 1.5, Beta: 2.5}, focal.Options{Reduction: focal.Sum}, heatmapTargets},
	{"gaussian γ=0.5 β=0 normalizer", focal.Gaussian{Gamma: 0.5}, focal.Options{Reduction: focal.Positives, Normalizer: 6}, heatmapTargets},
	{"gaussian γ=3 β=1 mean", focal.Gaussian{Gamma: 3, Beta: 1}, focal.Options{Reduction: focal.Mean}, heatmapTargets},
	{"gaussian default generic targets", focal.KindGaussian.Default(), focal.Options{Reduction: focal.Sum}, softTargets},
}

// heatmapInputs returns logits and targets of CenterNet-style keypoint
// heatmaps: two 9×9 maps, each the maximum of Gaussians (σ = 1.5) around
// two keypoints at grid points, so that the targets are exactly 1 there,
// soft around them and 0 beyond 3σ, with random logits; then every extreme
// logit against a keypoint (1), a near one, a far one and the background (0).
func heatmapInputs[T float](rng *rand.Rand) (x, y []T) {
	const size, sigma = 9, 1.5
	keypoints := [][2][2]int{{{2, 2}, {6, 5}}, {{4, 4}, {8, 0}}}
	for _, kps := range keypoints {
		for i := range size {
			for j := range size {
				h := 0.0
				for _, k := range kps {
					d2 := float64((i-k[0])*(i-k[0]) + (j-k[1])*(j-k[1]))
					if d2 <= 9*sigma*sigma {
						h = max(h, math.Exp(-d2/(2*sigma*sigma)))
					}
				}
				x = append(x, T(wideLogit(rng, len(x))))
				y = append(y, T(h))
			}
		}
	}
	for _, v := range extremeLogits {
		for _, h := range []float64{1, math.Exp(-1 / (2 * sigma * sigma)), math.Exp(-8 / (2 * sigma * sigma)), 0} {
			x, y = append(x, T(v)), append(y, T(h))
		}
	}
	return x, y
}

func TestFamilyLossEqualsCore(t *testing.T) {
	inBothFloats(t, testFamilyEqualsCore[float64], testFamilyEqualsCore[float32])
}

func testFamilyEqualsCore[T float](t *testing.T) {
	rng := newRand(6, 2)
	xs, ys := sigmoidInputs[T](rng, 30)
	var xh, yh []T // hard targets only
	for i := range xs {
		if ys[i] == 0 || ys[i] == 1 {
			xh, yh = append(xh, xs[i]), append(yh, ys[i])
		}
	}
	xk, yk := heatmapInputs[T](newRand(6, 3))
	for _, c := range familyCases {
		t.Run(c.name, func(t *testing.T) {
			x, y := xs, ys
			switch c.targets {
			case hardTargets:
				x, y = xh, yh
			case heatmapTargets:
				x, y = xk, yk
			}
			n := len(x)
			w, mask := randomWeightsAndMask[T](rng, n)
			val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Family(in[0], in[1], c.m, c.o) }, x, []int{n}, tensorOf(y, n))
			wantVal, wantGrad := coreFamily(t, c.m, c.o, x, y, nil, nil)
			compare(t, "loss", val, wantVal, 0)
			compare(t, "grad", grad, wantGrad, gradAbs)

			fn := MakeFamily(c.m, c.o)
			val, grad = evalGrad(t, func(in []*graph.Node) *graph.Node { return fn(in[1:], in[:1]) },
				x, []int{n}, tensorOf(y, n), tensorOf(mask, n), tensorOf(w, n))
			wantVal, wantGrad = coreFamily(t, c.m, c.o, x, y, w, not(mask))
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
	sum := focal.Options{Reduction: focal.Sum}
	for _, m := range []focal.Member{
		focal.Poly1{Alpha: 0.25, Gamma: 0.3, Epsilon: 1},
		focal.Asymmetric{GammaPos: 0.2, GammaNeg: 0.7, Margin: 0.05},
		focal.Asymmetric{GammaPos: 0.2, GammaNeg: 0.7},
		focal.Quality{Beta: 0.5},
		focal.Varifocal{Alpha: 0.75, Gamma: 0.4, IoUWeighted: true},
		focal.FLStar{Alpha: 0.25, Gamma: 2, Beta: 1},
		focal.Scheduled{Schedule: focal.GammaSchedule{Below: []float64{0.5}, Gammas: []float64{0.5}, Else: 0.25}},
		focal.Reduced{Gamma: 0.5, Threshold: 0.5},
		focal.Gaussian{Gamma: 0.5, Beta: 1.5},
	} {
		val, grad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Family(in[0], in[1], m, sum) }, x, []int{len(x)}, tensorOf(y, len(y)))
		for i, d := range grad {
			if math.IsNaN(d) || math.IsInf(d, 0) {
				t.Errorf("%v: x = %v, y = %v: gradient %v", m.Kind(), x[i], y[i], d)
			}
		}
		wantVal, wantGrad := coreFamily(t, m, sum, x, y, nil, nil)
		compare(t, string(m.Kind())+" loss", val, wantVal, 0)
		compare(t, string(m.Kind())+" grad", grad, wantGrad, gradAbs)
	}
}

// The identities that tie members to focal loss hold in the graph too.
func TestFamilyIdentitiesWithFocal(t *testing.T) {
	rng := newRand(3, 3)
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
	none := focal.Options{Reduction: focal.None}
	fl := focal.Sigmoid{Gamma: 2}
	for _, c := range []struct {
		name   string
		m      focal.Member
		x, y   []float64
		target focal.Sigmoid
	}{
		{"poly1 ε=0", focal.Poly1{Alpha: 0.25, Gamma: 2.5}, x, y, focal.Sigmoid{Alpha: 0.25, Gamma: 2.5}},
		{"asl γ₊=γ₋ m=0 exact", focal.Asymmetric{GammaPos: 2, GammaNeg: 2}, xh, yh, fl},
		{"qfl hard targets", focal.Quality{Beta: 2}, xh, yh, fl},
		{"reduced th below every pₜ", focal.Reduced{Gamma: 2, Threshold: 0.01}, xm, ym, fl},
	} {
		got, gotGrad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Family(in[0], in[1], c.m, none) }, c.x, []int{len(c.x)}, tensorOf(c.y, len(c.y)))
		want, wantGrad := evalGrad(t, func(in []*graph.Node) *graph.Node { return Sigmoid(in[0], in[1], c.target, none) }, c.x, []int{len(c.x)}, tensorOf(c.y, len(c.y)))
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
		o    focal.Options
		want error
	}{
		{focal.Poly1{Gamma: -1}, focal.Options{}, focal.ErrGamma},
		{focal.Asymmetric{Margin: 1}, focal.Options{}, focal.ErrParam},
		{focal.FLStar{Gamma: -1}, focal.Options{}, focal.ErrGamma},
		{focal.Varifocal{Alpha: 2}, focal.Options{}, focal.ErrAlpha},
		{focal.Reduced{Threshold: 1.5}, focal.Options{}, focal.ErrParam},
		{focal.Scheduled{Schedule: focal.GammaSchedule{Below: []float64{0.5, 0.2}, Gammas: []float64{1, 2}}}, focal.Options{}, focal.ErrParam},
		{focal.Gaussian{Beta: -1}, focal.Options{}, focal.ErrGamma},
		{nil, focal.Options{}, focal.ErrParam},
		{focal.Poly1{}, focal.Options{Reduction: 9}, focal.ErrReduction},
		{focal.Quality{}, focal.Options{Normalizer: -1}, focal.ErrNormalizer},
	} {
		args := fmt.Sprintf("(%#v, %+v)", c.m, c.o)
		wantErr(t, "Validate"+args, Validate(c.m, c.o), c.want)
		wantErr(t, "MakeFamily"+args+" panic", panicErr(func() { MakeFamily(c.m, c.o) }), c.want)
		_, _, err := tryEvalGrad(func(in []*graph.Node) *graph.Node { return Family(in[0], in[1], c.m, c.o) },
			[]float64{1}, []int{1}, tensorOf([]float64{1}, 1))
		wantErr(t, "Family"+args, err, c.want)
	}
}

// Every kind the core package registers has a graph: a member added to the
// core without its graph file fails here. Its default member's value and
// gradient equal the core's on hard targets (valid for every kind).
func TestEveryKindHasAGraph(t *testing.T) {
	x := []float64{-3, -0.5, 0, 0.7, 2, 5}
	y := []float64{0, 1, 0, 1, 1, 0}
	kinds := focal.Kinds()
	if len(kinds) == 0 {
		t.Fatal("focal.Kinds() is empty")
	}
	for _, k := range kinds {
		t.Run(string(k), func(t *testing.T) {
			m := k.Default()
			if m == nil {
				t.Fatalf("%s.Default() = nil", k)
			}
			if err := Validate(m, focal.Options{}); err != nil {
				t.Fatalf("Validate(%s default): %v", k, err)
			}
			val, grad, err := tryEvalGrad(func(in []*graph.Node) *graph.Node { return Family(in[0], in[1], m, focal.Options{}) },
				x, []int{len(x)}, tensorOf(y, len(y)))
			if err != nil {
				t.Fatalf("Family(%s default): %v", k, err)
			}
			wantVal, wantGrad := coreFamily(t, m, focal.Options{}, x, y, nil, nil)
			compare(t, "loss", val, wantVal, 0)
			compare(t, "grad", grad, wantGrad, gradAbs)
		})
	}
}

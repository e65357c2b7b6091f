package train

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
	"github.com/focalgo/focal/cmd/focal/internal/synthetic"
)

// TestLogisticGradientIsTheDerivativeOfItsObjective: the gradient the
// L-BFGS solver follows (the core's gradient with respect to the logits,
// pulled back through x·W + b, plus λW) equals central finite
// differences of its objective, for every output form and with class
// weights.
func TestLogisticGradientIsTheDerivativeOfItsObjective(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const n, f = 40, 5
	xs := make([]float32, n*f)
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
	}
	for _, c := range []struct {
		name, loss string
		binary     bool
		classes    int
	}{
		{"binary focal", "focal", true, 2},
		{"binary class-balanced focal", "cb-focal", true, 2},
		{"binary poly1 with per-class α", "poly1", true, 2},
		{"softmax focal", "focal", false, 3},
		{"softmax cb-focal", "cb-focal", false, 3},
		{"one-vs-rest sigmoid cb-focal", "cb-focal-sigmoid", false, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			y := make([]int, n)
			counts := make([]int, c.classes)
			for i := range y {
				y[i] = (i * i) % c.classes
				counts[y[i]]++
			}
			p := DefaultLossParams()
			p.Beta = 0.9
			if c.loss == "poly1" {
				p.Alphas = []float64{0.3, 1.7}
			}
			ls, err := ParseLosses(c.loss, p)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := ls[0].spec(c.binary, counts)
			if err != nil {
				t.Fatal(err)
			}
			k := spec.outputs()
			obj := newRegression(xs, n, f, k, 0.05, newObjective(spec, y))
			theta := make([]float64, f*k+k)
			for i := range theta {
				theta[i] = rng.NormFloat64()
			}
			obj.eval(theta)
			if obj.err != nil {
				t.Fatal(obj.err)
			}
			grad := append([]float64(nil), obj.grad...)
			const h = 1e-6
			for i := range theta {
				at := append([]float64(nil), theta...)
				at[i] = theta[i] + h
				obj.eval(at)
				up := obj.value
				at[i] = theta[i] - h
				obj.eval(at)
				fd := (up - obj.value) / (2 * h)
				if math.Abs(fd-grad[i]) > 1e-7*(1+math.Abs(fd)) {
					t.Errorf("θ[%d]: gradient %.10g, finite difference %.10g", i, grad[i], fd)
				}
			}
		})
	}
}

// newton returns the minimiser of the mean cross-entropy of logistic
// regression plus λ/2·‖w‖² (bias unpenalised) on rows x, by Newton's
// method written out independently of the solver: σ, the gradient
// Xᵀ(p − y)/N + λw and the Hessian XᵀSX/N + λI with S = diag(p(1 − p)).
// It returns the Hessian at the solution too.
func newton(x [][]float64, y []int, lambda float64) ([]float64, *mat.SymDense) {
	n, f := len(x), len(x[0])
	d := f + 1 // the bias last
	w := make([]float64, d)
	var h *mat.SymDense
	for range 50 {
		g := mat.NewVecDense(d, nil)
		h = mat.NewSymDense(d, nil)
		for i, row := range x {
			z := w[f]
			for j, v := range row {
				z += v * w[j]
			}
			p := 1 / (1 + math.Exp(-z))
			r := append(append([]float64(nil), row...), 1)
			for a := range d {
				g.SetVec(a, g.AtVec(a)+(p-float64(y[i]))*r[a]/float64(n))
				for b := a; b < d; b++ {
					h.SetSym(a, b, h.At(a, b)+p*(1-p)*r[a]*r[b]/float64(n))
				}
			}
		}
		for j := range f {
			g.SetVec(j, g.AtVec(j)+lambda*w[j])
			h.SetSym(j, j, h.At(j, j)+lambda)
		}
		var step mat.VecDense
		if err := step.SolveVec(h, g); err != nil {
			panic(err)
		}
		for a := range d {
			w[a] -= step.AtVec(a)
		}
		if mat.Norm(&step, math.Inf(1)) < 1e-13 {
			break
		}
	}
	return w, h
}

// TestLBFGSCrossEntropyIsNewtonsSolution: at its defaults (C = 1), the
// logistic regression fitted with bce is the minimiser of the mean
// cross-entropy plus ‖w‖²/(2N) that Newton's method finds, as closely as
// the stopping rule allows: a gradient g with |gᵢ| ≤ gradientTol is
// within ‖H⁻¹‖·‖g‖ ≤ √d·gradientTol/λ_min(H) of the minimiser, plus the
// float32 rounding of the stored weights.
func TestLBFGSCrossEntropyIsNewtonsSolution(t *testing.T) {
	s := synthetic.Imbalanced(120, 4, 0.2, 0.6, 8) // overlapping classes: a finite optimum
	ls, _ := ParseLosses("bce", DefaultLossParams())
	fit, err := Fit(context.Background(), FitConfig{Loss: ls[0]}, s, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if fit.Solver != SolverLBFGS || fit.Stop != StopConverged {
		t.Fatalf("solver %s stopped by %s (%s)", fit.Solver, fit.Stop, fit.Detail)
	}
	xs := fit.Model.Standardizer.Apply(s.X)
	rows := make([][]float64, s.N)
	for i := range rows {
		for j := range s.F {
			rows[i] = append(rows[i], float64(xs[i*s.F+j]))
		}
	}
	want, h := newton(rows, s.Y, 1/float64(s.N))
	var eig mat.EigenSym
	if !eig.Factorize(h, false) {
		t.Fatal("no eigenvalues")
	}
	bound := math.Sqrt(float64(len(want))) * gradientTol / eig.Values(nil)[0]
	l := fit.Model.Layers[0]
	got := append(append([]float64(nil), f64(l.W)...), f64(l.B)...)
	dist := 0.0
	for i := range want {
		dist = math.Hypot(dist, got[i]-want[i])
	}
	t.Logf("‖L-BFGS − Newton‖ = %.2g, bound %.2g; %s", dist, bound, fit.Detail)
	if dist > bound+1e-6 {
		t.Errorf("L-BFGS %.8g, Newton %.8g: %.2g apart, bound %.2g", got, want, dist, bound)
	}
}

func f64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// TestDefaultsLearnASeparableSet: with nothing but the data and the loss,
// every loss of --compare separates two well-separated blobs of 48
// examples (AP 1 on the held-out quarter), binary and as three classes,
// and L-BFGS says it converged.
func TestDefaultsLearnASeparableSet(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 5))
	for _, c := range []struct {
		name    string
		classes int
	}{{"binary", 2}, {"three classes", 3}} {
		t.Run(c.name, func(t *testing.T) {
			s := &dataset.Set{F: 2, Features: []string{"a", "b"}}
			for k := range c.classes {
				s.Classes = append(s.Classes, string(rune('p'+k)))
			}
			for i := range 48 {
				k := i % c.classes
				s.X = append(s.X, float32(4*k)+float32(rng.NormFloat64()*0.5), float32(rng.NormFloat64()))
				s.Y = append(s.Y, k)
				s.N++
			}
			losses, _ := ParseLosses("bce,balanced,focal", DefaultLossParams())
			cfg := Config{Data: synthetic.WriteCSV(t, dir, s), Label: "label", TestFraction: 0.25, Losses: losses}
			r, err := Run(context.Background(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, res := range r.Results {
				if res.Stop != StopConverged {
					t.Errorf("%s: stopped by %s (%s)", res.Loss, res.Stop, res.Detail)
				}
				if b := res.Binary; b != nil && b.AveragePrecision != 1 {
					t.Errorf("%s: AP %v, want 1", res.Loss, b.AveragePrecision)
				}
				if m := res.Multiclass; m != nil && m.Accuracy != 1 {
					t.Errorf("%s: accuracy %v, want 1", res.Loss, m.Accuracy)
				}
			}
		})
	}
}

// TestDefaultsMatchScikitLearnOnTheCommittedTables: focal train at its
// defaults with bce fits scikit-learn's LogisticRegression(C=1) objective,
// so its test scores on the tables of docs/train/make_tables.py come
// within 0.01 of the numbers docs/train/sklearn_reference.py recorded in
// docs/train/sklearn-reference.json (scikit-learn 1.2.1): AP on the 15
// binary tasks, accuracy on 10-class digits.
func TestDefaultsMatchScikitLearnOnTheCommittedTables(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "docs", "train", "sklearn-reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Tasks []struct {
			Task, Table string
			Positive    *string
			Default     struct {
				AP       float64 `json:"average_precision"`
				Accuracy float64 `json:"accuracy"`
			}
		}
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Tasks) != 16 {
		t.Fatalf("%d tasks in the reference, want 16", len(ref.Tasks))
	}
	losses, _ := ParseLosses("bce", DefaultLossParams())
	for _, task := range ref.Tasks {
		dir := filepath.Join("testdata", "tables")
		c := Config{Data: filepath.Join(dir, task.Table+".train.csv"), Test: filepath.Join(dir, task.Table+".test.csv"),
			Label: "label", Losses: losses}
		if task.Positive != nil {
			c.Positive = *task.Positive
		}
		r, err := Run(context.Background(), c, nil)
		if err != nil {
			t.Fatalf("%s: %v", task.Task, err)
		}
		res := r.Results[0]
		got, want := 0.0, task.Default.AP
		if res.Binary != nil {
			got = res.Binary.AveragePrecision
		} else {
			got, want = res.Multiclass.Accuracy, task.Default.Accuracy
		}
		t.Logf("%s: %.4f, scikit-learn %.4f (%s, %d iterations)", task.Task, got, want, res.Stop, res.Steps)
		if math.Abs(got-want) > 0.01 {
			t.Errorf("%s: %.4f, scikit-learn %.4f", task.Task, got, want)
		}
	}
}

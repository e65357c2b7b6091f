package train

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/optimize"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
)

// Convergence thresholds of the L-BFGS solver. The objective is a mean
// over the examples, so they do not depend on the number of examples.
// gradientTol is on the largest component of the gradient; scikit-learn's
// lbfgs stops at 1e-4 on the same objective (its tol), so the fit is at
// least as tight as its reference.
const (
	gradientTol = 1e-6
	// The objective must fall by more than this, relative, within
	// stallIterations iterations.
	relativeTol     = 1e-12
	stallIterations = 20
)

// statusInterrupted is the gonum status of a cancelled fit.
var statusInterrupted = optimize.NewStatus("Interrupted", true, nil)

// regression is the L-BFGS objective of a logistic (softmax, or C sigmoid)
// regression: the mean loss of the logits Xw + b plus λ/2·‖w‖², and its
// gradient, from the core package's fused loss and gradient with respect
// to the logits (dL/dW = Xᵀ·dL/dlogits, dL/db = Σ dL/dlogits).
type regression struct {
	x       blas64.General // standardised features [N, F]
	f, k    int            // features, outputs
	lambda  float64
	obj     *objective
	logits  []float64 // [N, K]
	dlogits []float64 // [N, K]
	// The last point evaluated, its value and gradient: gonum asks for the
	// value and the gradient of a point separately.
	at    []float64
	value float64
	grad  []float64
	err   error
	evals int
}

func newRegression(xs []float32, n, f, k int, lambda float64, obj *objective) *regression {
	x := make([]float64, len(xs))
	for i, v := range xs {
		x[i] = float64(v)
	}
	return &regression{
		x: blas64.General{Rows: n, Cols: f, Stride: f, Data: x},
		f: f, k: k, lambda: lambda, obj: obj,
		logits: make([]float64, n*k), dlogits: make([]float64, n*k),
		grad: make([]float64, f*k+k),
	}
}

// weights splits θ into Wᵀ [K, F] (row-major) and b [K]. W is held
// transposed so that the products below run along the F features, the
// long axis (x·Wᵀ is K dot products of length F per row; Gᵀ·x adds rows of
// x): with K = 1 a [N, F]·[F, 1] product would loop over columns of one.
func (l *regression) weights(theta []float64) (blas64.General, []float64) {
	return blas64.General{Rows: l.k, Cols: l.f, Stride: l.f, Data: theta[:l.f*l.k]}, theta[l.f*l.k:]
}

// forward writes the logits of θ into l.logits.
func (l *regression) forward(theta []float64) {
	w, b := l.weights(theta)
	out := blas64.General{Rows: l.x.Rows, Cols: l.k, Stride: l.k, Data: l.logits}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, l.x, w, 0, out)
	for i := 0; i < len(l.logits); i += l.k {
		for j := range l.k {
			l.logits[i+j] += b[j]
		}
	}
}

// eval computes the objective and its gradient at θ, unless θ is the
// point of the last call.
func (l *regression) eval(theta []float64) {
	if l.at != nil && slices.Equal(l.at, theta) {
		return
	}
	l.at = append(l.at[:0], theta...)
	l.evals++
	l.forward(theta)
	v, err := l.obj.eval(l.logits, l.dlogits)
	if err != nil {
		l.err, l.value = err, math.NaN()
		return
	}
	w, _ := l.weights(theta)
	gw, gb := l.weights(l.grad)
	g := blas64.General{Rows: l.x.Rows, Cols: l.k, Stride: l.k, Data: l.dlogits}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, g, l.x, 0, gw)
	clear(gb)
	for i := 0; i < len(l.dlogits); i += l.k {
		for j := range l.k {
			gb[j] += l.dlogits[i+j]
		}
	}
	penalty := 0.0
	for i, wi := range w.Data {
		penalty += wi * wi
		gw.Data[i] += l.lambda * wi
	}
	l.value = v + l.lambda/2*penalty
}

// convergence is the gonum Converger of the fit: it stops on a stalled
// objective or a cancelled ctx, and records every iteration.
type convergence struct {
	ctx      context.Context
	stall    optimize.FunctionConverge
	iter     int
	max      int
	history  []Checkpoint
	progress func(Step)
}

func (c *convergence) Init(dim int) { c.stall.Init(dim) }

func (c *convergence) Converged(loc *optimize.Location) optimize.Status {
	c.history = append(c.history, Checkpoint{Step: c.iter, TrainLoss: loc.F})
	if c.iter > 0 && c.progress != nil {
		c.progress(Step{Done: c.iter, Total: c.max, Loss: loc.F})
	}
	c.iter++
	if c.ctx.Err() != nil {
		return statusInterrupted
	}
	return c.stall.Converged(loc)
}

// fitLBFGS fits the logistic regression m (one layer) to tr by full-batch
// L-BFGS from m's weights (0, with the prior in the biases), and scores
// the result on vs.
func fitLBFGS(ctx context.Context, cfg FitConfig, m *Model, spec lossSpec, tr *dataset.Set, vs *validator) (*Fitted, error) {
	if len(m.Layers) != 1 {
		return nil, fmt.Errorf("train: L-BFGS fits a logistic regression, not %d layers", len(m.Layers))
	}
	layer := &m.Layers[0]
	lambda := 0.0
	if !math.IsInf(cfg.C, 1) {
		lambda = 1 / (cfg.C * float64(tr.N))
	}
	k := spec.outputs()
	obj := newRegression(m.Standardizer.Apply(tr.X), tr.N, tr.F, k, lambda, newObjective(spec, tr.Y))
	theta := make([]float64, tr.F*k+k)
	for i := range tr.F {
		for j := range k {
			theta[j*tr.F+i] = float64(layer.W[i*k+j])
		}
	}
	for j, b := range layer.B {
		theta[tr.F*k+j] = float64(b)
	}
	conv := &convergence{
		ctx: ctx, max: cfg.MaxIter, progress: cfg.Progress,
		stall: optimize.FunctionConverge{Relative: relativeTol, Iterations: stallIterations},
	}
	problem := optimize.Problem{
		Func: func(x []float64) float64 { obj.eval(x); return obj.value },
		Grad: func(grad, x []float64) { obj.eval(x); copy(grad, obj.grad) },
	}
	settings := &optimize.Settings{GradientThreshold: gradientTol, MajorIterations: cfg.MaxIter, Converger: conv}
	res, err := optimize.Minimize(problem, theta, settings, &optimize.LBFGS{})
	if obj.err != nil {
		return nil, obj.err
	}
	if res == nil || !finite(res.X...) || !finite(res.F) {
		if err == nil {
			err = fmt.Errorf("objective %v", res.F)
		}
		return nil, fmt.Errorf("%w: L-BFGS: %v", ErrDiverged, err)
	}
	for i := range tr.F {
		for j := range k {
			layer.W[i*k+j] = float32(res.X[j*tr.F+i])
		}
	}
	for j := range layer.B {
		layer.B[j] = float32(res.X[tr.F*k+j])
	}
	// The gradient at the returned point, for the report.
	obj.eval(res.X)
	gmax := 0.0
	for _, g := range obj.grad {
		gmax = max(gmax, math.Abs(g))
	}
	fit := &Fitted{
		Model: m, Steps: res.MajorIterations, BestStep: res.MajorIterations, Budget: cfg.MaxIter,
		Evaluations: obj.evals, History: conv.history,
		Detail: fmt.Sprintf("%v, max |gradient| %.1e", res.Status, gmax),
	}
	switch {
	case res.Status == statusInterrupted:
		fit.Stop, fit.Interrupted = StopInterrupted, true
	case res.Status == optimize.IterationLimit:
		fit.Stop = StopIterations
	default:
		fit.Stop = StopConverged
		if err != nil {
			// The line search found no lower point: at this precision
			// the objective is at its minimum or nearly.
			fit.Detail = fmt.Sprintf("%v, max |gradient| %.1e", err, gmax)
		}
	}
	if vs != nil {
		s, err := vs.score(logisticLogits(vs.xs, vs.set.N, tr.F, k, res.X))
		if err != nil {
			return nil, err
		}
		fit.Val = &s
	}
	return fit, nil
}

// logisticLogits returns the logits x·W + b of n rows of standardised
// features for θ = [Wᵀ (k×f), b (k)].
func logisticLogits(xs []float32, n, f, k int, theta []float64) []float64 {
	out := make([]float64, n*k)
	for i := range n {
		row := xs[i*f : (i+1)*f]
		for j := range k {
			s := theta[f*k+j]
			for c, v := range row {
				s += float64(v) * theta[j*f+c]
			}
			out[i*k+j] = s
		}
	}
	return out
}

// Package train is the engine of the focal train and focal predict commands:
// it fits a logistic regression or an MLP with GoMLX on the pure-Go
// backend, with a cross-entropy, α-balanced or focal loss, and reports
// metrics on held-out data.
package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // the pure-Go backend, no cgo
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
)

// FormatVersion names the saved-model format that this package writes and reads.
const FormatVersion = "focal-model/1"

// Model is a trained classifier: the feature standardisation, the dense
// layers of the network, and the meaning of its outputs.
//
// A binary model (Binary) has one output, the logit of Classes[1]; a
// multi-class model has len(Classes) outputs, softmax logits, or with
// Output "sigmoid" the logits of each class against the rest.
type Model struct {
	// Format is FormatVersion; Load refuses any other.
	Format string `json:"format"`
	// Binary is set for a model of one output, the logit of Classes[1].
	Binary bool `json:"binary"`
	// Output is "sigmoid" for a multi-class model trained with a
	// per-class sigmoid loss, empty for softmax (and binary) models.
	Output string `json:"output,omitempty"`
	// Classes are the class labels as they were read, in output order.
	Classes []string `json:"classes"`
	// Features name the input columns, in the order the model reads them.
	Features []string `json:"features"`
	// Hidden are the widths of the hidden layers (none: a linear model).
	Hidden []int `json:"hidden"`
	// Loss names the training loss, with its options.
	Loss string `json:"loss"`
	// Standardizer maps raw features to the network's inputs.
	Standardizer dataset.Standardizer `json:"standardizer"`
	// Layers are the dense layers, input first.
	Layers []Layer `json:"layers"`
	// Temperature, when set, divides the logits before the probabilities
	// are taken (temperature scaling, fitted on the validation split by
	// focal train --temperature-scale); 0 is none, as 1.
	Temperature float64 `json:"temperature,omitempty"`
}

// Layer is a dense layer y = x·W + b; every layer but the last is
// followed by a ReLU.
type Layer struct {
	In  int       `json:"in"`
	Out int       `json:"out"`
	W   []float32 `json:"w"` // In×Out, row-major
	B   []float32 `json:"b"` // Out
}

// Outputs returns the number of network outputs: 1 for a binary model, C
// for C classes.
func (m *Model) Outputs() int {
	if m.Binary {
		return 1
	}
	return len(m.Classes)
}

// OutputSigmoid is Model.Output of a multi-class model whose outputs are
// sigmoids of each class against the rest.
const OutputSigmoid = "sigmoid"

// newLayers initialises the network f → hidden… → outputs: He-uniform
// weights for the ReLU layers, Glorot-uniform for the output layer, zero
// biases but the output's, set to the log prior of each class as in Lin et
// al. §4.1 (for a sigmoid output b = log(π/(1 − π)), π the rate of its
// class; for a softmax b_c = log π_c), so that training does not start
// with a large loss on the frequent class. Without hidden layers and with
// zeroW the weights are 0, the start of the L-BFGS solver.
func newLayers(f int, hidden []int, prior []float64, out outputKind, rng *rand.Rand, zeroW bool) []Layer {
	dims := append(append([]int{f}, hidden...), len(prior))
	if out == outBinary {
		dims[len(dims)-1] = 1
	}
	layers := make([]Layer, len(dims)-1)
	for i := range layers {
		in, out := dims[i], dims[i+1]
		limit := math.Sqrt(6 / float64(in))
		if i == len(layers)-1 {
			limit = math.Sqrt(6 / float64(in+out))
		}
		l := Layer{In: in, Out: out, W: make([]float32, in*out), B: make([]float32, out)}
		if !zeroW {
			for j := range l.W {
				l.W[j] = float32((2*rng.Float64() - 1) * limit)
			}
		}
		layers[i] = l
	}
	last := &layers[len(layers)-1]
	switch out {
	case outBinary:
		last.B[0] = float32(logit(prior[1]))
	case outSigmoid:
		for c, p := range prior {
			last.B[c] = float32(logit(p))
		}
	default:
		for c, p := range prior {
			last.B[c] = float32(math.Log(max(p, 1e-6)))
		}
	}
	return layers
}

// logit returns log(p/(1 − p)) for p kept within [1e-6, 1 − 1e-6].
func logit(p float64) float64 {
	p = min(max(p, 1e-6), 1-1e-6)
	return math.Log(p) - math.Log1p(-p)
}

var backend = sync.OnceValues(compute.New)

// loaded returns the GoMLX backend and a store holding m's layers (see
// store), what both training and prediction start from.
func (m *Model) loaded() (compute.Backend, *model.Store, error) {
	be, err := backend()
	if err != nil {
		return nil, nil, err
	}
	st, err := m.store()
	if err != nil {
		return nil, nil, err
	}
	return be, st, nil
}

// store returns a GoMLX store holding the layers as variables
// layerK/w and layerK/b.
func (m *Model) store() (*model.Store, error) {
	st := model.NewStore()
	for i, l := range m.Layers {
		s := st.RootScope().In("layer%d", i)
		if _, err := s.CreateVariable("w", tensors.FromFlatDataAndDimensions(l.W, l.In, l.Out)); err != nil {
			return nil, err
		}
		if _, err := s.CreateVariable("b", tensors.FromFlatDataAndDimensions(l.B, l.Out)); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// readStore copies the variables of st back into the layers.
func (m *Model) readStore(st *model.Store) error {
	for i := range m.Layers {
		s := st.RootScope().In("layer%d", i)
		for _, part := range []struct {
			name string
			dst  []float32
		}{{"w", m.Layers[i].W}, {"b", m.Layers[i].B}} {
			v := s.GetVariable(part.name)
			if v == nil {
				return fmt.Errorf("train: variable layer%d/%s missing", i, part.name)
			}
			t, err := v.Value()
			if err != nil {
				return err
			}
			vals, err := tensors.CopyFlatData[float32](t)
			if err != nil {
				return err
			}
			copy(part.dst, vals)
		}
	}
	return nil
}

// forward builds the network's logits [batch, outputs] for x [batch, F].
func forward(layers int) func(*model.Scope, *graph.Node) *graph.Node {
	return func(scope *model.Scope, x *graph.Node) *graph.Node {
		g := x.Graph()
		for i := range layers {
			s := scope.In("layer%d", i)
			w := s.GetVariable("w").NodeValue(g)
			b := s.GetVariable("b").NodeValue(g)
			x = graph.Add(graph.MatMul(x, w), graph.ExpandLeftToRank(b, 2))
			if i < layers-1 {
				x = activation.Relu(x)
			}
		}
		return x
	}
}

// predictChunk is the number of rows per inference call: it bounds the
// memory of the activations.
const predictChunk = 4096

// Predict returns the class probabilities of the n rows of raw (not
// standardised) features x: for a binary model the probability of
// Classes[1], one per row; else the row-major n×C softmax probabilities.
// The probabilities are computed in float64 from the float32 logits,
// divided by the Temperature when the model has one.
func (m *Model) Predict(x []float32, n int) ([]float64, error) {
	logits, err := m.Logits(x, n)
	if err != nil {
		return nil, err
	}
	return m.probabilities(logits, m.Temperature), nil
}

// probabilities returns the probabilities of the model's logits divided
// by the temperature t (0 or 1: none).
func (m *Model) probabilities(logits []float32, t float64) []float64 {
	sig := m.Output == OutputSigmoid
	if t == 0 || t == 1 {
		return probabilities(logits, m.Outputs(), sig)
	}
	return probabilities(scaleLogits(logits, t), m.Outputs(), sig)
}

// Logits returns the network outputs for the n rows of raw features x,
// row-major n×Outputs(), before any Temperature.
func (m *Model) Logits(x []float32, n int) ([]float32, error) {
	f := len(m.Features)
	if len(x) != n*f {
		return nil, fmt.Errorf("train: %d values for %d rows of %d features", len(x), n, f)
	}
	be, st, err := m.loaded()
	if err != nil {
		return nil, err
	}
	exec, err := model.NewExec(be, st, forward(len(m.Layers)))
	if err != nil {
		return nil, err
	}
	defer exec.Finalize()
	return runExec(exec, m.Standardizer.Apply(x), n, f, m.Outputs())
}

// runExec returns the outputs of exec for the n rows of standardised
// features xs, in chunks of predictChunk rows.
func runExec(exec *model.Exec, xs []float32, n, f, outputs int) ([]float32, error) {
	out := make([]float32, 0, n*outputs)
	for lo := 0; lo < n; lo += predictChunk {
		hi := min(n, lo+predictChunk)
		in := tensors.FromFlatDataAndDimensions(xs[lo*f:hi*f], hi-lo, f)
		res, err := callExec(exec, in)
		if err != nil {
			return nil, err
		}
		vals, err := tensors.CopyFlatData[float32](res)
		res.FinalizeAll()
		in.FinalizeAll()
		if err != nil {
			return nil, err
		}
		out = append(out, vals...)
	}
	return out, nil
}

// callExec runs exec, turning a GoMLX panic into an error.
func callExec(exec *model.Exec, args ...any) (t *tensors.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("train: GoMLX: %v", r)
		}
	}()
	res, err := exec.Call(args...)
	if err != nil {
		return nil, err
	}
	if len(res) != 1 {
		return nil, errors.New("train: expected one output")
	}
	return res[0], nil
}

// probabilities maps logits to probabilities: σ(x) = 1/(1 + e^(−x)) for
// one output; for C sigmoid outputs, the σ(x_c) of a row divided by their
// sum (the class scores of a one-against-the-rest model, made to sum to
// 1 for the multi-class metrics; the ranking is that of the logits); else
// a softmax per row with the maximum subtracted.
func probabilities[T float32 | float64](logits []T, outputs int, sigmoid bool) []float64 {
	p := make([]float64, len(logits))
	if outputs == 1 || sigmoid {
		for i, v := range logits {
			p[i] = 1 / (1 + math.Exp(-float64(v)))
		}
		if outputs > 1 {
			for lo := 0; lo < len(p); lo += outputs {
				row := p[lo : lo+outputs]
				s := 0.0
				for _, v := range row {
					s += v
				}
				if s == 0 { // every σ underflowed: σ(x) ≈ eˣ there, so the ratios are a softmax
					softmax(row, logits[lo:lo+outputs])
					continue
				}
				for j := range row {
					row[j] /= s
				}
			}
		}
		return p
	}
	for lo := 0; lo < len(logits); lo += outputs {
		softmax(p[lo:lo+outputs], logits[lo:lo+outputs])
	}
	return p
}

// softmax writes the softmax of x into p, with the maximum subtracted.
func softmax[T float32 | float64](p []float64, x []T) {
	m := math.Inf(-1)
	for _, v := range x {
		m = max(m, float64(v))
	}
	s := 0.0
	for j, v := range x {
		e := math.Exp(float64(v) - m)
		p[j] = e
		s += e
	}
	for j := range p {
		p[j] /= s
	}
}

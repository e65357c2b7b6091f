package demo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// An input of a gradient check: values and shape.
type gcInput struct {
	data []float64
	dims []int
}

func randInput(rng *rand.Rand, dims ...int) gcInput {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return gcInput{v, dims}
}

// checkGradient compares the engine's reverse-mode gradient of
// L = Σ r ⊙ f(inputs) (r fixed random weights, so that every output
// element matters) with central finite differences, in float64.
func checkGradient(t *testing.T, backend compute.Backend, f func(in []*graph.Node) *graph.Node, inputs []gcInput) {
	checkGradientSample(t, backend, f, inputs, 0)
}

// checkGradientSample is checkGradient on at most sample random elements
// of each input (all of them when sample is 0).
func checkGradientSample(t *testing.T, backend compute.Backend, f func(in []*graph.Node) *graph.Node, inputs []gcInput, sample int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	var r []float64
	n := len(inputs)
	lossOf := func(in []*graph.Node) *graph.Node {
		y := f(in)
		if r == nil || len(r) != y.Shape().Size() {
			panic("r not sized")
		}
		rw := graph.Const(in[0].Graph(), tensors.FromFlatDataAndDimensions(r, y.Shape().Dimensions...))
		return graph.ReduceAllSum(graph.Mul(y, rw))
	}
	// Size r from the output shape.
	probe, err := graph.NewExec(backend, func(in []*graph.Node) *graph.Node {
		return graph.Const(in[0].Graph(), int64(f(in).Shape().Size()))
	})
	if err != nil {
		t.Fatal(err)
	}
	args := func(vals [][]float64) []any {
		a := make([]any, n)
		for i, in := range inputs {
			a[i] = tensors.FromFlatDataAndDimensions(vals[i], in.dims...)
		}
		return a
	}
	vals := make([][]float64, n)
	for i, in := range inputs {
		vals[i] = append([]float64(nil), in.data...)
	}
	sz, err := probe.Exec1(args(vals)...)
	if err != nil {
		t.Fatal(err)
	}
	r = make([]float64, tensors.MustCopyFlatData[int64](sz)[0])
	for i := range r {
		r[i] = rng.NormFloat64()
	}
	withGrad, err := graph.NewExec(backend, func(in []*graph.Node) []*graph.Node {
		l := lossOf(in)
		return append([]*graph.Node{l}, graph.Gradient(l, in...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	value, err := graph.NewExec(backend, lossOf)
	if err != nil {
		t.Fatal(err)
	}
	out, err := withGrad.Exec(args(vals)...)
	if err != nil {
		t.Fatal(err)
	}
	const h, tol = 1e-6, 1e-5
	for i := range inputs {
		grad := tensors.MustCopyFlatData[float64](out[i+1])
		elems := rng.Perm(len(vals[i]))
		if sample > 0 && sample < len(elems) {
			elems = elems[:sample]
		}
		for _, j := range elems {
			x := vals[i][j]
			vals[i][j] = x + h
			lp, err := value.Exec1(args(vals)...)
			if err != nil {
				t.Fatal(err)
			}
			vals[i][j] = x - h
			lm, err := value.Exec1(args(vals)...)
			if err != nil {
				t.Fatal(err)
			}
			vals[i][j] = x
			fd := (tensors.MustCopyFlatData[float64](lp)[0] - tensors.MustCopyFlatData[float64](lm)[0]) / (2 * h)
			if d := math.Abs(fd - grad[j]); d > tol*max(1, math.Abs(fd)) {
				t.Errorf("input %d element %d: autodiff %.8g, finite difference %.8g", i, j, grad[j], fd)
			}
		}
	}
}

func TestGradientMatchesFiniteDifferences(t *testing.T) {
	skipUnderRace(t)
	backend := compute.MustNew()
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(1, 1))
	away := func(in gcInput) gcInput { // keep ReLU inputs away from the kink
		for i, v := range in.data {
			if math.Abs(v) < 0.05 {
				in.data[i] = math.Copysign(0.05+math.Abs(v), v)
			}
		}
		return in
	}
	type gradCase struct {
		name   string
		f      func(in []*graph.Node) *graph.Node
		inputs []gcInput
	}
	// conv is a k×k convolution of n images h×w×cin to cout channels, and
	// random inputs, weights and biases of those sizes.
	conv := func(name string, n, h, w, cin, cout, k, stride, dilation int) gradCase {
		return gradCase{name,
			func(in []*graph.Node) *graph.Node { return conv2D(in[0], in[1], in[2], k, stride, dilation) },
			[]gcInput{randInput(rng, n, h, w, cin), randInput(rng, k*k*cin, cout), randInput(rng, cout)}}
	}
	cases := []gradCase{
		{"zero padding (Concatenate with zero blocks)",
			func(in []*graph.Node) *graph.Node { return zeroPad(in[0], 2) },
			[]gcInput{randInput(rng, 1, 3, 4, 2)}},
		conv("3×3 convolution, stride 1", 2, 5, 5, 2, 3, 3, 1, 1),
		conv("3×3 convolution, stride 2, odd size (strided Slice)", 1, 7, 6, 2, 2, 3, 2, 1),
		conv("3×3 convolution, dilation 2", 1, 6, 6, 1, 2, 3, 1, 2),
		conv("1×1 convolution", 2, 3, 3, 4, 1, 1, 1, 1),
		{"LayerNorm over channels",
			func(in []*graph.Node) *graph.Node { return layerNorm(in[0], in[1], in[2]) },
			[]gcInput{randInput(rng, 2, 3, 3, 4), randInput(rng, 4), randInput(rng, 4)}},
		{"ReLU",
			func(in []*graph.Node) *graph.Node { return relu(in[0]) },
			[]gcInput{away(randInput(rng, 3, 7))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGradient(t, backend, c.f, c.inputs) })
	}
}

// TestConvMatchesDirectSum checks the im2col convolution against the
// textbook sum over the kernel, so that a gradient check of a wrong
// convolution cannot pass.
func TestConvMatchesDirectSum(t *testing.T) {
	skipUnderRace(t)
	backend := compute.MustNew()
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(2, 2))
	for _, c := range []struct{ h, w, cin, cout, k, stride, dil int }{
		{5, 5, 2, 3, 3, 1, 1}, {7, 6, 1, 2, 3, 2, 1}, {8, 8, 2, 2, 3, 1, 2}, {4, 4, 3, 1, 1, 1, 1},
	} {
		x, w, b := randInput(rng, 1, c.h, c.w, c.cin), randInput(rng, c.k*c.k*c.cin, c.cout), randInput(rng, c.cout)
		got, err := graph.ExecOnce(backend, func(x, w, b *graph.Node) *graph.Node {
			return conv2D(x, w, b, c.k, c.stride, c.dil)
		}, tensors.FromFlatDataAndDimensions(x.data, x.dims...), tensors.FromFlatDataAndDimensions(w.data, w.dims...),
			tensors.FromFlatDataAndDimensions(b.data, b.dims...))
		if err != nil {
			t.Fatal(err)
		}
		y := tensors.MustCopyFlatData[float64](got)
		pad := c.dil * (c.k - 1) / 2
		ho, wo := (c.h+c.stride-1)/c.stride, (c.w+c.stride-1)/c.stride
		for i := range ho {
			for j := range wo {
				for o := range c.cout {
					want := b.data[o]
					for dy := range c.k {
						for dx := range c.k {
							yy, xx := i*c.stride+dy*c.dil-pad, j*c.stride+dx*c.dil-pad
							if yy < 0 || xx < 0 || yy >= c.h || xx >= c.w {
								continue
							}
							for ci := range c.cin {
								want += x.data[(yy*c.w+xx)*c.cin+ci] * w.data[((dy*c.k+dx)*c.cin+ci)*c.cout+o]
							}
						}
					}
					if g := y[(i*wo+j)*c.cout+o]; math.Abs(g-want) > 1e-12*max(1, math.Abs(want)) {
						t.Fatalf("%+v: y[%d,%d,%d] = %v, want %v", c, i, j, o, g, want)
					}
				}
			}
		}
	}
}

// TestNetworkGradient checks the whole network and each training loss
// end to end, on a sample of every parameter tensor: the composition of
// the checked ops, reshapes included, and package gomlx's loss — with the
// anchors task's mask of ignored anchors, and without it (cells task).
func TestNetworkGradient(t *testing.T) {
	skipUnderRace(t)
	backend := compute.MustNew()
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(3, 3))
	const n, size, g = 2, 16, 16 / Stride
	for _, c := range []struct {
		task   taskShape
		losses []Loss
	}{
		{taskShape{classes: 1}, CellLosses},
		{taskShape{classes: 2, anchors: len(anchorShapes)}, AnchorLosses},
	} {
		heads := c.task.heads()
		p := initParams(rng, heads, Prior)
		inputs := make([]gcInput, 0, len(p)+1)
		for i, w := range p {
			v := make([]float64, len(w))
			for j := range w {
				v[j] = float64(w[j]) + 0.1*rng.NormFloat64() // away from the init's symmetries
			}
			inputs = append(inputs, gcInput{v, paramShapes(heads)[i]})
		}
		inputs = append(inputs, randInput(rng, n, size, size))
		target := make([]float64, n*g*g*heads)
		target[1], target[5], target[20] = 1, 1, 1
		use := make([]bool, n*g*g*max(1, c.task.anchors))
		for i := range use {
			use[i] = i%3 != 2 // every third anchor ignored
		}
		np := len(p)
		for _, l := range c.losses {
			t.Run(l.Name, func(t *testing.T) {
				checkGradientSample(t, backend, func(in []*graph.Node) *graph.Node {
					dims := c.task.targetDims(n, g)
					y := graph.Const(in[0].Graph(), tensors.FromFlatDataAndDimensions(target, dims...))
					var m *graph.Node
					if c.task.anchors > 0 {
						m = graph.Const(in[0].Graph(), tensors.FromFlatDataAndDimensions(use, n, g, g, c.task.anchors))
					}
					// A [1]-shaped output so that checkGradient's weights apply.
					return graph.Reshape(l.lossGraph(c.task.logits(forward(in[np], in[:np], heads)), y, m), 1)
				}, inputs, 3)
			})
		}
	}
}

// skipUnderRace skips a test that executes GoMLX graphs under the race
// detector (see raceEnabled).
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("GoMLX compute v0.1.2's matmul fails checkptr under -race")
	}
}

package demo

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
)

// The network is a small fully-convolutional detector built only from
// engine ops whose gradients are checked in ops_test.go: convolutions as
// im2col (Pad + strided Slice + Concatenate + MatMul), LayerNorm over
// channels and ReLU. The engine's own Convolution is several seconds per
// step on the pure-Go backend, and its pooling and normalisation layers
// lack gradients.
//
// Layout is NHWC. Layers (stride, dilation, channels):
//
//	conv 3×3 /2        1 →  8   LN ReLU     64 → 32
//	conv 3×3 /2        8 → 16   LN ReLU     32 → 16
//	conv 3×3          16 → 32   LN ReLU
//	conv 3×3 dil 2    32 → 32   LN ReLU
//	conv 3×3 dil 4    32 → 32   LN ReLU
//	conv 1×1          32 →  1   (objectness logit per cell, stride 4)
//
// The receptive field is 63 pixels, enough to see a 24-pixel object and its
// surroundings from its centre cell.

// Stride is the size in pixels of one output cell.
const Stride = 4

// layer describes one convolution of the network.
type layer struct {
	k, stride, dilation, in, out int
	norm                         bool // LayerNorm + ReLU after the convolution
}

// netLayers returns the layers of the network with heads output logits
// per cell.
func netLayers(heads int) []layer {
	return []layer{
		{3, 2, 1, 1, 8, true},
		{3, 2, 1, 8, 16, true},
		{3, 1, 1, 16, 32, true},
		{3, 1, 2, 32, 32, true},
		{3, 1, 4, 32, 32, true},
		{1, 1, 1, 32, heads, false},
	}
}

// Params are the network's weights as flat float32 slices, in the order
// of paramShapes: for each layer W [k·k·in, out], b [out] and, for
// normalised layers, LayerNorm gain and bias [out].
type Params [][]float32

// paramShapes returns the shape of each parameter tensor, in Params order.
func paramShapes(heads int) [][]int {
	var s [][]int
	for _, l := range netLayers(heads) {
		s = append(s, []int{l.k * l.k * l.in, l.out}, []int{l.out})
		if l.norm {
			s = append(s, []int{l.out}, []int{l.out})
		}
	}
	return s
}

// initParams returns He-normal weights, zero biases, unit LayerNorm gains
// and, when prior > 0, the last bias set to RetinaNet's prior
// initialisation b = −log((1 − π)/π) (Lin et al. 2017, §4.1), so that every
// cell starts with probability π of being an object.
func initParams(rng *rand.Rand, heads int, prior float64) Params {
	var p Params
	for _, l := range netLayers(heads) {
		fanIn := l.k * l.k * l.in
		w := make([]float32, fanIn*l.out)
		std := math.Sqrt(2 / float64(fanIn))
		if !l.norm {
			std = 0.01 // the head, as in RetinaNet: small weights, bias sets the start
		}
		for i := range w {
			w[i] = float32(rng.NormFloat64() * std)
		}
		b := make([]float32, l.out)
		p = append(p, w, b)
		if l.norm {
			g := make([]float32, l.out)
			for i := range g {
				g[i] = 1
			}
			p = append(p, g, make([]float32, l.out))
		}
	}
	if prior > 0 {
		last := p[len(p)-1]
		for i := range last {
			last[i] = float32(-math.Log((1 - prior) / prior))
		}
	}
	return p
}

// conv2D is a k×k convolution of x [B, H, W, Cin] with w [k·k·Cin, Cout]
// and bias b [Cout], zero "same" padding, the given stride and dilation,
// written as im2col: the k² shifted (strided) views of the padded input are
// concatenated along channels, row-major over (dy, dx), then multiplied by w.
func conv2D(x, w, b *graph.Node, k, stride, dilation int) *graph.Node {
	dims := x.Shape().Dimensions
	batch, h, wd, cin := dims[0], dims[1], dims[2], dims[3]
	cout := w.Shape().Dimensions[1]
	if w.Shape().Dimensions[0] != k*k*cin {
		panic(fmt.Sprintf("conv2D: weights %v do not match k=%d, Cin=%d", w.Shape(), k, cin))
	}
	pad := dilation * (k - 1) / 2
	if pad > 0 {
		x = zeroPad(x, pad)
	}
	ho, wo := (h+stride-1)/stride, (wd+stride-1)/stride
	var cols []*graph.Node
	for dy := range k {
		for dx := range k {
			y0, x0 := dy*dilation, dx*dilation
			cols = append(cols, graph.Slice(x, graph.AxisRange(),
				graph.AxisRange(y0, y0+stride*(ho-1)+1).Stride(stride),
				graph.AxisRange(x0, x0+stride*(wo-1)+1).Stride(stride)))
		}
	}
	patches := cols[0]
	if len(cols) > 1 {
		patches = graph.Concatenate(cols, 3)
	}
	out := graph.MatMul(graph.Reshape(patches, batch*ho*wo, k*k*cin), w)
	out = graph.Add(out, graph.Reshape(b, 1, cout))
	return graph.Reshape(out, batch, ho, wo, cout)
}

// zeroPad surrounds the spatial axes (1 and 2) of x [B, H, W, C] with pad
// zeros on each side. It concatenates zero blocks because the engine's Pad
// has no gradient.
func zeroPad(x *graph.Node, pad int) *graph.Node {
	d := x.Shape().Dimensions
	g, dt := x.Graph(), x.DType()
	side := graph.Zeros(g, shapes.Make(dt, d[0], d[1], pad, d[3]))
	x = graph.Concatenate([]*graph.Node{side, x, side}, 2)
	top := graph.Zeros(g, shapes.Make(dt, d[0], pad, d[2]+2*pad, d[3]))
	return graph.Concatenate([]*graph.Node{top, x, top}, 1)
}

// layerNorm normalises x over its last axis and applies gain and bias,
//
//	y = g·(x − μ)/√(σ² + ε) + b.
func layerNorm(x, gain, bias *graph.Node) *graph.Node {
	last := x.Rank() - 1
	c := x.Shape().Dimensions[last]
	mu := graph.ReduceAndKeep(x, graph.ReduceMean, last)
	d := graph.Sub(x, mu)
	v := graph.ReduceAndKeep(graph.Square(d), graph.ReduceMean, last)
	y := graph.Div(d, graph.Sqrt(graph.AddScalar(v, 1e-5))) // Rsqrt has no gradient in the engine
	bshape := make([]int, x.Rank())
	for i := range bshape {
		bshape[i] = 1
	}
	bshape[last] = c
	return graph.Add(graph.Mul(y, graph.Reshape(gain, bshape...)), graph.Reshape(bias, bshape...))
}

// relu is max(x, 0).
func relu(x *graph.Node) *graph.Node { return graph.MaxScalar(x, 0) }

// forward returns the logits [B, H/Stride, W/Stride, heads] of images
// x [B, H, W] for the parameters p (in Params order).
func forward(x *graph.Node, p []*graph.Node, heads int) *graph.Node {
	dims := x.Shape().Dimensions
	h := graph.Reshape(x, dims[0], dims[1], dims[2], 1)
	i := 0
	for _, l := range netLayers(heads) {
		h = conv2D(h, p[i], p[i+1], l.k, l.stride, l.dilation)
		i += 2
		if l.norm {
			h = relu(layerNorm(h, p[i], p[i+1]))
			i += 2
		}
	}
	return h
}

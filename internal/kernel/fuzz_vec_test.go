package kernel

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzSigmoidKernel compares every vector implementation with the generic
// path, output for output, on arbitrary logits and targets (raw float32
// bits, so NaN, ±Inf, ±0 and subnormals arise), lengths (0 … 2·8+1 and
// beyond), unaligned destinations and parameters (α, γ, the gradient's
// scale, Hessian clipping), weights and an ignore mask. Without a vector
// implementation (-tags purego, or a CPU without AVX2) it compares the
// generic float32 path with SigmoidElem in float64 instead, so that it
// never checks nothing.
func FuzzSigmoidKernel(f *testing.F) {
	f.Add([]byte{}, 2.0, 0.25, uint8(0), uint8(0))
	f.Add(make([]byte, 8*17), 0.5, -1.0, uint8(7), uint8(1))
	f.Add(make([]byte, 8*40), 2.0, 0.25, uint8(8|3), uint8(1))     // hard targets, γ = 2: the float32-lane kernel
	f.Add(make([]byte, 8*70), 2.0, 0.25, uint8(128|8|7), uint8(2)) // weighted
	f.Add(make([]byte, 8*70), 2.0, 0.25, uint8(8|7), uint8(16|1))  // masked
	f.Add([]byte("\x00\x00\x80\x7f\x00\x00\x80\x3f\xff\xff\x7f\x7f\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x80\x3f"), 3.0, 0.9, uint8(5), uint8(3))
	// x = −44.047016, y = 0 with the weight 3e37: a loss of 3.1e-58,
	// below float32's range, whose weighted value is 9.2e-21.
	f.Add([]byte("\x25\x30\x30\xc2\x00\x00\x00\x00"), 2.0, 0.25, uint8(128|3), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, gamma, alpha float64, flags, off uint8) {
		if !(gamma >= 0 && gamma <= 64) || math.IsNaN(alpha) || alpha > 1 {
			return // rejected by package focal before the kernel
		}
		n := len(data) / 8
		x, y := make([]float32, n), make([]float32, n)
		for i := range n {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[8*i:]))
			v := math.Float32frombits(binary.LittleEndian.Uint32(data[8*i+4:]))
			if flags&8 != 0 { // hard targets
				v = float32(binary.LittleEndian.Uint32(data[8*i+4:]) & 1)
			}
			if !(v >= 0 && v <= 1) {
				v = float32(math.Abs(math.Mod(float64(v), 1)))
				if math.IsNaN(float64(v)) {
					v = 0.5
				}
			}
			y[i] = v
		}
		scale := [...]float64{1, 1.0 / 3, 1e-3, 7}[flags>>5&3] // package focal's 1/count and normalizers
		p := &SigmoidParams{Alpha: max(alpha, 0), HasAlpha: alpha >= 0, Gamma: gamma, Scale: scale, ClipHess: flags&16 != 0}
		outs := [3]bool{flags&1 != 0, flags&2 != 0, flags&4 != 0}
		x64, y64 := make([]float64, n), make([]float64, n)
		for i := range x {
			x64[i], y64[i] = float64(x[i]), float64(y[i])
		}
		if len(vecImpls()) == 0 {
			compareElem(t, p, x, y, outs, int(off%4))
		}
		for _, m := range vecImpls() {
			compare(t, m, p, x, y, outs, int(off%4))
			compare(t, m, p, x64, y64, outs, int(off%4))
		}
		if flags&8 != 0 {
			// Hard targets, known to be: the trusted kernel.
			ph := *p
			ph.HardTargets = true
			for _, m := range vecImpls() {
				compare(t, m, &ph, x, y, outs, int(off%4))
			}
		}
		if flags&128 != 0 {
			// Weights from the logits' low bits: 0, tiny, up to 4, huge.
			w := make([]float32, n)
			for i, v := range x {
				b := math.Float32bits(v)
				w[i] = [...]float32{0, 1e-40, 0.5, 1, 4 * float32(b>>8&0xffff) / 0xffff, 3e37, 1.5, 2}[b&7]
			}
			for _, m := range vecImpls() {
				compareForm(t, m, p, x, y, w, nil, outs, int(off%4))
			}
		}
		if off&16 != 0 {
			// An ignore mask from the logits' bits, the ignored targets
			// out of range (never checked), with and without weights.
			ignore, yi := make([]bool, n), append([]float32(nil), y...)
			w := make([]float32, n)
			for i, v := range x {
				b := math.Float32bits(v)
				ignore[i] = b>>3&3 == 0
				if ignore[i] {
					yi[i] = [...]float32{-1, 7, float32(math.NaN()), 255}[b>>5&3]
				}
				w[i] = float32(b>>7&3) / 2
			}
			for _, m := range vecImpls() {
				compareForm(t, m, p, x, yi, nil, ignore, outs, int(off%4))
				compareForm(t, m, p, x, yi, w, ignore, outs, int(off%4))
			}
		}
	})
}

// FuzzSoftmaxKernel compares Softmax on every vector implementation with
// SoftmaxGo on arbitrary logits (raw float32 bits), class counts 1 … 40,
// both layouts (class axis last, or second with 2 … 33 positions per
// image), labels with ignored positions, optional weights, per-class or
// scalar α, γ, Hessian clipping, label smoothing (class axis last) and a
// starting position, in float32 and float64. Without a vector implementation it compares SoftmaxGo with
// softmaxGeneral, the position-by-position reference, instead.
func FuzzSoftmaxKernel(f *testing.F) {
	f.Add(make([]byte, 4*80), uint8(7), uint8(0), 2.0, uint8(0), uint8(0))
	f.Add(make([]byte, 4*3*13*5), uint8(12), uint8(4), 0.5, uint8(1|2|4), uint8(3))
	f.Add([]byte("\x00\x00\x80\x7f\x00\x00\x80\x3f\xff\xff\x7f\x7f\x00\x00\xc0\x7f\x01\x00\x00\x00\x00\x00\x80\xbf"), uint8(2), uint8(1), 2.5, uint8(2), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, classes, inner uint8, gamma float64, flags, first uint8) {
		if !(gamma >= 0 && gamma <= 64) {
			return // rejected by package focal before the kernel
		}
		C := int(classes%40) + 1
		in := 1
		if flags&1 != 0 {
			in = int(inner%32) + 2
		}
		images := len(data) / 4 / (C * in)
		if images == 0 {
			return
		}
		x := make([]float32, images*C*in)
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		positions := images * in
		labels := make([]int32, positions)
		for j := range labels {
			v := binary.LittleEndian.Uint32(data[4*(j%(len(data)/4)):])
			labels[j] = int32(v>>8) % int32(C)
			if v&0x7 == 0 {
				labels[j] = -100
			}
		}
		p := &SoftmaxParams{Classes: C, Inner: in, Gamma: gamma, Scale: 0.5, HasIgnore: true, Ignore: -100, ClipHess: flags&4 != 0}
		if flags&16 != 0 && in == 1 {
			p.Smooth = 0.1 // label smoothing: loss and gradient
		}
		if flags&2 != 0 {
			p.Alpha = make([]float64, C)
			for c := range p.Alpha {
				p.Alpha[c] = float64(c+1) / float64(C+1)
			}
		} else {
			p.Alpha = []float64{0.25}
		}
		var w32 []float32
		if flags&8 != 0 {
			w32 = make([]float32, positions)
			for j := range w32 {
				w32[j] = float32(j%3) * 0.75 // zeros included
			}
		}
		fst := int(first) % positions
		x64 := make([]float64, len(x))
		for i, v := range x {
			x64[i] = float64(v)
		}
		var w64 []float64
		if w32 != nil {
			w64 = make([]float64, positions)
			for j, v := range w32 {
				w64[j] = float64(v)
			}
			w32, w64 = w32[fst:], w64[fst:]
		}
		impls := vecImpls()
		if len(impls) == 0 {
			impls = []Impl{Generic}
		}
		for _, m := range impls {
			compareSoftmax(t, m, p, x, labels[fst:], w32, fst)
			compareSoftmax(t, m, p, x64, labels[fst:], w64, fst)
		}
	})
}

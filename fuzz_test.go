package focal_test

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/focalgo/focal"
)

// fuzzFloats decodes b as little-endian float64s.
func fuzzFloats(b []byte) []float64 {
	v := make([]float64, len(b)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return v
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// FuzzSigmoid: for arbitrary logits, γ and α, finite logits give finite
// loss, gradient and Hessian in float64 and float32; FL(x, 1; α) =
// FL(−x, 0; 1 − α) for 0 < α < 1, and without α (α = 0) on both sides;
// and two shards merge to the whole. Targets are taken from the logits'
// bits, hard or soft.
func FuzzSigmoid(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte, gamma, alpha float64) {
		if !(gamma >= 0 && gamma <= 20) || !(alpha >= 0 && alpha <= 1) {
			// Out-of-range parameters must be rejected, not crash.
			_, err := focal.Loss(focal.Sigmoid{Alpha: alpha, Gamma: gamma}, focal.Options{}, focal.Outputs[float64]{}, focal.Input[float64]{Logits: []float64{0}, Targets: []float64{1}})
			if err == nil && !(gamma > 20 && !math.IsInf(gamma, 0)) {
				t.Fatalf("α %v γ %v accepted", alpha, gamma)
			}
			return
		}
		x := fuzzFloats(raw)
		n := len(x)
		y := make([]float64, n)
		for i, v := range x {
			switch b := math.Float64bits(v) & 7; b {
			case 0, 1, 2:
				y[i] = 0
			case 3, 4, 5:
				y[i] = 1
			default:
				y[i] = float64(math.Float64bits(v)>>40&0xffff) / 0xffff
			}
		}
		s, o := focal.Sigmoid{Alpha: alpha, Gamma: gamma}, focal.Options{Reduction: focal.Mean}
		l, g, h := make([]float64, n), make([]float64, n), make([]float64, n)
		tot, err := focal.Loss(s, o, focal.Outputs[float64]{Loss: l, Grad: g, Hess: h}, focal.Input[float64]{Logits: x, Targets: y})
		if err != nil {
			t.Fatal(err)
		}
		for i := range x {
			if finite(x[i]) && (!finite(l[i]) || !finite(g[i]) || !finite(h[i])) {
				t.Fatalf("x %v y %v: %v %v %v", x[i], y[i], l[i], g[i], h[i])
			}
			if math.IsNaN(x[i]) && !math.IsNaN(l[i]) {
				t.Fatalf("NaN logit gave loss %v", l[i])
			}
		}
		// float32
		x32, y32 := toT[float32](x), toT[float32](y)
		l32, g32, h32 := make([]float32, n), make([]float32, n), make([]float32, n)
		if _, err := focal.Loss(s, o, focal.Outputs[float32]{Loss: l32, Grad: g32, Hess: h32}, focal.Input[float32]{Logits: x32, Targets: y32}); err != nil {
			t.Fatal(err)
		}
		for i := range x32 {
			if v := float64(x32[i]); finite(v) && (!finite(float64(l32[i])) || !finite(float64(g32[i])) || !finite(float64(h32[i]))) {
				t.Fatalf("float32 x %v y %v: %v %v %v", x32[i], y32[i], l32[i], g32[i], h32[i])
			}
		}
		// symmetry on hard targets: α mirrors to 1 − α, and no α (0) to
		// itself; α = 1 (negatives weighted 0) has no mirror.
		if alpha < 1 {
			mirror := 1 - alpha
			if alpha == 0 {
				mirror = 0
			}
			neg, flipped := make([]float64, n), make([]float64, n)
			for i := range x {
				neg[i], flipped[i] = -x[i], 1-y[i]
			}
			l2 := make([]float64, n)
			if _, err := focal.Loss(focal.Sigmoid{Alpha: mirror, Gamma: gamma}, none, focal.Outputs[float64]{Loss: l2}, focal.Input[float64]{Logits: neg, Targets: flipped}); err != nil {
				t.Fatal(err)
			}
			for i := range x {
				if (y[i] == 0 || y[i] == 1) && finite(x[i]) && !closeTo(l[i], l2[i], 1e-12) {
					t.Fatalf("symmetry: x %v y %v: %v vs %v", x[i], y[i], l[i], l2[i])
				}
			}
		}
		// shards
		if n >= 2 && finite(tot.Sum) {
			a, _ := focal.Loss(s, o, focal.Outputs[float64]{}, focal.Input[float64]{Logits: x[:n/2], Targets: y[:n/2]})
			b, _ := focal.Loss(s, o, focal.Outputs[float64]{}, focal.Input[float64]{Logits: x[n/2:], Targets: y[n/2:]})
			m := a.Merge(b)
			if m.Count != tot.Count || m.Positives != tot.Positives || !closeTo(m.Sum, tot.Sum, 1e-12) {
				t.Fatalf("shards %+v, whole %+v", m, tot)
			}
		}
	})
}

// FuzzSoftmax: arbitrary logits over C classes give finite gradient and
// Hessian and a non-negative loss wherever the row is finite.
func FuzzSoftmax(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte, classes uint8, gamma, eps float64) {
		C := int(classes%9) + 1
		if !(gamma >= 0 && gamma <= 20) || !(eps >= 0 && eps < 1) {
			return
		}
		x := fuzzFloats(raw)
		rows := len(x) / C
		x = x[:rows*C]
		labels := make([]int, rows)
		for i := range labels {
			labels[i] = int(math.Float64bits(x[i*C]) % uint64(C))
		}
		l, g, h := make([]float64, rows), make([]float64, len(x)), make([]float64, len(x))
		if _, err := focal.SoftmaxLoss(focal.Softmax{Gamma: gamma, LabelSmoothing: eps}, none, focal.Outputs[float64]{Loss: l, Grad: g, Hess: h},
			focal.SoftmaxInput[float64, int]{Logits: x, Layout: focal.ClassLast(rows, C), Labels: labels}); err != nil {
			t.Fatal(err)
		}
		for r := range rows {
			ok := true
			for _, v := range x[r*C : (r+1)*C] {
				ok = ok && finite(v)
			}
			if !ok {
				continue
			}
			if math.IsNaN(l[r]) || l[r] < 0 {
				t.Fatalf("row %v: loss %v", x[r*C:(r+1)*C], l[r])
			}
			for c := range C {
				if !finite(g[r*C+c]) || !finite(h[r*C+c]) {
					t.Fatalf("row %v label %d: grad %v hess %v", x[r*C:(r+1)*C], labels[r], g[r*C:(r+1)*C], h[r*C:(r+1)*C])
				}
			}
		}
	})
}

package kernel

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestKernelsExercised: every implementation of this machine and build has
// its table, the last of them is the one in use, and each gives the
// generic results on inputs that reach each of its kernels: the sigmoid's float64 lanes
// (float32 data with the Hessian, float64 data), both float32-lane kernels
// (hard float32 targets, γ = 2, scale 1/8 and 3), the sparse-label form
// and the softmax in both layouts; Describe names the one in use and all
// of them. Under -v it logs that, as `focal version` prints it; .ci/run
// prints the line, so that a CI log says which kernels the tests compared
// with the generic ones.
func TestKernelsExercised(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	x32, y32 := inputs[float32](rng, 100, "hard")
	x64, y64 := inputs[float64](rng, 100, "mixed")
	const classes = 10
	labels, sparse := make([]int32, len(x32)/classes), make([]int32, len(x32)/classes)
	for i := range labels {
		labels[i] = int32(rng.IntN(classes))
		sparse[i] = labels[i]
		if rng.IntN(2) == 0 {
			sparse[i] = -1 // background
		}
	}
	var compared []string
	impls := Impls()
	if last := impls[len(impls)-1]; Current() != last || (last != Generic) != (active != nil) {
		t.Errorf("in use: %v; want the last of %v", Current(), impls)
	}
	for _, m := range impls {
		tb := tableOf(m)
		if (tb == nil) != (m == Generic) {
			t.Errorf("%v: table %p", m, tb)
			continue
		}
		for _, scale := range []float64{0.125, 3} {
			p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: 2, Scale: scale}
			var v vec
			if tb != nil {
				if newVec(&v, p, tb); !v.hard32 || v.scaled != (scale > 1) {
					t.Errorf("%v, scale %v: not the float32-lane kernel for it (scaled: %v)", m, scale, v.scaled)
				}
			}
			compare(t, m, p, x32, y32, [3]bool{true, true, false}, 0) // float32 lanes
			compare(t, m, p, x32, y32, [3]bool{true, true, true}, 0)  // float64 lanes
			compare(t, m, p, x64, y64, [3]bool{true, true, true}, 0)
		}
		p := &SigmoidParams{Alpha: 0.25, HasAlpha: true, Gamma: 2, Scale: 0.5}
		rel, abs := tolerance[float32]()
		want, got := make([]float32, len(x32)), make([]float32, len(x32))
		ws := SparseGo(p, nil, want, nil, x32, classes, sparse)
		gs := sparseOn(tb, p, nil, got, nil, x32, classes, sparse)
		if !Agree(gs, ws, rel, abs) {
			t.Errorf("%v: Sparse sum = %v, generic %v", m, gs, ws)
		}
		for i := range got {
			if !Agree(float64(got[i]), float64(want[i]), rel, abs) {
				t.Fatalf("%v: Sparse grad[%d] = %v, generic %v", m, i, got[i], want[i])
			}
		}
		for _, inner := range []int{1, 5} {
			sp := &SoftmaxParams{Classes: classes, Inner: inner, Alpha: []float64{0.25}, Gamma: 2, Scale: 0.25}
			compareSoftmax(t, m, sp, x32, labels[:len(labels)/inner*inner], nil, 0)
		}
		if m != Generic {
			compared = append(compared, m.String())
		}
	}
	if len(compared) == 0 {
		compared = append(compared, "none (no vector kernels)")
	}
	var all []string
	for _, m := range Impls() {
		all = append(all, m.String())
	}
	if d, want := Describe(), Current().String()+" (this machine and build: "+strings.Join(all, ", ")+")"; d != want {
		t.Errorf("Describe() = %q, want %q", d, want)
	}
	t.Logf("kernels: %s; compared with generic: %s", Describe(), strings.Join(compared, ", "))
}

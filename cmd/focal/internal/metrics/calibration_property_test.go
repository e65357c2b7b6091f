package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// softmaxRows returns n rows of c probabilities, the softmax of normal
// logits times scale.
func softmaxRows(rng *rand.Rand, n, c int, scale float64) []float64 {
	p := make([]float64, n*c)
	for i := range n {
		row := p[i*c : (i+1)*c]
		sum := 0.0
		for j := range row {
			row[j] = math.Exp(scale * rng.NormFloat64())
			sum += row[j]
		}
		for j := range row {
			row[j] /= sum
		}
	}
	return p
}

// drawLabels draws one label per row from the row's own distribution, which
// makes the rows calibrated in every form: P(y = c | p) = p_c.
func drawLabels(rng *rand.Rand, probs []float64, c int) []int {
	y := make([]int, len(probs)/c)
	for i := range y {
		u, k := rng.Float64(), 0
		for acc := probs[i*c]; acc < u && k < c-1; {
			k++
			acc += probs[i*c+k]
		}
		y[i] = k
	}
	return y
}

// draws returns n scores and outcomes, example by example from draw.
func draws(n int, draw func() (float64, bool)) ([]float64, []bool) {
	p, y := make([]float64, n), make([]bool, n)
	for i := range p {
		p[i], y[i] = draw()
	}
	return p, y
}

// twoClasses returns binary scores p and outcomes y as a two-class task:
// rows [1 − p, p], label 1 for a positive.
func twoClasses(p []float64, y []bool) ([]float64, []int) {
	two, labels := make([]float64, 2*len(p)), make([]int, len(p))
	for i := range p {
		two[2*i], two[2*i+1] = 1-p[i], p[i]
		if y[i] {
			labels[i] = 1
		}
	}
	return two, labels
}

// sharpen returns the rows raised to the power 1/t and renormalised
// (temperature t < 1): confident rows, more confident than their labels.
func sharpen(probs []float64, c int, t float64) []float64 {
	out := make([]float64, len(probs))
	for i := 0; i < len(probs); i += c {
		sum := 0.0
		for j := range c {
			out[i+j] = math.Pow(probs[i+j], 1/t)
			sum += out[i+j]
		}
		for j := range c {
			out[i+j] /= sum
		}
	}
	return out
}

// For labels drawn from the predicted probabilities, a bin b of n_b
// examples has E[freq − conf] = 0 and Var ≤ 1/(4 n_b), so
// E[ECE] ≤ Σ_b (n_b/N) / (2√n_b) ≤ ½√(n/N) by Cauchy-Schwarz. The test
// allows twice that; the same data with sharpened probabilities must go
// well past it, or the check could not fail.
func TestPerfectlyCalibratedDataHasSmallECE(t *testing.T) {
	const n, classes = 40000, 4
	tol := math.Sqrt(float64(Bins) / n)
	rng := rand.New(rand.NewPCG(3, 4))
	probs := softmaxRows(rng, n, classes, 1.5)
	labels := drawLabels(rng, probs, classes)
	p, y := draws(n, func() (float64, bool) {
		p := rng.Float64()
		return p, rng.Float64() < p
	})
	binSharp := make([]float64, n)
	for i, v := range p {
		binSharp[i] = v * v / (v*v + (1-v)*(1-v))
	}
	calibrated, err := EvaluateCalibration(probs, labels, classes)
	if err != nil {
		t.Fatal(err)
	}
	overconfident, _ := EvaluateCalibration(sharpen(probs, classes, 0.5), labels, classes)
	binCalibrated, _ := EvaluateBinaryCalibration(p, y)
	binOverconfident, _ := EvaluateBinaryCalibration(binSharp, y)
	for _, form := range []struct {
		task        string
		good, sharp Calibration
	}{
		{"multi-class", calibrated, overconfident},
		{"binary", binCalibrated, binOverconfident},
	} {
		for _, c := range []struct {
			name        string
			good, sharp float64
		}{
			{"top-label ECE", form.good.ECE, form.sharp.ECE},
			{"adaptive ECE", form.good.AdaptiveECE, form.sharp.AdaptiveECE},
			{"class-wise ECE", form.good.ClasswiseECE, form.sharp.ClasswiseECE},
		} {
			t.Logf("%s %s: calibrated %.4f, overconfident %.4f, tolerance %.4f", form.task, c.name, c.good, c.sharp, tol)
			if c.good > tol {
				t.Errorf("%s %s of calibrated data: %.4f > %.4f", form.task, c.name, c.good, tol)
			}
			if c.sharp < 3*tol {
				t.Errorf("%s %s of overconfident data: %.4f < %.4f", form.task, c.name, c.sharp, 3*tol)
			}
		}
	}
}

// ClasswiseECE's doc derives that a binary task as [1−p, p] has class-wise
// ECE equal to the positive-class ECE when no p is on a bin edge, which
// random p almost surely is not.
func TestClasswiseECEOfBinaryIsPositiveClassECE(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 20 {
		n := 1 + rng.IntN(300)
		p, y := draws(n, func() (float64, bool) { return rng.Float64(), rng.Float64() < 0.3 })
		two, labels := twoClasses(p, y)
		bins := 1 + rng.IntN(20)
		ece, _ := ECE(p, y, bins)
		cw, err := ClasswiseECE(two, labels, 2, bins)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(cw-ece) > 1e-12 {
			t.Errorf("trial %d (%d examples, %d bins): class-wise %v, positive-class %v", trial, n, bins, cw, ece)
		}
	}
}

// (1−p − (1−y))² + (p − y)² = 2 (p − y)².
func TestMulticlassBrierOfBinaryIsTwiceBrier(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n := 500
	p, y := draws(n, func() (float64, bool) { return rng.Float64(), rng.IntN(2) == 1 })
	two, labels := twoClasses(p, y)
	b, _ := Brier(p, y)
	mb, err := MulticlassBrier(two, labels, 2)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(mb-2*b) > 1e-12 {
		t.Errorf("sum form %v, binary form %v", mb, b)
	}
}

// AdaptiveReliability's doc: with N ≥ n distinct confidences, bin j holds
// ⌈(j+1)N/n⌉ − ⌈jN/n⌉ examples, N/n when n divides N; with N < n, bins
// hold one example or none, the largest in the last bin.
func TestAdaptiveBinsHoldEqualCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := range 300 {
		n := 1 + rng.IntN(30)
		N := n + rng.IntN(400)
		switch trial % 3 {
		case 0:
			N = n * (1 + rng.IntN(20))
		case 1:
			N = 1 + rng.IntN(n)
		}
		conf := make([]float64, N)
		for i := range conf {
			conf[i] = rng.Float64()
		}
		bins, err := AdaptiveReliability(conf, make([]bool, N), n)
		if err != nil {
			t.Fatal(err)
		}
		if N < n {
			total := 0
			for j, b := range bins {
				total += b.Count
				if b.Count > 1 || (j == n-1 && b.Count != 1) {
					t.Errorf("trial %d, %d examples in %d bins: bin %d holds %d", trial, N, n, j, b.Count)
				}
			}
			if total != N {
				t.Errorf("trial %d, %d examples in %d bins: %d binned", trial, N, n, total)
			}
			continue
		}
		ceil := func(j int) int { return (j*N + n - 1) / n }
		for j, b := range bins {
			want := ceil(j+1) - ceil(j)
			if N%n == 0 && want != N/n {
				t.Fatalf("formula: %d, want N/n = %d", want, N/n)
			}
			if b.Count != want {
				t.Errorf("trial %d, %d examples in %d bins: bin %d holds %d, want %d", trial, N, n, j, b.Count, want)
			}
		}
	}
}

// Equal confidences share a bin by value, so reordering the examples,
// ties included, leaves every bin as it was.
func TestAdaptiveECEIgnoresExampleOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := range 20 {
		N := 2 + rng.IntN(200)
		conf, outcome := draws(N, func() (float64, bool) { return float64(rng.IntN(8)) / 7, rng.IntN(2) == 1 }) // many ties
		want, _ := AdaptiveECE(conf, outcome, Bins)
		perm := rng.Perm(N)
		c2, o2 := make([]float64, N), make([]bool, N)
		for i, k := range perm {
			c2[i], o2[i] = conf[k], outcome[k]
		}
		got, _ := AdaptiveECE(c2, o2, Bins)
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("trial %d: %v after a shuffle, %v before", trial, got, want)
		}
	}
}

// ECE is the count-weighted mean of the bin gaps, MCE their maximum.
func TestMCEBoundsECE(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for trial := range 50 {
		N := 1 + rng.IntN(200)
		conf, outcome := draws(N, func() (float64, bool) { return rng.Float64(), rng.Float64() < 0.5 })
		n := 1 + rng.IntN(20)
		ece, _ := ECE(conf, outcome, n)
		mce, err := MCE(conf, outcome, n)
		if err != nil {
			t.Fatal(err)
		}
		if mce < ece-1e-15 || mce > 1 {
			t.Errorf("trial %d: MCE %v, ECE %v", trial, mce, ece)
		}
	}
}

// Every confidence lands in the bin whose edges enclose it, edges and their
// float64 neighbours included, for every bin count up to 60.
func TestEqualWidthBinMatchesItsEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for n := 1; n <= 60; n++ {
		var cs []float64
		for k := range n + 1 {
			e := float64(k) / float64(n)
			cs = append(cs, e, math.Nextafter(e, 0), math.Nextafter(e, 1))
		}
		for range 50 {
			cs = append(cs, rng.Float64())
		}
		for _, c := range cs {
			if c < 0 || c > 1 {
				continue
			}
			b := widthBin(c, n)
			lo, hi := widthEdge(b, n), widthEdge(b+1, n)
			if b < 0 || b >= n || !(c > lo || (b == 0 && c == 0)) || c > hi {
				t.Errorf("%d bins: %v in bin %d = (%v, %v]", n, c, b, lo, hi)
			}
		}
	}
	if !slices.Equal([]int{widthBin(0, 15), widthBin(1, 15)}, []int{0, 14}) {
		t.Error("0 and 1 must fall in the first and last bins")
	}
}

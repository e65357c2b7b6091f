package train

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/synthetic"
)

// TestSeedsReportMeanSDAndPairedDifferences: with three seeds every loss
// runs on each, and the summary holds the mean and sample deviation of
// each metric and, against the first loss, the mean and deviation of the
// seed-by-seed differences of average precision, as computed here from
// the runs themselves.
func TestSeedsReportMeanSDAndPairedDifferences(t *testing.T) {
	dir := t.TempDir()
	csv := synthetic.WriteCSV(t, dir, synthetic.Imbalanced(600, 4, 0.1, 0.8, 21))
	losses, _ := ParseLosses("bce,focal", DefaultLossParams())
	seeds := []uint64{4, 5, 6}
	r, err := Run(context.Background(), Config{Data: csv, Label: "label", TestFraction: 0.3, Losses: losses, Seeds: seeds}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Results) != 6 || len(r.Summary) != 2 {
		t.Fatalf("%d results, %d summaries; want 6 and 2", len(r.Results), len(r.Summary))
	}
	var bce, fl, diff []float64
	for i, seed := range seeds {
		a, b := r.Results[2*i], r.Results[2*i+1]
		if a.Seed != seed || b.Seed != seed || a.Name != "bce" || b.Name != "focal" {
			t.Fatalf("run %d: %s seed %d, %s seed %d", i, a.Name, a.Seed, b.Name, b.Seed)
		}
		bce = append(bce, a.Binary.AveragePrecision)
		fl = append(fl, b.Binary.AveragePrecision)
		diff = append(diff, b.Binary.AveragePrecision-a.Binary.AveragePrecision)
	}
	if bce[0] == bce[1] && bce[1] == bce[2] {
		t.Errorf("AP %v on every seed: --seeds does not reach the split", bce)
	}
	stats := func(x []float64) (mean, sd float64) {
		for _, v := range x {
			mean += v / float64(len(x))
		}
		for _, v := range x {
			sd += (v - mean) * (v - mean) / float64(len(x)-1)
		}
		return mean, math.Sqrt(sd)
	}
	for _, c := range []struct {
		name string
		got  MeanSD
		x    []float64
	}{
		{"bce AP", r.Summary[0].Metrics["average_precision"], bce},
		{"focal AP", r.Summary[1].Metrics["average_precision"], fl},
		{"focal − bce AP", *r.Summary[1].Diff, diff},
	} {
		m, sd := stats(c.x)
		if math.Abs(c.got.Mean-m) > 1e-15 || math.Abs(c.got.SD-sd) > 1e-15 || c.got.N != 3 {
			t.Errorf("%s: %+v, want mean %v sd %v of %v", c.name, c.got, m, sd, c.x)
		}
	}
	if r.Summary[0].Diff != nil || r.Summary[1].Versus != "bce" {
		t.Errorf("differences against %q; the first loss has %v", r.Summary[1].Versus, r.Summary[0].Diff)
	}
	var b bytes.Buffer
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"seeds 4,5,6", "ΔAP vs bce", " ± "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

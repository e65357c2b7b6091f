package train

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/focalgo/focal/cmd/focal/internal/dataset"
	"github.com/focalgo/focal/cmd/focal/internal/synthetic"
)

// BenchmarkMLPTrainStep measures Adam steps of the MLP 784→64→64→1 with
// GoMLX's and the sigmoid focal loss at batch 256 (Fashion-MNIST's shape), on random
// data; steps/s, the figure quoted in docs/train.md, is timed from the end
// of each run's first step (which compiles the graph) to its last.
func BenchmarkMLPTrainStep(b *testing.B) {
	const batch, f, steps = 256, 784, 20
	s := synthetic.Imbalanced(batch*steps, f, 0.1, 1, 1)
	losses, _ := ParseLosses("bce,focal", DefaultLossParams())
	for _, l := range losses {
		b.Run(l.Name, func(b *testing.B) {
			benchmarkSteps(b, s, FitConfig{Hidden: []int{64, 64}, Epochs: 1, LR: 1e-3, Batch: batch, Seed: 1, Loss: l})
		})
	}
}

func benchmarkSteps(b *testing.B, s *dataset.Set, cfg FitConfig) {
	var timed time.Duration
	var first time.Time
	cfg.Progress = func(st Step) {
		switch st.Done {
		case 1:
			first = time.Now()
		case st.Total:
			timed += time.Since(first)
		}
	}
	runs := 0
	for b.Loop() {
		if _, err := Fit(context.Background(), cfg, s, nil, true); err != nil {
			b.Fatal(err)
		}
		runs++
	}
	b.ReportMetric(float64(runs*(s.N/cfg.Batch-1))/timed.Seconds(), "steps/s")
}

const fashion = "/usr/share/datasets/fashion-mnist/"

// fashionTestImages returns the path of Fashion-MNIST's test images, the
// data of the tests below; it skips the test under -short or when the
// files are absent.
func fashionTestImages(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short")
	}
	images := fashion + "t10k-images-idx3-ubyte.gz"
	if _, err := os.Stat(images); err != nil {
		t.Skip("Fashion-MNIST is not installed:", err)
	}
	return images
}

// TestFashionMNISTOneVsRest fits a logistic regression on Fashion-MNIST's
// test file (class 0 against the rest); it skips when the files are
// absent.
func TestFashionMNISTOneVsRest(t *testing.T) {
	images := fashionTestImages(t)
	losses, _ := ParseLosses("bce,focal", DefaultLossParams())
	// 60 L-BFGS iterations keep the test short (all of them take about
	// 400, with the same AP to 0.02).
	c := Config{Data: images, Positive: "0", TestFraction: 0.3, Losses: losses,
		Fit: FitConfig{MaxIter: 60}}
	r, err := Run(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Test.PerClass[1] != 300 || r.Features != 784 {
		t.Fatalf("test split %+v, %d features", r.Test, r.Features)
	}
	for _, res := range r.Results {
		t.Logf("%s: AP %.3f ROC-AUC %.3f", res.Loss, res.Binary.AveragePrecision, res.Binary.ROCAUC)
		if res.Binary.AveragePrecision < 0.6 {
			t.Errorf("%s: AP %.3f, want ≥ 0.6 (positive rate 0.1)", res.Loss, res.Binary.AveragePrecision)
		}
	}
}

// TestFashionMNISTLongTail builds a long-tailed training set from
// Fashion-MNIST's test file (800 training images per class after the
// 20 % test split) and trains a few L-BFGS iterations of the four losses
// of docs/train.md on it; the class sizes are Cao et al.'s at ρ = 10, as
// Python's int(800·0.1**(c/9)) gives them, and the test split keeps its
// 200 images per class. It skips when the files are absent.
func TestFashionMNISTLongTail(t *testing.T) {
	images := fashionTestImages(t)
	losses, _ := ParseLosses("bce,balanced,focal,cb-focal-sigmoid", DefaultLossParams())
	c := Config{Data: images, TestFraction: 0.2, LongTail: 10, Losses: losses,
		Fit: FitConfig{MaxIter: 5}}
	r, err := Run(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{800, 619, 479, 371, 287, 222, 172, 133, 103, 80}
	if !slices.Equal(r.Train.PerClass, want) || r.Test.Examples != 2000 {
		t.Errorf("training classes %v (want %v), %d test images", r.Train.PerClass, want, r.Test.Examples)
	}
	for _, res := range r.Results {
		if res.Multiclass.Accuracy < 0.3 {
			t.Errorf("%s: accuracy %.3f after 5 iterations (chance 0.1)", res.Loss, res.Multiclass.Accuracy)
		}
	}
}

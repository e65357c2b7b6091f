package focalloss_test

import (
	"fmt"
	"math/rand"
	"sort"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/focalloss"
	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // the pure-Go backend: no C library, no download
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/dataset"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// Training with focal loss: GoMLX's train.Trainer and train.Loop on the
// pure-Go backend, a small MLP, and focalloss.BinaryFocal (the paper's α =
// 0.25, γ = 2, divided by the number of positives) on points of which 2%
// are positives, apart from the others by a small margin.
func ExampleBinaryFocal() {
	backend := compute.MustNew() // the pure-Go backend, linked in by its import
	rng := rand.New(rand.NewSource(1))
	const n = 2000
	points, labels := make([][]float32, n), make([][]float32, n)
	for i := range points {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		for (a > 1 && a < 1.4 && b > 0.8) || (a > 1.2 && b > 0.6 && b < 1) {
			a, b = rng.NormFloat64(), rng.NormFloat64() // keep a margin
		}
		points[i], labels[i] = []float32{float32(a), float32(b)}, []float32{0}
		if a > 1.2 && b > 0.8 {
			labels[i][0] = 1
		}
	}
	ds, err := dataset.InMemoryFromData(backend, "points", []any{points}, []any{labels})
	if err != nil {
		fmt.Println(err)
		return
	}
	ds = ds.BatchSize(100, true).Shuffle().Infinite(true).WithRand(rng)

	// One logit per point.
	mlp := func(scope *model.Scope, x *graph.Node) *graph.Node {
		h := activation.Relu(layers.Dense(scope.In("hidden"), x, true, 16))
		return layers.Dense(scope.In("logit"), h, true, 1)
	}
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(1)) // the same initial weights every run
	trainer := train.NewTrainer(backend, store, mlp, focalloss.BinaryFocal, optimizer.Adam().LearningRate(0.01).Done(), nil, nil)
	if _, err := train.NewLoop(trainer).RunSteps(ds, 600); err != nil {
		fmt.Println(err)
		return
	}

	// Rank the points by their logit: are the positives on top?
	logits, err := model.CallOnce(backend, store, mlp, points)
	if err != nil {
		fmt.Println(err)
		return
	}
	scores := logits.Value().([][]float32)
	order := make([]int, n)
	positives := 0
	for i := range order {
		order[i] = i
		positives += int(labels[i][0])
	}
	sort.Slice(order, func(i, j int) bool { return scores[order[i]][0] > scores[order[j]][0] })
	hits := 0
	for _, i := range order[:positives] {
		hits += int(labels[i][0])
	}
	fmt.Printf("%d of the %d highest scores are positives\n", hits, positives)
	// Output:
	// 35 of the 35 highest scores are positives
}

// threeClasses returns n points and their class: 2 (7%) far right, 1 (10%)
// high up, 0 (the rest), apart from one another by a margin.
func threeClasses(rng *rand.Rand, n int) (points [][]float32, classes []int32) {
	for len(points) < n {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		c := int32(0)
		switch {
		case a > 1.1 && a < 1.5, a < 1.1 && b > 0.8 && b < 1.2:
			continue // the margin
		case a > 1.5:
			c = 2
		case b > 1.2:
			c = 1
		}
		points, classes = append(points, []float32{float32(a), float32(b)}), append(classes, c)
	}
	return points, classes
}

// targetRows returns the one-hot target rows of classes (the three
// outputs), with none hot for class 0 when it is the background.
func targetRows(classes []int32, background bool) [][]float32 {
	rows := make([][]float32, len(classes))
	for i, c := range classes {
		rows[i] = make([]float32, 3)
		if c > 0 || !background {
			rows[i][c] = 1
		}
	}
	return rows
}

// printRecall prints the recall per class of recall with a new store, or
// its error.
func printRecall(lossFn loss.LossFn, points [][]float32, labels any, classes []int32) {
	pct, err := recall(model.NewStore(), lossFn, points, labels, classes)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("recall per class:", pct)
}

// recall trains an MLP with lossFn on points and labels, its variables in
// store, then returns, per class, the percentage of the points whose
// largest logit is their class.
func recall(store *model.Store, lossFn loss.LossFn, points [][]float32, labels any, classes []int32) ([]string, error) {
	var right, total [3]int
	backend := compute.MustNew()
	ds, err := dataset.InMemoryFromData(backend, "points", []any{points}, []any{labels})
	if err != nil {
		return nil, err
	}
	ds = ds.BatchSize(100, true).Shuffle().Infinite(true).WithRand(rand.New(rand.NewSource(3)))
	if _, found := store.GetParam(model.ParamInitialSeed); !found {
		store.SetParam(model.ParamInitialSeed, int64(3)) // the same initial weights every run
	}
	mlp := func(scope *model.Scope, x *graph.Node) *graph.Node {
		h := activation.Relu(layers.Dense(scope.In("hidden"), x, true, 16))
		return layers.Dense(scope.In("logits"), h, true, 3)
	}
	trainer := train.NewTrainer(backend, store, mlp, lossFn, optimizer.Adam().LearningRate(0.01).Done(), nil, nil)
	if _, err := train.NewLoop(trainer).RunSteps(ds, 1000); err != nil {
		return nil, err
	}
	logits, err := model.CallOnce(backend, store, mlp, points)
	if err != nil {
		return nil, err
	}
	for i, row := range logits.Value().([][]float32) {
		best := 0
		for c := range row {
			if row[c] > row[best] {
				best = c
			}
		}
		total[classes[i]]++
		if int32(best) == classes[i] {
			right[classes[i]]++
		}
	}
	var pct []string
	for c := range right {
		pct = append(pct, fmt.Sprintf("%.0f%%", 100*float64(right[c])/float64(total[c])))
	}
	return pct, nil
}

// Softmax focal loss on integer labels, with class-balanced weights (Cui
// et al.) broadcast along the class axis.
func ExampleMakeSoftmax() {
	points, classes := threeClasses(rand.New(rand.NewSource(1)), 3000)
	counts, _ := focal.ClassCounts(classes, 3)
	weights, _ := focal.ClassBalancedWeights(0.999, counts)
	lossFn := focalloss.MakeSoftmax(focal.Softmax{Gamma: 2}, focal.Options{}, focalloss.ClassWeights(weights...))
	printRecall(lossFn, points, classes, classes)
	// Output:
	// recall per class: [100% 100% 100%]
}

// Keras' CategoricalFocalCrossentropy on one-hot labels, smoothed by ε = 0.1.
func ExampleMakeCategorical() {
	points, classes := threeClasses(rand.New(rand.NewSource(1)), 3000)
	lossFn := focalloss.MakeCategorical(focal.Softmax{Alpha: []float64{0.25}, Gamma: 2, LabelSmoothing: 0.1}, focal.Options{})
	printRecall(lossFn, points, targetRows(classes, false), classes)
	// Output:
	// recall per class: [100% 100% 100%]
}

// Any member of the focal family: Poly-1 focal loss (ε = 1) on three
// independent sigmoid outputs, one per class (multi-label form).
func ExampleMakeFamily() {
	points, classes := threeClasses(rand.New(rand.NewSource(1)), 3000)
	lossFn := focalloss.MakeFamily(focal.Poly1{Alpha: 0.25, Gamma: 2, Epsilon: 1}, focal.Options{Reduction: focal.Positives})
	printRecall(lossFn, points, targetRows(classes, false), classes)
	// Output:
	// recall per class: [100% 100% 100%]
}

// Hyperparameters from the model's store, as a GoMLX program's --set flag
// would give them, and RetinaNet's normaliser: the moving average of the
// number of positives per batch, starting at 100 (Detectron2's setting).
func ExampleMakeSigmoidFromScope() {
	points, classes := threeClasses(rand.New(rand.NewSource(1)), 3000)
	store := model.NewStore()
	store.SetParams(map[string]any{
		focalloss.ParamAlpha:              0.25,
		focalloss.ParamGamma:              2.0,
		focalloss.ParamReduction:          "positives",
		focalloss.ParamNormalizerMomentum: 0.9,
		focalloss.ParamNormalizerInit:     100.0,
	})
	lossFn := focalloss.MakeSigmoidFromScope(store.RootScope())

	// Class 0 is the background: no positive output.
	pct, err := recall(store, lossFn, points, targetRows(classes, true), classes)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("recall of the classes:", pct[1:])
	v := store.GetVariable("/focal_loss/loss_normalizer").MustValue().Value().(float64)
	fmt.Printf("normaliser after 1000 steps: %.0f positives per batch\n", v)
	// Output:
	// recall of the classes: [100% 100%]
	// normaliser after 1000 steps: 21 positives per batch
}

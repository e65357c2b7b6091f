package train

import (
	"fmt"
	"image/color"
	"io"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/focalgo/focal/cmd/focal/internal/figure"
	"github.com/focalgo/focal/cmd/focal/internal/metrics"
	"github.com/focalgo/focal/cmd/focal/internal/output"
)

// WritePlots stages PNG plots of the report's results in dir, for its
// plan to commit. Per loss:
//
//	reliability-LOSS.png  the reliability diagram of the test set (top
//	                      label, or positive class for a binary task: per
//	                      bin of 15, the accuracy as a bar and the mean
//	                      confidence as an outline) over the confidence
//	                      histogram; with temperature scaling, before
//	                      (left) and after (right)
//	classwise-LOSS.png    multi-class (at most 20 classes): each class's
//	                      reliability curve, p_c against 1[y = c], before
//	                      and after temperature scaling
//	pr-LOSS.png           binary: the precision-recall curve
//
// and with more than one loss, every loss's reliability curve on one plot
// (reliability.png; before and after scaling side by side) and, binary,
// every PR curve (pr.png). LOSS is the loss's name with ':' as '_'. With
// several seeds, the plots are those of the first.
func WritePlots(dir *output.Dir, r *Report) error {
	testY := r.testY
	// Errors of the plots themselves name the directory; those of
	// writing them name the file already.
	fail := func(err error) error { return fmt.Errorf("--plots %s: %w", dir.Path(), err) }
	addGrid := func(name string, plots [][]*plot.Plot, w, h vg.Length) error {
		return dir.Output(name).Write(func(out io.Writer) error { return figure.Grid(out, plots, w, h, "") })
	}
	add := func(name string, p *plot.Plot) error {
		return addGrid(name, [][]*plot.Plot{{p}}, 5*vg.Inch, 4*vg.Inch)
	}
	binary := r.Task == "binary"
	scaled := r.scaled()
	all := plot.New()
	all.Title.Text = "Precision-recall (test set)"
	all.X.Label.Text, all.Y.Label.Text = "recall", "precision"
	all.X.Min, all.X.Max, all.Y.Min, all.Y.Max = 0, 1, 0, 1
	overlay := []*plot.Plot{newReliabilityPlot("Reliability (test set)", binary)}
	if scaled {
		overlay[0].Title.Text = "Reliability, as trained (test set)"
		overlay = append(overlay, newReliabilityPlot("Reliability, temperature-scaled", binary))
	}
	for i, res := range r.Results {
		if res.Seed != r.Seeds[0] {
			break
		}
		stages := []calibrationStage{{"", res.probs}}
		if res.probsTS != nil {
			stages = append(stages, calibrationStage{fmt.Sprintf("T = %.3g", res.Calibration.Temperature.T), res.probsTS})
		}
		grid := [][]*plot.Plot{nil, nil}
		for k, st := range stages {
			conf, outcome, err := calibrationInputs(st.probs, testY, binary, len(r.Classes))
			if err != nil {
				return fail(err)
			}
			bins, err := metrics.Reliability(conf, outcome, metrics.Bins)
			if err != nil {
				return fail(err)
			}
			ece, err := metrics.ECE(conf, outcome, metrics.Bins)
			if err != nil {
				return fail(err)
			}
			title := fmt.Sprintf("%s: ECE %.4f", res.Loss, ece)
			if st.label != "" {
				title = fmt.Sprintf("%s, %s: ECE %.4f", res.Loss, st.label, ece)
			}
			rel, err := reliabilityBars(title, bins, binary)
			if err != nil {
				return fail(err)
			}
			hist, err := confidenceHistogram(bins, conf, outcome, binary)
			if err != nil {
				return fail(err)
			}
			grid[0], grid[1] = append(grid[0], rel), append(grid[1], hist)
			if err := addCurve(overlay[k], res.Loss, bins, i); err != nil {
				return fail(err)
			}
		}
		name := fileName(res.Name)
		if err := addGrid("reliability-"+name+".png", grid, vg.Length(len(stages))*5*vg.Inch, 7*vg.Inch); err != nil {
			return err
		}
		if !binary && len(r.Classes) <= maxClasswisePlots {
			cw, err := classwisePlots(stages, testY, r.Classes)
			if err != nil {
				return fail(err)
			}
			rows := len(cw)
			if err := addGrid("classwise-"+name+".png", cw, vg.Length(len(cw[0]))*2.6*vg.Inch, vg.Length(rows)*2.6*vg.Inch); err != nil {
				return err
			}
		}
		if !binary {
			continue
		}
		outcome := make([]bool, len(testY))
		for j, c := range testY {
			outcome[j] = c == 1
		}
		pts, err := metrics.PRCurve(res.probs, outcome)
		if err != nil {
			return fail(err)
		}
		xy := make(plotter.XYs, 0, len(pts)+1)
		xy = append(xy, plotter.XY{X: 0, Y: 1})
		for _, pt := range pts {
			xy = append(xy, plotter.XY{X: pt.Recall, Y: pt.Precision})
		}
		one := plot.New()
		one.Title.Text = fmt.Sprintf("Precision-recall, %s (AP %.3f)", res.Loss, res.Binary.AveragePrecision)
		one.X.Label.Text, one.Y.Label.Text = "recall", "precision"
		one.X.Min, one.X.Max, one.Y.Min, one.Y.Max = 0, 1, 0, 1
		for _, p := range []*plot.Plot{one, all} {
			l, err := plotter.NewLine(xy)
			if err != nil {
				return fail(err)
			}
			l.Color = plotutil.Color(i)
			l.StepStyle = plotter.PostStep
			p.Add(l)
			if p == all {
				p.Legend.Add(fmt.Sprintf("%s (AP %.3f)", res.Loss, res.Binary.AveragePrecision), l)
			}
		}
		if err := add("pr-"+name+".png", one); err != nil {
			return err
		}
	}
	if len(r.Results) > 1 && r.Results[1].Seed == r.Seeds[0] {
		for _, p := range overlay {
			p.Legend.Left, p.Legend.Top = true, true
		}
		if err := addGrid("reliability.png", [][]*plot.Plot{overlay}, vg.Length(len(overlay))*5*vg.Inch, 5*vg.Inch); err != nil {
			return err
		}
	}
	if binary && len(r.Results) > 1 {
		all.Legend.Left = true
		all.Legend.Top = false
		if err := add("pr.png", all); err != nil {
			return err
		}
	}
	return nil
}

// maxClasswisePlots bounds the classes of classwise-LOSS.png: one panel
// per class.
const maxClasswisePlots = 20

// calibrationStage is one set of test probabilities to draw: the model as
// trained (label ""), or temperature-scaled.
type calibrationStage struct {
	label string
	probs []float64
}

// fileName returns a loss name fit for a file name: options ':' become
// '_' ("focal:gamma=1" → "focal_gamma=1").
func fileName(name string) string { return strings.ReplaceAll(name, ":", "_") }

// calibrationInputs returns what the binned calibration metrics read:
// the positive-class probability and label (binary), or the top-label
// confidence and whether the top class is right (metrics.TopLabel).
func calibrationInputs(p []float64, y []int, binary bool, c int) ([]float64, []bool, error) {
	if !binary {
		return metrics.TopLabel(p, y, c)
	}
	outcome := make([]bool, len(y))
	for i, label := range y {
		outcome[i] = label == 1
	}
	return p, outcome, nil
}

// newReliabilityPlot returns an empty reliability diagram: the axes and
// the diagonal of perfect calibration.
func newReliabilityPlot(title string, binary bool) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	if binary {
		p.X.Label.Text, p.Y.Label.Text = "predicted probability", "fraction positive"
	} else {
		p.X.Label.Text, p.Y.Label.Text = "confidence (top-class probability)", "accuracy"
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	diag, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}) // two finite points: no error
	diag.Dashes = []vg.Length{vg.Points(4), vg.Points(4)}
	diag.Color = color.Gray{Y: 128}
	p.Add(diag)
	return p
}

// addCurve adds the curve of the non-empty bins' (mean confidence,
// frequency), in colour i, to p with a legend entry.
func addCurve(p *plot.Plot, name string, bins []metrics.Bin, i int) error {
	var xy plotter.XYs
	for _, b := range bins {
		if b.Count > 0 {
			xy = append(xy, plotter.XY{X: b.Confidence, Y: b.Frequency})
		}
	}
	lp, sc, err := plotter.NewLinePoints(xy)
	if err != nil {
		return err
	}
	lp.Color, sc.Color = plotutil.Color(i), plotutil.Color(i)
	sc.Shape = plotutil.Shape(i)
	p.Add(lp, sc)
	p.Legend.Add(name, lp, sc)
	return nil
}

// reliabilityBars returns the reliability diagram of bins in the form of
// Guo et al. (2017, Fig. 1): per bin, the accuracy (frequency) as a filled
// bar and the mean confidence as an outlined one, so that a bar short of
// its outline is overconfidence.
func reliabilityBars(title string, bins []metrics.Bin, binary bool) (*plot.Plot, error) {
	p := newReliabilityPlot(title, binary)
	acc := &plotter.Histogram{FillColor: color.RGBA{R: 60, G: 110, B: 200, A: 255}, LineStyle: plotter.DefaultLineStyle}
	conf := &plotter.Histogram{LineStyle: plotter.DefaultLineStyle}
	conf.LineStyle.Color = color.RGBA{R: 220, G: 40, B: 40, A: 255}
	conf.LineStyle.Width = vg.Points(1.5)
	for _, b := range bins {
		if b.Count == 0 {
			continue
		}
		acc.Bins = append(acc.Bins, plotter.HistogramBin{Min: b.Lo, Max: b.Hi, Weight: b.Frequency})
		conf.Bins = append(conf.Bins, plotter.HistogramBin{Min: b.Lo, Max: b.Hi, Weight: b.Confidence})
	}
	if len(acc.Bins) == 0 {
		return p, nil
	}
	acc.Width, conf.Width = bins[0].Hi-bins[0].Lo, bins[0].Hi-bins[0].Lo
	p.Add(acc, conf)
	p.Legend.Add("accuracy", acc)
	p.Legend.Add("mean confidence", conf)
	p.Legend.Left, p.Legend.Top = true, true
	return p, nil
}

// confidenceHistogram returns the fraction of the examples in each bin,
// with vertical lines at the mean confidence and the mean outcome (the
// accuracy, or the positive rate): their distance is the overall bias.
func confidenceHistogram(bins []metrics.Bin, conf []float64, outcome []bool, binary bool) (*plot.Plot, error) {
	p := plot.New()
	p.X.Min, p.X.Max, p.Y.Min = 0, 1, 0
	p.X.Label.Text, p.Y.Label.Text = "confidence (top-class probability)", "fraction of examples"
	if binary {
		p.X.Label.Text = "predicted probability"
	}
	h := &plotter.Histogram{FillColor: color.Gray{Y: 150}, LineStyle: plotter.DefaultLineStyle}
	n := float64(len(conf))
	for _, b := range bins {
		h.Bins = append(h.Bins, plotter.HistogramBin{Min: b.Lo, Max: b.Hi, Weight: float64(b.Count) / n})
	}
	h.Width = bins[0].Hi - bins[0].Lo
	p.Add(h)
	var mc, mo float64
	for i, c := range conf {
		mc += c
		if outcome[i] {
			mo++
		}
	}
	mc, mo = mc/n, mo/n
	top := 0.0
	for _, b := range h.Bins {
		top = max(top, b.Weight)
	}
	p.Y.Max = top * 1.05
	what := "accuracy"
	if binary {
		what = "positive rate"
	}
	for k, v := range []struct {
		x    float64
		name string
	}{{mc, fmt.Sprintf("mean confidence %.3f", mc)}, {mo, fmt.Sprintf("%s %.3f", what, mo)}} {
		l, err := plotter.NewLine(plotter.XYs{{X: v.x, Y: 0}, {X: v.x, Y: p.Y.Max}})
		if err != nil {
			return nil, err
		}
		l.Color = []color.Color{color.RGBA{R: 220, G: 40, B: 40, A: 255}, color.RGBA{R: 60, G: 110, B: 200, A: 255}}[k]
		l.Width = vg.Points(1.5)
		l.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
		p.Add(l)
		p.Legend.Add(v.name, l)
	}
	p.Legend.Left, p.Legend.Top = true, true
	return p, nil
}

// classwisePlots returns one reliability panel per class, in rows of at
// most five: the curve of p_c against 1[y = c] over 15 equal-width bins,
// for each stage (as trained, temperature-scaled).
func classwisePlots(stages []calibrationStage, y []int, classes []string) ([][]*plot.Plot, error) {
	c := len(classes)
	cols := min(c, 5)
	var grid [][]*plot.Plot
	for k := range c {
		p := newReliabilityPlot(fmt.Sprintf("class %s", classes[k]), false)
		p.X.Label.Text, p.Y.Label.Text = "p(class)", "fraction of the class"
		p.Title.TextStyle.Font.Size = vg.Points(10)
		p.Legend.TextStyle.Font.Size = vg.Points(8)
		p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = vg.Points(9), vg.Points(9)
		for s, st := range stages {
			pc := make([]float64, len(y))
			is := make([]bool, len(y))
			for i, label := range y {
				pc[i], is[i] = st.probs[i*c+k], label == k
			}
			bins, err := metrics.Reliability(pc, is, metrics.Bins)
			if err != nil {
				return nil, err
			}
			name := "as trained"
			if st.label != "" {
				name = st.label
			}
			if err := addCurve(p, name, bins, s); err != nil {
				return nil, err
			}
		}
		p.Legend.Left, p.Legend.Top = true, true
		if k%cols == 0 {
			grid = append(grid, nil)
		}
		grid[len(grid)-1] = append(grid[len(grid)-1], p)
	}
	for len(grid[len(grid)-1]) < cols {
		grid[len(grid)-1] = append(grid[len(grid)-1], nil)
	}
	return grid, nil
}

package train

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/focalgo/focal/internal/output"
	"github.com/focalgo/focal/metrics"
)

// WritePlots stages PNG plots of the report's results in dir, for its
// plan to commit: per loss, a reliability diagram (reliability-LOSS.png)
// and, for a binary task, the precision-recall curve (pr-LOSS.png); with
// more than one loss, also all PR curves on one plot (pr.png). With
// several seeds, the plots are those of the first.
func WritePlots(dir *output.Dir, r *Report) error {
	testY := r.testY
	// Errors of the plots themselves name the directory; those of
	// writing them name the file already.
	fail := func(err error) error { return fmt.Errorf("--plots %s: %w", dir.Path(), err) }
	add := func(name string, p *plot.Plot) error {
		wt, err := p.WriterTo(5*vg.Inch, 4*vg.Inch, "png")
		if err != nil {
			return fail(err)
		}
		return dir.Output(name).Write(func(w io.Writer) error { _, err := wt.WriteTo(w); return err })
	}
	binary := r.Task == "binary"
	all := plot.New()
	all.Title.Text = "Precision-recall (test set)"
	all.X.Label.Text, all.Y.Label.Text = "recall", "precision"
	all.X.Min, all.X.Max, all.Y.Min, all.Y.Max = 0, 1, 0, 1
	for i, res := range r.Results {
		if res.Seed != r.Seeds[0] {
			break
		}
		conf, outcome := calibrationInputs(res.probs, testY, binary, len(r.Classes))
		bins, err := metrics.Reliability(conf, outcome, metrics.Bins)
		if err != nil {
			return fail(err)
		}
		rel, err := reliabilityPlot(res.Loss, bins, binary)
		if err != nil {
			return fail(err)
		}
		if err := add("reliability-"+res.Name+".png", rel); err != nil {
			return err
		}
		if !binary {
			continue
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
		if err := add("pr-"+res.Name+".png", one); err != nil {
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

// calibrationInputs returns what ECE bins: the positive-class probability
// and label (binary), or the top probability and whether the top class is
// right (multi-class).
func calibrationInputs(p []float64, y []int, binary bool, c int) ([]float64, []bool) {
	conf := make([]float64, len(y))
	outcome := make([]bool, len(y))
	for i, label := range y {
		if binary {
			conf[i], outcome[i] = p[i], label == 1
			continue
		}
		row := p[i*c : (i+1)*c]
		k := 0
		for j, v := range row {
			if v > row[k] {
				k = j
			}
		}
		conf[i], outcome[i] = row[k], k == label
	}
	return conf, outcome
}

func reliabilityPlot(name string, bins []metrics.Bin, binary bool) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Reliability, " + name
	if binary {
		p.X.Label.Text, p.Y.Label.Text = "predicted probability (bin mean)", "fraction positive"
	} else {
		p.X.Label.Text, p.Y.Label.Text = "top-class probability (bin mean)", "accuracy"
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, err
	}
	diag.Dashes = []vg.Length{vg.Points(4), vg.Points(4)}
	diag.Color = color.Gray{Y: 128}
	p.Add(diag)
	var xy plotter.XYs
	for _, b := range bins {
		if b.Count > 0 {
			xy = append(xy, plotter.XY{X: b.Confidence, Y: b.Frequency})
		}
	}
	lp, sc, err := plotter.NewLinePoints(xy)
	if err != nil {
		return nil, err
	}
	lp.Color = plotutil.Color(0)
	sc.Color = plotutil.Color(0)
	p.Add(lp, sc)
	return p, nil
}

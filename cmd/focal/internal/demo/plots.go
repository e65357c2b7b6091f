package demo

import (
	"fmt"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/focalgo/focal/cmd/focal/internal/figure"
)

// writeCurves draws the learning curves as a PNG: each run's validation
// score against the training step, one colour per loss (every seed of a
// loss in its colour), so that how far each loss is from its plateau
// shows.
func writeCurves(w io.Writer, res *Result) error {
	p := plot.New()
	metric := "AP@0.5"
	if res.Task == TaskCells {
		metric = fmt.Sprintf("recall at %g FP/image", res.FPPI)
	}
	p.Title.Text = fmt.Sprintf("Learning curves: validation %s (%d scenes)", metric, res.Val)
	p.X.Label.Text, p.Y.Label.Text = "training step", "validation "+metric
	p.Y.Min = 0
	p.Add(plotter.NewGrid())
	p.Legend.Top, p.Legend.Left = true, true
	named := map[int]bool{}
	for _, r := range res.Runs {
		pts := make(plotter.XYs, len(r.Curve))
		for i, c := range r.Curve {
			pts[i] = plotter.XY{X: float64(c.Step), Y: c.Val}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.Color = plotutil.Color(r.Index)
		l.Dashes = plotutil.Dashes(r.Index / 7)
		l.Width = vg.Points(1.5)
		p.Add(l)
		if !named[r.Index] {
			named[r.Index] = true
			p.Legend.Add(r.Loss, l)
		}
	}
	wt, err := p.WriterTo(7*vg.Inch, 4.5*vg.Inch, "png")
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}

// writeFigure4 draws the paper's Figure 4 as a PNG: the cumulative
// normalised loss of the positive (left) and negative (right) samples,
// one line per γ.
func writeFigure4(w io.Writer, f *Figure4) error {
	panel := func(title string, curves [][]float64) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text = title
		p.X.Label.Text, p.Y.Label.Text = "fraction of samples (lowest loss first)", "cumulative normalized loss"
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
		p.Add(plotter.NewGrid())
		p.Legend.Top, p.Legend.Left = true, true
		for i, g := range f.Gammas {
			pts := make(plotter.XYs, len(f.Fractions))
			for k, x := range f.Fractions {
				pts[k] = plotter.XY{X: x, Y: curves[i][k]}
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return nil, err
			}
			l.Color = plotutil.Color(i)
			l.Width = vg.Points(1.8)
			p.Add(l)
			p.Legend.Add(fmt.Sprintf("γ = %g", g), l)
		}
		return p, nil
	}
	pos, err := panel(fmt.Sprintf("positive samples (%d)", f.Positives), f.Pos)
	if err != nil {
		return err
	}
	neg, err := panel(fmt.Sprintf("negative samples (%d)", f.Negatives), f.Neg)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("Figure 4: FL_γ of the %s model's predictions on %d test scenes", f.Loss, f.Scenes)
	return figure.Grid(w, [][]*plot.Plot{{pos, neg}}, 12*vg.Inch, 5*vg.Inch, title)
}

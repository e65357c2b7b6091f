package cli

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg" // registers the png format
	_ "gonum.org/v1/plot/vg/vgsvg" // registers the svg format

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/cmd/focal/internal/output"
	"github.com/focalgo/focal/cmd/focal/internal/quote"
)

// curveFlags are the flags of `focal curve`.
type curveFlags struct {
	kind             string
	params           []string
	changed          func(flag string) bool
	gammas, out, csv string
	alpha            float64
	grad             bool
	points           int
}

// NewCurveCommand returns `focal curve`, the paper's Fig. 1.
func NewCurveCommand() *cobra.Command {
	var f curveFlags
	cmd := &cobra.Command{
		Use:   "curve [flags]",
		Short: "Plot focal loss against pₜ for several γ (the paper's Fig. 1) as PNG and SVG",
		Long: `curve draws FL(pₜ) = −αₜ (1 − pₜ)^γ log pₜ against the probability of the true
class pₜ ∈ (0, 1] for each γ in --gamma, like Fig. 1 of Lin et al. (2017):
γ = 0 is cross-entropy, and larger γ flattens the loss of well-classified
examples (pₜ > 0.5). With --grad a second panel shows |∂FL/∂x|, the size of the
gradient w.r.t. the logit. The values come from focal.Loss on a positive
target with logit x = log(pₜ / (1 − pₜ)). It writes OUT.png and OUT.svg (and the
numbers with --csv) and prints the paths.`,
		Example: `  # the README's figure
  focal curve --grad --out docs/focal-curve --csv docs/focal-curve.csv

  # α-balanced, other γ
  focal curve --gamma 0,1,3 --alpha 0.25 --out fl-alpha

  # a member of the focal family (docs/family.md)
  focal curve --kind poly1 --param epsilon=1 --gamma 0,2 --out poly1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.changed = cmd.Flags().Changed
			return runCurve(cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.kind, "kind", "focal", "loss to plot: "+familyKinds())
	fl.StringArrayVar(&f.params, "param", nil, "family member parameter name=value, for every curve (repeatable)")
	fl.StringVar(&f.gammas, "gamma", "0,0.5,1,2,5", "comma-separated focusing parameters γ ≥ 0, one curve each")
	fl.Float64Var(&f.alpha, "alpha", -1, "α ∈ [0, 1] weighting the (positive) true class; negative: off")
	fl.BoolVar(&f.grad, "grad", false, "add a second panel with |∂FL/∂x| against pₜ")
	fl.StringVar(&f.out, "out", "focal-curve", "output path without extension: writes OUT.png and OUT.svg")
	fl.StringVar(&f.csv, "csv", "", "also write the numbers (pt, then loss and |grad| per γ) to this CSV file")
	fl.IntVar(&f.points, "points", 400, "points per curve (2–100000)")
	return cmd
}

// curveData holds, for each curve, its label, and the loss and |∂FL/∂x|
// at each pₜ.
type curveData struct {
	labels     []string
	pt         []float64
	loss, grad [][]float64
}

// computeCurve evaluates each member on a positive target at logit(pₜ), pₜ
// on an even grid of (0, 1] that ends at 1.
func computeCurve(members []focal.Member, labels []string, points int) (*curveData, error) {
	d := &curveData{labels: labels, pt: make([]float64, points)}
	x := make([]float64, points)
	y := make([]float64, points)
	for i := range d.pt {
		p := float64(i+1) / float64(points)
		d.pt[i] = p
		// logit(p) = log p − log1p(−p), +Inf at p = 1.
		x[i] = math.Log(p) - math.Log1p(-p)
		y[i] = 1
	}
	for _, m := range members {
		out := focal.Outputs[float64]{Loss: make([]float64, points), Grad: make([]float64, points)}
		if _, err := focal.Loss(m, focal.Options{Reduction: focal.None}, out, focal.Input[float64]{Logits: x, Targets: y}); err != nil {
			return nil, err
		}
		for i, v := range out.Grad {
			out.Grad[i] = math.Abs(v)
		}
		d.loss = append(d.loss, out.Loss)
		d.grad = append(d.grad, out.Grad)
	}
	return d, nil
}

// curveMembers returns one member per curve: one per γ for kinds with a
// γ, else the kind's defaults (with --param) alone.
func curveMembers(f curveFlags) ([]focal.Member, []string, error) {
	k, err := focal.ParseKind(f.kind)
	if err != nil {
		return nil, nil, badInput("curve: --kind %s: want one of %s", quote.Clip(f.kind), familyKinds())
	}
	params, err := parseParams("curve", k, f.params)
	if err != nil {
		return nil, nil, err
	}
	if hasParam(k, "alpha") {
		params["alpha"] = max(f.alpha, 0) // off unless given
	} else if f.changed != nil && f.changed("alpha") {
		return nil, nil, badInput("curve: --alpha: %s has no α (its parameters: %s)", k, strings.Join(k.Params(), ", "))
	}
	if !hasParam(k, "gamma") {
		if f.changed != nil && f.changed("gamma") {
			return nil, nil, badInput("curve: --gamma: %s has no γ (its parameters: %s; use --param)", k, strings.Join(k.Params(), ", "))
		}
		m, err := newMember("curve", k, params)
		if err != nil {
			return nil, nil, err
		}
		return []focal.Member{m}, []string{string(k) + " " + strings.Join(f.params, " ")}, nil
	}
	gammas, err := parseGammas(f.gammas)
	if err != nil {
		return nil, nil, err
	}
	var ms []focal.Member
	var labels []string
	for _, g := range gammas {
		params["gamma"] = g
		m, err := newMember("curve", k, params)
		if err != nil {
			return nil, nil, err
		}
		ms = append(ms, m)
		l := fmt.Sprintf("γ = %g", g)
		if g == 0 && k == focal.KindFocal {
			l += " (CE)"
		}
		labels = append(labels, l)
	}
	return ms, labels, nil
}

func parseGammas(s string) ([]float64, error) {
	var gs []float64
	for _, part := range strings.Split(s, ",") {
		g, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || !(g >= 0) || math.IsInf(g, 1) {
			return nil, badInput("curve: --gamma %s: %s is not a finite γ ≥ 0", quote.Clip(s), quote.Clip(part))
		}
		gs = append(gs, g)
	}
	if len(gs) > 12 {
		return nil, badInput("curve: --gamma %s: %d values, at most 12 curves fit a legend", quote.Clip(s), len(gs))
	}
	return gs, nil
}

func runCurve(stdout io.Writer, f curveFlags) error {
	if math.IsNaN(f.alpha) || f.alpha > 1 {
		return badInput("curve: --alpha %v: want α ∈ [0, 1] (negative: off)", f.alpha)
	}
	alpha := max(f.alpha, 0) // 0: off
	if f.points < 2 || f.points > 100000 {
		return badInput("curve: --points %d: want 2 to 100000", f.points)
	}
	if f.out == "" || os.IsPathSeparator(f.out[len(f.out)-1]) {
		return badInput("curve: --out %s: want a path without extension, not a directory", f.out)
	}
	f.alpha = alpha
	members, labels, err := curveMembers(f)
	if err != nil {
		return err
	}
	plan := output.NewPlan()
	defer plan.Abort()
	png, svg := plan.Output("--out", f.out+".png"), plan.Output("--out", f.out+".svg")
	csv := plan.Output("--csv", f.csv)
	if err := plan.Check(); err != nil {
		return fmt.Errorf("curve: %w", err)
	}
	d, err := computeCurve(members, labels, f.points)
	if err != nil {
		return badInput("curve: %s", coreMessage(err))
	}
	kind, _ := focal.ParseKind(f.kind)
	img, err := drawCurve(d, kind, alpha, f.grad)
	if err != nil {
		return err
	}
	err = png.Write(func(w io.Writer) error { _, err := img["png"].WriteTo(w); return err })
	if err == nil {
		err = svg.Write(func(w io.Writer) error { _, err := img["svg"].WriteTo(w); return err })
	}
	if err == nil && csv != nil {
		err = csv.Write(func(w io.Writer) error { return writeCurveCSV(w, d) })
	}
	if err == nil {
		err = plan.Commit()
	}
	if err != nil {
		return fmt.Errorf("curve: %w", err)
	}
	for _, o := range []*output.Output{png, svg, csv} {
		if o == nil {
			continue
		}
		if _, err := fmt.Fprintln(stdout, o.Path()); err != nil {
			return err
		}
	}
	return nil
}

// csvName turns a curve label into a CSV column name: "γ = 2" → "gamma_2".
func csvName(l string) string {
	l = strings.NewReplacer("γ", "gamma", " = ", "_", " (CE)", "", ",", ";").Replace(strings.TrimSpace(l))
	return strings.ReplaceAll(l, " ", "_")
}

func writeCurveCSV(w io.Writer, d *curveData) error {
	var b strings.Builder
	b.WriteString("pt")
	for _, l := range d.labels {
		fmt.Fprintf(&b, ",loss_%s", csvName(l))
	}
	for _, l := range d.labels {
		fmt.Fprintf(&b, ",absgrad_%s", csvName(l))
	}
	b.WriteByte('\n')
	for i, p := range d.pt {
		b.WriteString(strconv.FormatFloat(p, 'g', -1, 64))
		for k := range d.labels {
			b.WriteString("," + strconv.FormatFloat(d.loss[k][i], 'g', 10, 64))
		}
		for k := range d.labels {
			b.WriteString("," + strconv.FormatFloat(d.grad[k][i], 'g', 10, 64))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// palette is a colour-blind-safe qualitative palette (Okabe and Ito, 2008).
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255}, color.RGBA{230, 159, 0, 255}, color.RGBA{0, 158, 115, 255},
	color.RGBA{213, 94, 0, 255}, color.RGBA{204, 121, 167, 255}, color.RGBA{86, 180, 233, 255},
	color.RGBA{0, 0, 0, 255}, color.RGBA{240, 228, 66, 255},
}

func panel(d *curveData, ys [][]float64, title, ylabel string, ymax float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "probability of the true class p_t"
	p.Y.Label.Text = ylabel
	p.X.Min, p.X.Max = 0, 1
	p.Y.Min, p.Y.Max = 0, ymax
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	for k, name := range d.labels {
		pts := make(plotter.XYs, 0, len(d.pt))
		for i, pt := range d.pt {
			// Clip to the frame: the cross-entropy curve runs off to +Inf.
			pts = append(pts, plotter.XY{X: pt, Y: math.Min(ys[k][i], ymax)})
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		l.Color = palette[k%len(palette)]
		l.Width = vg.Points(1.8)
		if k >= len(palette) {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		}
		p.Add(l)
		p.Legend.Add(name, l)
	}
	return p, nil
}

// drawCurve renders the figure into a PNG and an SVG canvas.
func drawCurve(d *curveData, kind focal.Kind, alpha float64, withGrad bool) (map[string]io.WriterTo, error) {
	// The plot fonts have no subscript ₜ: the figure spells it p_t.
	title := "Focal loss FL(p_t) = −(1 − p_t)^γ log p_t"
	if alpha > 0 {
		title = fmt.Sprintf("Focal loss FL(p_t) = −α (1 − p_t)^γ log p_t, α = %g", alpha)
	}
	if kind != focal.KindFocal {
		title = fmt.Sprintf("%s loss of a positive against p_t", kind)
		if alpha > 0 && hasParam(kind, "alpha") {
			title += fmt.Sprintf(", α = %g", alpha)
		}
	}
	lossPlot, err := panel(d, d.loss, title, "loss", 5)
	if err != nil {
		return nil, err
	}
	plots := []*plot.Plot{lossPlot}
	if withGrad {
		gmax := 0.0
		for _, g := range d.grad {
			gmax = math.Max(gmax, floats.Max(g))
		}
		gp, err := panel(d, d.grad, "Gradient size |∂FL/∂x| (x: the logit)", "|∂FL/∂x|", math.Ceil(gmax*10)/10)
		if err != nil {
			return nil, err
		}
		plots = append(plots, gp)
	}
	w, h := vg.Length(len(plots))*14*vg.Centimeter, 11*vg.Centimeter
	out := map[string]io.WriterTo{}
	for _, format := range []string{"png", "svg"} {
		c, err := draw.NewFormattedCanvas(w, h, format)
		if err != nil {
			return nil, err
		}
		dc := draw.New(c)
		tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Centimeter, PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 5}
		cv := plot.Align([][]*plot.Plot{plots}, tiles, dc)
		for j, p := range plots {
			p.Draw(cv[0][j])
		}
		out[format] = c
	}
	return out, nil
}

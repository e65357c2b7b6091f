// Package figure draws the command's figures: plots aligned on a grid in
// one PNG image.
package figure

import (
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// DPI is the resolution of the images Grid writes.
const DPI = 96

// titleBand is the height kept above the plots for a figure's title.
const titleBand = 0.4 * vg.Inch

// Grid writes plots, rows of columns, aligned on one width × height PNG
// to w; a nil plot leaves its tile empty. A non-empty title is centred
// above the plots, in the style of the first plot's own title.
func Grid(w io.Writer, plots [][]*plot.Plot, width, height vg.Length, title string) error {
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(DPI))
	dc := draw.New(img)
	area := dc
	if title != "" {
		area = draw.Crop(dc, 0, 0, 0, -titleBand)
		if p := first(plots); p != nil {
			sty := p.Title.TextStyle
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
			dc.FillText(sty, vg.Point{X: width / 2, Y: height - vg.Inch/16}, title)
		}
	}
	t := draw.Tiles{Rows: len(plots), Cols: len(plots[0]), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(plots, t, area)
	for i, row := range plots {
		for j, p := range row {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// first returns the first plot of the grid that is not nil.
func first(plots [][]*plot.Plot) *plot.Plot {
	for _, row := range plots {
		for _, p := range row {
			if p != nil {
				return p
			}
		}
	}
	return nil
}

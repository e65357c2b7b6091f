package demo

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/focalgo/focal/cmd/focal/internal/logistic"
)

// Panel geometry: each tile is the scene scaled by panelZoom, under a
// header line of text.
const (
	panelZoom   = 3
	panelGap    = 4
	panelHeader = 16
	panelFooter = 32
)

var (
	colorBox = color.RGBA{0, 220, 255, 255} // ground-truth boxes
	colorTP  = color.RGBA{40, 255, 40, 255} // detections that found an object
	colorFP  = color.RGBA{255, 40, 40, 255} // false positives
)

// writePanel draws test scene k of res side by side: the scene with its
// object boxes, the target, then each loss's (first seed's) probability
// map — per cell the largest probability over its logits, on a log scale
// (10⁻³ … 1) — with its detections: in the anchors task the image's top N
// boxes after NMS, N its number of objects; in the cells task the peaks
// kept at the run's FPPI threshold. A line under the tiles says what the
// colours mean.
func writePanel(w io.Writer, res *Result, k int) error {
	s := res.scenes[k]
	tile := s.Size * panelZoom
	cols := 2 + len(res.views)
	img := image.NewRGBA(image.Rect(0, 0, cols*tile+(cols-1)*panelGap, panelHeader+tile+panelFooter))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	g := s.Size / Stride
	heads := res.LogitsPerImage / (g * g)

	at := func(col int) image.Point { return image.Pt(col*(tile+panelGap), panelHeader) }
	// Scene.
	o := at(0)
	for y := range tile {
		for x := range tile {
			v := uint8(255*s.Pixels[(y/panelZoom)*s.Size+x/panelZoom] + 0.5)
			img.SetRGBA(o.X+x, o.Y+y, color.RGBA{v, v, v, 255})
		}
	}
	boxes(img, o, s)
	label(img, o.X, "scene")
	// Target: per cell, 1 if any of its logits is positive.
	var target []float32
	if res.Task == TaskAnchors {
		tg, _ := s.AnchorTargets(Stride, res.Classes)
		target = cellMax(tg, g, heads)
	} else {
		target = s.Target(Stride)
	}
	heat(img, at(1), target, g, tile, func(v float32) float64 { return float64(v) })
	boxes(img, at(1), s)
	label(img, at(1).X, "target")
	// Runs.
	for c, v := range res.views {
		p := at(2 + c)
		heat(img, p, cellMax(v.maps[k*g*g*heads:(k+1)*g*g*heads], g, heads), g, tile, logScale)
		boxes(img, p, s)
		if res.Task == TaskAnchors {
			shown := 0
			for _, d := range v.boxes {
				if d.Image != k || shown == len(s.Objects) {
					continue
				}
				shown++
				col := colorFP
				if matchesObject(d, s) {
					col = colorTP
				}
				r := image.Rect(int(d.Box.X0*panelZoom), int(d.Box.Y0*panelZoom), int(d.Box.X1*panelZoom+0.5),
					int(d.Box.Y1*panelZoom+0.5)).Add(p).Intersect(image.Rect(p.X, p.Y, p.X+tile, p.Y+tile))
				rect(img, r, col)
			}
		} else {
			for _, d := range v.cells {
				if d.Image != k || d.Score < v.recall.Threshold {
					continue
				}
				col := colorFP
				if d.Object >= 0 {
					col = colorTP
				}
				cx := p.X + (d.Cell%g)*Stride*panelZoom + Stride*panelZoom/2
				cy := p.Y + (d.Cell/g)*Stride*panelZoom + Stride*panelZoom/2
				rect(img, image.Rect(cx-3, cy-3, cx+4, cy+4), col)
			}
		}
		label(img, p.X, res.Runs[v.run].Loss)
	}
	first := "cyan: object; green: detection that finds one; red: false positive"
	second := "maps: max probability per cell, log scale 0.001 (black) to 1 (white)"
	if res.Task == TaskAnchors {
		first = "cyan: object; green: box at IoU >= 0.5 with an object of its class; red: false positive"
		second += "; top N boxes, N = objects"
	}
	footer(img, panelHeader+tile+14, first)
	footer(img, panelHeader+tile+28, second)
	return png.Encode(w, img)
}

// cellMax returns, per cell of a g×g grid, the largest of its heads values.
func cellMax(v []float32, g, heads int) []float32 {
	out := make([]float32, g*g)
	for c := range out {
		out[c] = v[c*heads]
		for _, x := range v[c*heads : (c+1)*heads] {
			out[c] = max(out[c], x)
		}
	}
	return out
}

// matchesObject reports whether d overlaps an object of its class in s
// with IoU ≥ 0.5.
func matchesObject(d BoxDetection, s Scene) bool {
	for _, o := range s.Objects {
		if o.Class == d.Class && iou(d.Box, objectBox(o)) >= matchIoU {
			return true
		}
	}
	return false
}

// footer writes a line of text with its baseline at y.
func footer(img *image.RGBA, y int, text string) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: basicfont.Face7x13, Dot: fixed.P(2, y)}
	d.DrawString(text)
}

// logScale maps a logit x to (log₁₀ σ(x) + 3)/3: probabilities 10⁻³ … 1
// span the colour map, so that the background level of each loss shows.
// log σ(x) = −softplus(−x), computed without forming σ(x).
func logScale(x float32) float64 {
	return 1 - logistic.Softplus(-float64(x))/math.Ln10/3
}

// heat fills a tile with a g×g map through the colour map.
func heat(img *image.RGBA, o image.Point, m []float32, g, tile int, f func(float32) float64) {
	for y := range tile {
		for x := range tile {
			img.SetRGBA(o.X+x, o.Y+y, colormap(f(m[(y*g/tile)*g+x*g/tile])))
		}
	}
}

// colormap maps p ∈ [0, 1] to black → red → yellow → white.
func colormap(p float64) color.RGBA {
	p = min(max(p, 0), 1)
	c := func(v float64) uint8 { return uint8(255*min(max(v, 0), 1) + 0.5) }
	return color.RGBA{c(3 * p), c(3*p - 1), c(3*p - 2), 255}
}

// boxes outlines the scene's objects on a tile at o.
func boxes(img *image.RGBA, o image.Point, s Scene) {
	for _, ob := range s.Objects {
		r := image.Rect(ob.X0*panelZoom, ob.Y0*panelZoom, ob.X1*panelZoom, ob.Y1*panelZoom).Add(o)
		outline(img, r, colorBox)
	}
}

func outline(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	for x := r.Min.X; x < r.Max.X; x++ {
		img.SetRGBA(x, r.Min.Y, c)
		img.SetRGBA(x, r.Max.Y-1, c)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		img.SetRGBA(r.Min.X, y, c)
		img.SetRGBA(r.Max.X-1, y, c)
	}
}

func rect(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	outline(img, r, c)
	outline(img, r.Inset(1), c)
}

// label writes text in the header above the tile starting at column x.
func label(img *image.RGBA, x int, text string) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: basicfont.Face7x13,
		Dot: fixed.P(x+2, panelHeader-4)}
	d.DrawString(asciiLabel(text))
}

// asciiLabel spells out the Greek letters of the loss names: the bitmap
// font of the panels is ASCII.
func asciiLabel(text string) string {
	return strings.NewReplacer("α", "alpha", "γ", "gamma").Replace(text)
}

// panelName is the file name of panel k.
func panelName(k int) string { return fmt.Sprintf("scene-%02d.png", k) }

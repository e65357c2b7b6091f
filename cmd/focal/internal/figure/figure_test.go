package figure

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// inked reports whether any pixel of img in columns [x0, x1) of rows
// [y0, y1) is not white.
func inked(img image.Image, x0, x1, y0, y1 int) bool {
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r&g&bl != 0xffff {
				return true
			}
		}
	}
	return false
}

// TestGridSizeAndTitle: the PNG has the asked size at DPI, both tiles
// are drawn, and the middle of the band above the plots (between the two
// plots' own titles) holds ink only when a figure title is given.
func TestGridSizeAndTitle(t *testing.T) {
	for _, title := range []string{"", "a title"} {
		left, right := plot.New(), plot.New()
		left.Title.Text, right.Title.Text = "left", "right"
		var buf bytes.Buffer
		if err := Grid(&buf, [][]*plot.Plot{{left, right}}, 4*vg.Inch, 2*vg.Inch, title); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 4*DPI || b.Dy() != 2*DPI {
			t.Fatalf("title %q: image %v, want %d×%d", title, b, 4*DPI, 2*DPI)
		}
		band := int(titleBand.Points() * DPI / 72)
		mid := 2 * DPI
		if got := inked(img, mid-4, mid+4, 0, band-2); got != (title != "") {
			t.Errorf("title %q: ink in the middle of the title band = %v", title, got)
		}
		for _, x := range []int{DPI, 3 * DPI} {
			if !inked(img, x-DPI/2, x+DPI/2, band, 2*DPI) {
				t.Errorf("title %q: nothing drawn in the tile around x = %d", title, x)
			}
		}
	}
}

package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
)

func TestCurveWritesValidPNGAndSVGAndPrintsPaths(t *testing.T) {
	base := filepath.Join(t.TempDir(), "fig")
	out, err := run(t, "curve", "--grad", "--out", base, "--csv", base+".csv", "--points", "50")
	if err != nil {
		t.Fatal(err)
	}
	want := base + ".png\n" + base + ".svg\n" + base + ".csv\n"
	if out != want {
		t.Errorf("printed %q, want the paths %q", out, want)
	}
	if b := pngSize(t, base+".png"); b.Dx() <= b.Dy() {
		t.Errorf("two-panel PNG is %d×%d, want wider than tall", b.Dx(), b.Dy())
	}
	svg, err := os.ReadFile(base + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("SVG root element %q, want svg", root)
	}
	for _, label := range []string{"γ = 0 (CE)", "γ = 5", "Focal loss", "p_t", "|∂FL/∂x|"} {
		if !strings.Contains(string(svg), xmlEscape(label)) {
			t.Errorf("SVG lacks the text %q (title, axis label or legend)", label)
		}
	}
}

// pngSize returns the size of the PNG image in the file at path; a file
// that is not one fails the test.
func pngSize(t *testing.T, path string) image.Rectangle {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s does not decode as PNG: %v", path, err)
	}
	return img.Bounds()
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func TestCurveCSVIsTheFocalLossAndItsGradient(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "fig")
	if _, err := run(t, "curve", "--gamma", "0,2", "--alpha", "0.25", "--out", base, "--csv", base+".csv", "--points", "20"); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(base + ".csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 21 || strings.Join(rows[0], ",") != "pt,loss_gamma_0,loss_gamma_2,absgrad_gamma_0,absgrad_gamma_2" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	for _, r := range rows[1:] {
		v := make([]float64, len(r))
		for i, s := range r {
			v[i], _ = strconv.ParseFloat(s, 64)
		}
		pt := v[0]
		// The paper's formula for a positive: FL = −α (1 − pₜ)^γ log pₜ,
		// ∂FL/∂x for γ = 0 is α (pₜ − 1).
		for k, g := range []float64{0, 2} {
			want := -0.25 * math.Pow(1-pt, g) * math.Log(pt)
			if math.Abs(v[1+k]-want) > 1e-9*(1+want) {
				t.Errorf("pt %v γ %v: loss %v, want %v", pt, g, v[1+k], want)
			}
		}
		if want := 0.25 * (1 - pt); math.Abs(v[3]-want) > 1e-9 {
			t.Errorf("pt %v γ 0: |grad| %v, want %v", pt, v[3], want)
		}
		if pt < 1 && v[4] >= v[3]*(1+1e-12) && pt > 0.5 {
			t.Errorf("pt %v: γ = 2 gradient %v not below cross-entropy's %v for a well-classified example", pt, v[4], v[3])
		}
	}
}

func TestCurveBadInput(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "fig")
	for _, tc := range []refusal{
		{"negative gamma", []string{"--gamma", "0,-1"}, "--gamma"},
		{"gamma not a number", []string{"--gamma", "a"}, "--gamma"},
		{"alpha above 1", []string{"--alpha", "2"}, "--alpha"},
		{"too few points", []string{"--points", "1"}, "--points"},
		{"output directory missing", []string{"--out", filepath.Join(dir, "no", "fig")}, "--out " + filepath.Join(dir, "no", "fig.png") + ": directory " + filepath.Join(dir, "no") + " does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"curve", "--out", base, "--csv", base + ".csv"}, tc.args...)
			_, err := run(t, args...)
			wantStatus2(t, err, tc.want)
			if left, _ := os.ReadDir(dir); len(left) > 0 {
				t.Errorf("files left behind: %v", left)
			}
		})
	}
}

func TestCurveKindPlotsAFamilyMember(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "poly")
	// Poly-1 adds ε (1 − pₜ)^(γ+1) to focal loss.
	if _, err := run(t, "curve", "--kind", "poly1", "--param", "epsilon=1", "--gamma", "2", "--out", base, "--csv", base+".csv", "--points", "10"); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(base + ".csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		pt, _ := strconv.ParseFloat(r[0], 64)
		got, _ := strconv.ParseFloat(r[1], 64)
		want := -math.Pow(1-pt, 2)*math.Log(pt) + math.Pow(1-pt, 3)
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("pt %v: poly1 loss %v, want %v", pt, got, want)
		}
	}
	for _, args := range [][]string{
		{"--kind", "qfl", "--gamma", "2"},
		{"--kind", "nope"},
		{"--kind", "poly1", "--param", "zeta=1"},
	} {
		_, err := run(t, append([]string{"curve", "--out", base}, args...)...)
		if exitcode.Code(err) != 2 {
			t.Errorf("curve %v: status %d (%v), want 2", args, exitcode.Code(err), err)
		}
	}
	if _, err := run(t, "curve", "--kind", "qfl", "--out", base); err != nil {
		t.Errorf("a kind without γ plots its defaults: %v", err)
	}
}

package cli

import (
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
)

// unchanged fails the test if path's content is no longer content.
func unchanged(t *testing.T, path string, content []byte) {
	t.Helper()
	if b, err := os.ReadFile(path); err != nil || string(b) != string(content) {
		t.Errorf("%s changed (%v)", path, err)
	}
}

// TestPredictRefusesAnOutputNamingItsInputs: predict --out naming its
// --data or --model file, in any spelling, is refused with exit status 2
// and the input is left as it was.
func TestPredictRefusesAnOutputNamingItsInputs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	data := filepath.Base(writeSyntheticCSV(t, dir, imbalanced(300, 3, 0.1, 2, 5)))
	if _, _, err := execute(NewTrainCommand(), "--quiet", "--data", data, "--epochs", "1", "--save", "m.model"); err != nil {
		t.Fatal(err)
	}
	os.Symlink("m.model", "mlink")
	os.Link(data, "hard.csv")
	model, _ := os.ReadFile("m.model")
	csv, _ := os.ReadFile(data)
	for _, c := range []struct {
		name, out string
		flags     []string
	}{
		{"--out over --data", data, []string{"--out and --data name the same file"}},
		{"--out over --data by absolute path", filepath.Join(dir, data), []string{"--out", "--data", "name the same file"}},
		{"--out over --data by a hard link", "hard.csv", []string{"--out", "--data", "name the same file"}},
		{"--out over --model by ./", "./m.model", []string{"--out", "--model", "name the same file"}},
		{"--out over --model through a link", "mlink", []string{"--out", "--model", "name the same file"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := execute(NewPredictCommand(), "--model", "m.model", "--data", data, "--out", c.out)
			wantStatus2(t, err, c.flags...)
			unchanged(t, "m.model", model)
			unchanged(t, data, csv)
		})
	}
}

// TestTrainChecksItsOutputsBeforeTraining: a --save or --plots
// destination that cannot be written, or that names the data, is refused
// with exit status 2 before any training: nothing is printed.
func TestTrainChecksItsOutputsBeforeTraining(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	data := filepath.Base(writeSyntheticCSV(t, dir, imbalanced(300, 3, 0.1, 2, 6)))
	csv, _ := os.ReadFile(data)
	os.Mkdir("models", 0o755)
	os.WriteFile("file", []byte("x"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"--save a directory", []string{"--save", "models"}, []string{"--save models: is a directory"}},
		{"--save over --data", []string{"--save", "./" + data}, []string{"--save", "--data", "name the same file"}},
		{"--save in a missing directory", []string{"--save", "none/m.model"}, []string{"--save none/m.model: directory none does not exist"}},
		{"--plots a file", []string{"--plots", "file"}, []string{"--plots file: not a directory"}},
		{"--plots and --save the same path", []string{"--save", "p", "--plots", "p"}, []string{"--plots", "--save", "name the same file (p)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, _, err := execute(NewTrainCommand(), append([]string{"--quiet", "--data", data, "--epochs", "1"}, c.args...)...)
			wantStatus2(t, err, c.want...)
			if stdout != "" {
				t.Errorf("trained before refusing: printed %q", stdout)
			}
			unchanged(t, data, csv)
			if _, err := os.Stat("p"); err == nil {
				t.Errorf("p written")
			}
		})
	}
}

// TestTrainPlotsAreValidPNGs: --plots writes, per loss, a reliability
// diagram with its confidence histogram (and class-wise curves on a
// multi-class task, PR curves on a binary one), and all losses' curves on
// one plot; with --temperature-scale before and after. Every file is a PNG
// that decodes, at least 200×200 pixels.
func TestTrainPlotsAreValidPNGs(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"multi-class, scaled", []string{"--data", word3(t, dir), "--loss", "ce,ce:ls=0.1,flsd", "--temperature-scale", "--hidden", "4", "--steps", "20"},
			[]string{"reliability.png", "reliability-bce.png", "reliability-bce_ls=0.1.png", "reliability-flsd.png",
				"classwise-bce.png", "classwise-bce_ls=0.1.png", "classwise-flsd.png"}},
		{"binary", []string{"--data", writeSyntheticCSV(t, dir, imbalanced(400, 3, 0.2, 1, 1)), "--loss", "bce,focal:alpha=0"},
			[]string{"reliability.png", "reliability-bce.png", "reliability-focal_alpha=0.png", "pr.png", "pr-bce.png", "pr-focal_alpha=0.png"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			plots := filepath.Join(dir, strings.ReplaceAll(c.name, " ", ""))
			if _, _, err := execute(NewTrainCommand(), append([]string{"--quiet", "--plots", plots}, c.args...)...); err != nil {
				t.Fatal(err)
			}
			names := cmdtest.Names(t, plots)
			want := slices.Sorted(slices.Values(c.want))
			if !slices.Equal(names, want) {
				t.Errorf("files %v, want %v", names, want)
			}
			for _, name := range names {
				f, err := os.Open(filepath.Join(plots, name))
				if err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(f)
				f.Close()
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 200 {
					t.Errorf("%s: %v", name, b)
				}
			}
		})
	}
}

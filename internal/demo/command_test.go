package demo

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/focalgo/focal/internal/exitcode"
)

func runCommand(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := NewCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestTinyRunWritesEveryOutput(t *testing.T) {
	skipUnderRace(t)
	dir := filepath.Join(t.TempDir(), "out")
	stdout, err := runCommand(t, "--steps", "3", "--size", "32", "--batch", "2", "--eval", "6", "--panels", "2",
		"--fashion", "", "--out", dir, "--json", "-q")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, stdout)
	}
	var res Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stdout)
	}
	if !(res.TrainPositiveFraction > 0 && res.TrainPositiveFraction < 0.2) {
		t.Errorf("training positive fraction %v", res.TrainPositiveFraction)
	}
	if res.Objects != "shapes" || res.Steps != 3 || res.Size != 32 || len(res.Runs) != len(Losses) {
		t.Errorf("results %+v: want shapes, 3 steps, size 32, %d runs", res, len(Losses))
	}
	for i, r := range res.Runs {
		if r.Loss != Losses[i].Name || !(r.AP >= 0 && r.AP <= 1) || !(r.FinalLoss > 0) || !(r.ConstantLoss > 0) {
			t.Errorf("run %d: %+v: want loss %s, AP in [0, 1], positive final and constant losses", i, r, Losses[i].Name)
		}
	}
	table, err := os.ReadFile(filepath.Join(dir, TableFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range Losses {
		if !strings.Contains(string(table), l.Name) {
			t.Errorf("table.txt lacks %s:\n%s", l.Name, table)
		}
	}
	js, err := os.ReadFile(filepath.Join(dir, JSONFile))
	if err != nil || !bytes.Equal(js, []byte(stdout)) {
		t.Errorf("results.json differs from --json output (err %v)", err)
	}
	for k := range 2 {
		f, err := os.Open(filepath.Join(dir, panelName(k)))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", panelName(k), err)
		}
		cols := 2 + len(Losses)
		if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != cols*32*panelZoom+(cols-1)*panelGap || h != panelHeader+32*panelZoom {
			t.Errorf("%s is %d×%d", panelName(k), w, h)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, panelName(2))); err == nil {
		t.Errorf("%s written, but --panels 2", panelName(2))
	}
}

func TestBadFlagsAreInputErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"size not a multiple of the stride", []string{"--size", "30"}, "--size = 30"},
		{"size too small", []string{"--size", "16"}, "--size = 16"},
		{"no steps", []string{"--steps", "0"}, "--steps = 0"},
		{"negative learning rate", []string{"--lr", "-1"}, "--lr = -1"},
		{"more panels than held-out scenes", []string{"--eval", "2", "--panels", "3"}, "--panels = 3"},
		{"NaN fppi", []string{"--fppi", "NaN"}, "--fppi = NaN"},
		{"batch too large for memory", []string{"--size", "512", "--batch", "16"}, "--batch = 16"},
		{"held-out set too large for memory", []string{"--size", "512", "--batch", "1", "--eval", "1000"}, "--eval = 1000"},
		{"empty output directory", []string{"--out", ""}, "--out"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		args := append([]string{"--out", filepath.Join(dir, "out")}, c.args...)
		_, err := runCommand(t, args...)
		if err == nil || exitcode.Code(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v (exit %d), want exit 2 naming %q", c.name, err, exitcode.Code(err), c.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
			t.Errorf("%s: output directory created", c.name)
		}
	}
	// Fashion-MNIST files that exist but are broken.
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "train-images-idx3-ubyte"), []byte("junk"), 0o644)
	out := filepath.Join(t.TempDir(), "out")
	if _, err := runCommand(t, "--fashion", bad, "--out", out, "--steps", "1", "--size", "32", "--eval", "1", "--panels", "0", "-q"); exitcode.Code(err) != 2 || !strings.Contains(err.Error(), "--fashion") {
		t.Errorf("broken --fashion files: %v, want exit 2 naming --fashion", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("broken --fashion files: output directory created")
	}
	// --out naming a file.
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	if _, err := runCommand(t, "--out", file); exitcode.Code(err) != 2 || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("--out a file: %v, want exit 2, not a directory", err)
	}
}

package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/demo"
)

// runDemoCommand runs `focal demo args…` and returns its stdout and error.
func runDemoCommand(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := Root()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"demo"}, args...))
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

// tinyDemo are the flags of a demo run that takes a second or two.
var tinyDemo = []string{"--steps", "2", "--size", "32", "--batch", "1", "--eval", "3", "--val", "2",
	"--val-every", "1", "--panels", "1", "--fashion", ""}

func TestDemoTinyRunWritesEveryOutput(t *testing.T) {
	for _, c := range []struct {
		task   string
		losses []demo.Loss
		files  []string
	}{
		{"anchors", demo.AnchorLosses, []string{demo.TableFile, demo.JSONFile, demo.CurvesFile, demo.Figure4File, "scene-00.png", "scene-01.png"}},
		{"cells", demo.CellLosses, []string{demo.TableFile, demo.JSONFile, demo.CurvesFile, "scene-00.png", "scene-01.png"}},
	} {
		t.Run(c.task, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			args := with(tinyDemo, "--task", c.task, "--panels", "2", "--seeds", "3,4", "--out", dir, "--json")
			stdout, stderr, err := runDemoCommand(t, args...)
			if err != nil {
				t.Fatalf("demo: %v\n%s", err, stderr)
			}
			var res demo.Result
			if err := json.Unmarshal([]byte(stdout), &res); err != nil {
				t.Fatalf("--json output: %v\n%s", err, stdout)
			}
			if res.Task != demo.Task(c.task) || res.Objects != "shapes" || res.Steps != 2 || res.Size != 32 ||
				len(res.Runs) != 2*len(c.losses) || len(res.Summary) != len(c.losses) {
				t.Errorf("results %+v: want task %s, shapes, 2 steps, size 32, %d runs", res, c.task, 2*len(c.losses))
			}
			for i, r := range res.Runs {
				want := c.losses[i/2]
				if r.Loss != want.Name || r.Seed != uint64(3+i%2) || !(r.AP >= 0 && r.AP <= 1) || !(r.FinalLoss > 0) ||
					len(r.Curve) != 2 || r.StepsRun != 2 {
					t.Errorf("run %d: %+v: want loss %s seed %d, AP in [0, 1], a positive loss, 2 validation scores",
						i, r, want.Name, 3+i%2)
				}
			}
			if !(res.PositiveFraction > 0 && res.PositiveFraction < 0.2) {
				t.Errorf("positive fraction %v", res.PositiveFraction)
			}
			if (res.Figure4 != nil) != (c.task == "anchors") {
				t.Errorf("figure 4 computed: %v", res.Figure4 != nil)
			}
			// On a stderr that is not a terminal: a plan line, then one line
			// per finished run, and no progress-bar redraws.
			if strings.ContainsAny(stderr, "\r\x1b") {
				t.Errorf("stderr has carriage returns or escape sequences (a progress bar): %q", stderr)
			}
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			if len(lines) != 1+len(res.Runs) {
				t.Fatalf("stderr has %d lines, want a plan and one per run (%d):\n%s", len(lines), len(res.Runs), stderr)
			}
			if want := fmt.Sprintf("%d training runs (%d losses × seeds 3,4)", len(res.Runs), len(c.losses)); !strings.Contains(lines[0], want) {
				t.Errorf("plan line %q: want %q", lines[0], want)
			}
			for i, r := range res.Runs {
				if l := lines[1+i]; !strings.Contains(l, r.Loss) || !strings.Contains(l, fmt.Sprintf("seed %d", r.Seed)) || !strings.Contains(l, "2 steps") {
					t.Errorf("line %d %q: want loss %s, seed %d and its 2 steps", 1+i, l, r.Loss, r.Seed)
				}
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != len(c.files) {
				t.Errorf("output directory holds %v, want %v", entries, c.files)
			}
			for _, f := range c.files {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Error(err)
					continue
				}
				switch {
				case f == demo.JSONFile:
					if !bytes.Equal(b, []byte(stdout)) {
						t.Errorf("%s differs from the --json output", f)
					}
				case f == demo.TableFile:
					for _, l := range c.losses {
						if !strings.Contains(string(b), l.Name) {
							t.Errorf("%s lacks %s:\n%s", f, l.Name, b)
						}
					}
				default:
					if _, err := png.Decode(bytes.NewReader(b)); err != nil {
						t.Errorf("%s: %v", f, err)
					}
				}
			}
		})
	}
}

func TestDemoBadFlagsAreInputErrors(t *testing.T) {
	cases := []refusal{
		{"size not a multiple of the stride", []string{"--size", "30"}, "--size = 30"},
		{"size too small", []string{"--size", "16"}, "--size = 16"},
		{"no steps", []string{"--steps", "0"}, "--steps = 0"},
		{"negative learning rate", []string{"--lr", "-1"}, "--lr = -1"},
		{"a learning rate of the grid out of range", []string{"--lr-grid", "1e-3,2"}, "--lr-grid: 2"},
		{"a learning rate of the grid not a number", []string{"--lr-grid", "1e-3,x"}, `--lr-grid "1e-3,x"`},
		{"a seed not a number", []string{"--seeds", "1,-2"}, `"-2" is not a non-negative integer`},
		{"a seed twice", []string{"--seeds", "1,1"}, "--seeds: 1 given twice"},
		{"no seed", []string{"--seeds", ""}, "--seeds: 0 given"},
		{"unknown task", []string{"--task", "boxes"}, `--task = "boxes"`},
		{"unknown loss set", []string{"--losses", "all"}, `--losses = "all"`},
		{"table1 in the cells task", []string{"--task", "cells", "--losses", "table1"}, `--losses = "table1"`},
		{"a loss key twice", []string{"--losses", "ce,ce"}, `--losses = "ce,ce"`},
		{"a loss key of the other task", []string{"--task", "cells", "--losses", "fl-g5"}, `--losses = "fl-g5"`},
		{"more panels than test scenes", []string{"--eval", "2", "--panels", "3"}, "--panels = 3"},
		{"NaN fppi", []string{"--fppi", "NaN"}, "--fppi = NaN"},
		{"no validation scenes", []string{"--val", "0"}, "--val = 0"},
		{"validation every 0 steps", []string{"--val-every", "0"}, "--val-every = 0"},
		{"negative patience", []string{"--patience", "-1"}, "--patience = -1"},
		{"batch too large for memory", []string{"--size", "512", "--batch", "16"}, "--batch = 16"},
		{"held-out set too large for memory", []string{"--size", "512", "--batch", "1", "--eval", "1000"}, "--eval = 1000"},
		{"empty output directory", []string{"--out", ""}, "--out"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"--out", filepath.Join(dir, "out")}, c.args...)
			_, _, err := runDemoCommand(t, args...)
			wantStatus2(t, err, c.want)
			if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
				t.Errorf("output directory created")
			}
		})
	}
	// Fashion-MNIST files that exist but are broken.
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "train-images-idx3-ubyte"), []byte("junk"), 0o644)
	out := filepath.Join(t.TempDir(), "out")
	args := with(tinyDemo, "--fashion", bad, "--out", out, "-q")
	_, _, err := runDemoCommand(t, args...)
	wantStatus2(t, err, "--fashion")
	if _, err := os.Stat(out); err == nil {
		t.Errorf("broken --fashion files: output directory created")
	}
	// --out naming a file.
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	_, _, err = runDemoCommand(t, "--out", file)
	wantStatus2(t, err, "not a directory")
}

// TestDemoChecksItsOutputsBeforeRunning: a file of the output directory
// that cannot be written (here results.json is a directory) is refused
// with exit status 2 before the run, and the other files stay as they
// were.
func TestDemoChecksItsOutputsBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, demo.TableFile), []byte("old table"), 0o644)
	os.Mkdir(filepath.Join(dir, demo.JSONFile), 0o755)
	_, _, err := runDemoCommand(t, append([]string{"--out", dir, "-q"}, tinyDemo...)...)
	wantStatus2(t, err, "--out "+filepath.Join(dir, demo.JSONFile)+": is a directory")
	if b, _ := os.ReadFile(filepath.Join(dir, demo.TableFile)); string(b) != "old table" {
		t.Errorf("%s holds %q, want its old content", demo.TableFile, b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("output directory holds %v", entries)
	}
}

// TestDemoKeepsTheModeOfReplacedFiles: writing into a directory that
// holds a read-only results.json replaces its content and keeps its mode,
// and leaves no temporary.
func TestDemoKeepsTheModeOfReplacedFiles(t *testing.T) {
	dir := t.TempDir()
	js := filepath.Join(dir, demo.JSONFile)
	os.WriteFile(js, []byte("old"), 0o444)
	if _, _, err := runDemoCommand(t, append([]string{"--out", dir, "-q", "--task", "cells"}, tinyDemo...)...); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(js)
	if err != nil || fi.Mode() != 0o444 {
		t.Fatalf("%s: mode %v (%v), want its 0444 kept", demo.JSONFile, fi.Mode(), err)
	}
	if b, _ := os.ReadFile(js); !strings.HasPrefix(string(b), "{") {
		t.Errorf("%s holds %.20q…, want the results", demo.JSONFile, b)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("%s left in the output directory", e.Name())
		}
	}
	if len(entries) != 4 {
		t.Errorf("output directory holds %v, want table, results, curves and one panel", entries)
	}
}

// TestDemoLongIsTheConvergedSetting: --long applies LongConfig, and an
// explicit flag overrides it; the run is refused before any work when a
// flag is bad, so this checks the resolved setting through an error.
func TestDemoLongIsTheConvergedSetting(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	// --long with --eval 2 and 4 panels fails validation naming the panels
	// against eval 2: the override took, and --panels kept its default.
	_, _, err := runDemoCommand(t, "--long", "--eval", "2", "--out", dir)
	wantStatus2(t, err, "--panels = 4: want 0 … eval (2)")
	// --long's own steps are validated too: a bad grid entry in --long's
	// company is still refused.
	_, _, err = runDemoCommand(t, "--long", "--lr-grid", "0", "--out", dir)
	wantStatus2(t, err, "--lr-grid: 0")
}

func TestDemoQuietPrintsNothingToStderr(t *testing.T) {
	args := with(tinyDemo, "--out", filepath.Join(t.TempDir(), "out"), "--json", "-q", "--panels", "0")
	stdout, stderr, err := runDemoCommand(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	if stderr != "" {
		t.Errorf("-q, yet stderr got %q", stderr)
	}
	if !strings.HasPrefix(stdout, "{") {
		t.Errorf("stdout does not start with the JSON results: %.80q", stdout)
	}
}

// The default output directory is inside the clone when the demo runs from
// there, as the README shows: git must not see it.
func TestDemoDefaultOutputDirectoryIsIgnoredByGit(t *testing.T) {
	out := NewDemoCommand().Flags().Lookup("out").DefValue
	f, err := os.Open(filepath.Join("..", "..", "..", "..", ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		switch strings.TrimSpace(sc.Text()) {
		case out, out + "/", "/" + out, "/" + out + "/":
			return
		}
	}
	t.Errorf(".gitignore has no line for the demo's default --out %s", out)
}

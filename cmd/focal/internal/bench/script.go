package bench

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// scripts holds the NumPy/PyTorch side: torch_bench.py, which times
// torchvision.ops.sigmoid_focal_loss and the tutorial's FocalLoss class
// (tutorial_focal_loss.py) forward and backward; stream_bench.py, which
// times numpy.load of the streamed pair and the loss on it; and
// bench_timing.py, the timing both share. They are embedded so that the
// command runs them from any directory.
//
//go:embed torch_bench.py tutorial_focal_loss.py stream_bench.py bench_timing.py
var scripts embed.FS

// writeScripts writes the named scripts, and bench_timing.py that they
// import, into dir.
func writeScripts(dir string, names ...string) error {
	for _, name := range append(names, "bench_timing.py") {
		b, err := scripts.ReadFile(name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// A scriptLine is one JSON line that a benchmark script (torch_bench.py,
// stream_bench.py) prints: first a line of versions, with Impl empty, then
// one per timed run of an implementation. Each script fills the fields it
// has.
type scriptLine struct {
	Torch       string  `json:"torch"`
	TorchVision string  `json:"torchvision"`
	NumPy       string  `json:"numpy"`
	Threads     int     `json:"threads"`
	Impl        string  `json:"impl"`
	N           int     `json:"n"`
	TimesNS     []int64 `json:"times_ns"`
	MaxRSSKB    int64   `json:"maxrss_kb"`
}

// times returns the line's times.
func (l scriptLine) times() []time.Duration {
	var ts []time.Duration
	for _, ns := range l.TimesNS {
		ts = append(ts, time.Duration(ns))
	}
	return ts
}

// runScript runs python on script with args and returns what it prints;
// an error carries what the script wrote to its standard error.
func runScript(ctx context.Context, python, script string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, python, append([]string{script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %s", filepath.Base(script), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// parseScript reads the JSON lines the script name printed: its (last)
// versions line and its timed lines in order. A script that printed no
// versions line failed.
func parseScript(name string, out []byte) (versions scriptLine, timed []scriptLine, err error) {
	found := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var line scriptLine
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return scriptLine{}, nil, fmt.Errorf("%s output %q: %v", name, sc.Text(), err)
		}
		if line.Impl == "" {
			versions, found = line, true
			continue
		}
		timed = append(timed, line)
	}
	if !found {
		return scriptLine{}, nil, errNoVersions(name)
	}
	return versions, timed, sc.Err()
}

func errNoVersions(name string) error { return fmt.Errorf("%s printed no version line", name) }

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
	"strconv"
	"strings"
	"time"
)

// Torch is the PyTorch side of the comparison: the interpreter and its
// versions, once Available succeeded.
type Torch struct {
	Python             string
	Torch, TorchVision string
	Threads            int
}

// TorchAvailable reports whether python can import torch and torchvision,
// with the reason when it cannot.
func TorchAvailable(ctx context.Context, python string) (bool, string) {
	out, err := exec.CommandContext(ctx, python, "-c", "import torch, torchvision").CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		if msg == "" {
			msg = err.Error()
		}
		return false, msg
	}
	return true, ""
}

// TorchResult is one implementation's times at one size.
type TorchResult struct {
	Impl  string
	N     int
	Times []time.Duration
}

// scripts holds the PyTorch side: torch_bench.py, which times
// torchvision.ops.sigmoid_focal_loss and the tutorial's FocalLoss class
// (tutorial_focal_loss.py) forward and backward. They are embedded so that
// the command runs them from any directory.
//
//go:embed torch_bench.py tutorial_focal_loss.py
var scripts embed.FS

// RunTorch runs torch_bench.py (embedded, written to a temporary
// directory) with python on the given sizes, repeats and thread count.
func RunTorch(ctx context.Context, python string, sizes []int, warmup, repeats, threads int) (*Torch, []TorchResult, error) {
	dir, err := os.MkdirTemp("", "focal-bench-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	for _, name := range []string{"torch_bench.py", "tutorial_focal_loss.py"} {
		b, err := scripts.ReadFile(name)
		if err != nil {
			return nil, nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return nil, nil, err
		}
	}
	s := make([]string, len(sizes))
	for i, n := range sizes {
		s[i] = strconv.Itoa(n)
	}
	cmd := exec.CommandContext(ctx, python, filepath.Join(dir, "torch_bench.py"),
		"--sizes", strings.Join(s, ","), "--warmup", strconv.Itoa(warmup),
		"--repeats", strconv.Itoa(repeats), "--threads", strconv.Itoa(threads))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("torch_bench.py: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return parseTorch(python, out)
}

// parseTorch reads torch_bench.py's JSON lines.
func parseTorch(python string, out []byte) (*Torch, []TorchResult, error) {
	t := &Torch{Python: python}
	var res []TorchResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var line struct {
			Torch       string  `json:"torch"`
			TorchVision string  `json:"torchvision"`
			Threads     int     `json:"threads"`
			Impl        string  `json:"impl"`
			N           int     `json:"n"`
			TimesNS     []int64 `json:"times_ns"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return nil, nil, fmt.Errorf("torch_bench.py output %q: %v", sc.Text(), err)
		}
		if line.Impl == "" {
			t.Torch, t.TorchVision, t.Threads = line.Torch, line.TorchVision, line.Threads
			continue
		}
		r := TorchResult{Impl: line.Impl, N: line.N}
		for _, ns := range line.TimesNS {
			r.Times = append(r.Times, time.Duration(ns))
		}
		res = append(res, r)
	}
	if t.Torch == "" {
		return nil, nil, fmt.Errorf("torch_bench.py printed no version line")
	}
	return t, res, sc.Err()
}

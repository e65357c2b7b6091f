package bench

import (
	"context"
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

// RunTorch runs torch_bench.py (embedded, written to a temporary
// directory) with python on the given sizes, repeats and thread count.
func RunTorch(ctx context.Context, python string, sizes []int, warmup, repeats, threads int) (*Torch, []TorchResult, error) {
	dir, err := os.MkdirTemp("", "focal-bench-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	if err := writeScripts(dir, "torch_bench.py", "tutorial_focal_loss.py"); err != nil {
		return nil, nil, err
	}
	s := make([]string, len(sizes))
	for i, n := range sizes {
		s[i] = strconv.Itoa(n)
	}
	out, err := runScript(ctx, python, filepath.Join(dir, "torch_bench.py"),
		"--sizes", strings.Join(s, ","), "--warmup", strconv.Itoa(warmup),
		"--repeats", strconv.Itoa(repeats), "--threads", strconv.Itoa(threads))
	if err != nil {
		return nil, nil, err
	}
	return parseTorch(python, out)
}

// parseTorch reads torch_bench.py's JSON lines.
func parseTorch(python string, out []byte) (*Torch, []TorchResult, error) {
	v, timed, err := parseScript("torch_bench.py", out)
	if err == nil && v.Torch == "" {
		err = errNoVersions("torch_bench.py")
	}
	if err != nil {
		return nil, nil, err
	}
	var res []TorchResult
	for _, line := range timed {
		res = append(res, TorchResult{Impl: line.Impl, N: line.N, Times: line.times()})
	}
	return &Torch{Python: python, Torch: v.Torch, TorchVision: v.TorchVision, Threads: v.Threads}, res, nil
}

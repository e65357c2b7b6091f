package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/focalgo/focal/cmd/focal/internal/npy"
	"github.com/focalgo/focal/internal/workload"
)

// The streamed rows of focal bench time `focal loss` end to end, as a
// process, on a generated pair of .npy files (float32 logits ~ N(0, 3²),
// float32 targets with 1% positives), against reading the same files from
// the page cache (what cat does, the floor for any reader) and, when
// Python has numpy, torch and torchvision, numpy.load of the pair and
// torchvision's sigmoid_focal_loss on it.

// StreamRow is one line of the streamed table: the median wall time of a
// whole run and the process's peak resident memory (0: not measured).
type StreamRow struct {
	Name   string
	Median time.Duration
	MaxRSS int64 // bytes
}

// StreamRows writes the pair of n elements into a temporary directory
// (removed after) and times, each median of o.Repeats runs after a warm-up
// run that also fills the page cache: reading both files, focal (the
// command at path focal) with the default mean and with --out and --grad,
// and the Python side when o.Torch and it imports. The note says what was
// skipped.
func StreamRows(ctx context.Context, log io.Writer, o Options, n int, focal string) ([]StreamRow, string, error) {
	dir, err := os.MkdirTemp("", "focal-bench-stream-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(dir)
	x, t := filepath.Join(dir, "x.npy"), filepath.Join(dir, "t.npy")
	fmt.Fprintf(log, "stream: writing %d-element x.npy and t.npy in %s\n", n, dir)
	if err := WriteStreamPair(x, t, n); err != nil {
		return nil, "", err
	}
	var rows []StreamRow
	times := func(name string, fn func() (int64, error)) error {
		var ts []time.Duration
		var rss int64
		for i := range 1 + o.Repeats {
			start := time.Now()
			r, err := fn()
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if i > 0 {
				ts = append(ts, time.Since(start))
				rss = max(rss, r)
			}
		}
		rows = append(rows, StreamRow{Name: name, Median: workload.Median(ts), MaxRSS: rss})
		return nil
	}
	if err := times("read both files (page cache)", func() (int64, error) { return 0, readFiles(x, t) }); err != nil {
		return nil, "", err
	}
	out := filepath.Join(dir, "out")
	for _, c := range []struct {
		name string
		args []string
	}{
		{"focal loss (streamed)", nil},
		{"focal loss --out --grad (streamed)", []string{"--out", filepath.Join(out, "loss.npy"), "--grad", filepath.Join(out, "grad.npy")}},
	} {
		args := append([]string{"loss", "--logits", x, "--targets", t}, c.args...)
		if err := times(c.name, func() (int64, error) {
			if err := os.RemoveAll(out); err != nil {
				return 0, err
			}
			if err := os.Mkdir(out, 0o755); err != nil {
				return 0, err
			}
			return runProcess(ctx, focal, args...)
		}); err != nil {
			return nil, "", err
		}
	}
	note := ""
	if o.Torch {
		if ok, why := TorchAvailable(ctx, o.Python); !ok {
			note = fmt.Sprintf("numpy/PyTorch rows skipped: %s -c 'import torch, torchvision': %s", o.Python, why)
		} else {
			fmt.Fprintf(log, "stream: numpy and torch: %s\n", o.Python)
			py, v, err := runStreamScript(ctx, o, dir, x, t)
			if err != nil {
				return nil, "", err
			}
			rows = append(rows, py...)
			note = v
		}
	}
	return rows, note, nil
}

// WriteStreamPair writes the streamed benchmark's inputs: n float32 logits
// ~ N(0, 3²) to x and n float32 targets, 1% of them 1, to t, a million at
// a time.
func WriteStreamPair(x, t string, n int) error {
	rng := rand.New(rand.NewPCG(1, 2))
	fx, err := os.Create(x)
	if err != nil {
		return err
	}
	defer fx.Close()
	ft, err := os.Create(t)
	if err != nil {
		return err
	}
	defer ft.Close()
	wx, wt := bufio.NewWriter(fx), bufio.NewWriter(ft)
	if err := npy.WriteHeader[float32](wx, []int{n}); err != nil {
		return err
	}
	if err := npy.WriteHeader[float32](wt, []int{n}); err != nil {
		return err
	}
	bx, bt := make([]float32, 1<<20), make([]float32, 1<<20)
	for done := 0; done < n; done += len(bx) {
		k := min(len(bx), n-done)
		for i := range k {
			bx[i] = float32(3 * rng.NormFloat64())
			bt[i] = 0
			if rng.Float64() < 0.01 {
				bt[i] = 1
			}
		}
		if err := npy.WriteValues(wx, bx[:k]); err != nil {
			return err
		}
		if err := npy.WriteValues(wt, bt[:k]); err != nil {
			return err
		}
	}
	if err := wx.Flush(); err != nil {
		return err
	}
	if err := wt.Flush(); err != nil {
		return err
	}
	if err := fx.Close(); err != nil {
		return err
	}
	return ft.Close()
}

// readFiles reads the files to the end in 128 KiB reads, as cat does.
func readFiles(paths ...string) error {
	buf := make([]byte, 128<<10)
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		_, err = io.CopyBuffer(io.Discard, struct{ io.Reader }{f}, buf)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// runProcess runs the program and returns its peak resident memory in
// bytes (0 where the system does not say).
func runProcess(ctx context.Context, prog string, args ...string) (int64, error) {
	cmd := exec.CommandContext(ctx, prog, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s %s: %v: %s", prog, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss) * 1024, nil // kilobytes on Linux
	}
	return 0, nil
}

// runStreamScript runs stream_bench.py on the pair and returns its rows
// and a line with the versions.
func runStreamScript(ctx context.Context, o Options, dir, x, t string) ([]StreamRow, string, error) {
	if err := writeScripts(dir, "stream_bench.py"); err != nil {
		return nil, "", err
	}
	out, err := runScript(ctx, o.Python, filepath.Join(dir, "stream_bench.py"), "--logits", x, "--targets", t,
		"--repeats", strconv.Itoa(o.Repeats), "--threads", strconv.Itoa(o.Threads))
	if err != nil {
		return nil, "", err
	}
	return parseStreamScript(out)
}

// parseStreamScript reads stream_bench.py's JSON lines.
func parseStreamScript(out []byte) ([]StreamRow, string, error) {
	names := map[string]string{
		"load":        "numpy.load of both files",
		"torchvision": "numpy.load + torchvision sigmoid_focal_loss",
	}
	v, timed, err := parseScript("stream_bench.py", out)
	if err != nil {
		return nil, "", err
	}
	var rows []StreamRow
	for _, line := range timed {
		name := names[line.Impl]
		if name == "" {
			name = line.Impl
		}
		rows = append(rows, StreamRow{Name: name, Median: workload.Median(line.times()), MaxRSS: line.MaxRSSKB * 1024})
	}
	versions := fmt.Sprintf("NumPy %s, PyTorch %s, torchvision %s (peak RSS: of the Python process so far)", v.NumPy, v.Torch, v.TorchVision)
	return rows, versions, nil
}

// WriteStreamTable prints the streamed rows, each with its time over the
// first row's (reading the files).
func WriteStreamTable(w io.Writer, n int, rows []StreamRow, note string) error {
	fmt.Fprintf(w, "\nfocal loss streamed, end to end: %d float32 logits and targets (%.2f GB), warm page cache\n", n, float64(8*n)/1e9)
	if note != "" {
		fmt.Fprintln(w, note)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "run\tmedian ms\t× read\tpeak RSS MB\t")
	for _, r := range rows {
		ratio := "-"
		if len(rows) > 0 && rows[0].Median > 0 {
			ratio = fmt.Sprintf("%.2f", float64(r.Median)/float64(rows[0].Median))
		}
		rss := "-"
		if r.MaxRSS > 0 {
			rss = fmt.Sprintf("%.0f", float64(r.MaxRSS)/(1<<20))
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%s\t%s\t\n", r.Name, float64(r.Median)/1e6, ratio, rss)
	}
	return tw.Flush()
}

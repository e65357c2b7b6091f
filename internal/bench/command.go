// Package bench implements `focal bench`: the fused float32 sigmoid focal
// loss + gradient of package focal on each kernel implementation of the
// machine, against a streaming triad (the memory-bandwidth bound) and,
// when Python can import them, PyTorch's torchvision.ops.sigmoid_focal_loss
// and the tutorial's FocalLoss class on the same workload, in one table of
// medians measured in one run.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/focalgo/focal/internal/exitcode"
	"github.com/focalgo/focal/internal/kernel"
)

// Options are the settings of `focal bench`.
type Options struct {
	Sizes   []int  // elements per call
	Warmup  int    // untimed calls before the timed ones
	Repeats int    // timed calls; the table shows their median
	Threads int    // GOMAXPROCS for Go, torch.set_num_threads for PyTorch
	Python  string // interpreter for the PyTorch side
	Torch   bool   // run the PyTorch side when it is available
	// Stream is the number of elements of the files the streamed rows
	// (StreamRows) run `focal loss` on; 0 leaves them out. Focal is the
	// focal command they run, Program when empty.
	Stream int
	Focal  string
}

// DefaultOptions are the command's defaults.
func DefaultOptions() Options {
	return Options{
		Sizes:   []int{16_384, 196_608, 8_000_000},
		Warmup:  2,
		Repeats: 7,
		Threads: runtime.GOMAXPROCS(0),
		Python:  "/usr/bin/python3",
		Torch:   true,
	}
}

func (o Options) validate() error {
	if len(o.Sizes) == 0 {
		return errors.New("--sizes: no size given")
	}
	for _, n := range o.Sizes {
		if n < 1 || n > 1<<30 {
			return fmt.Errorf("--sizes: %d out of range [1, 2³⁰]", n)
		}
	}
	switch {
	case o.Warmup < 0:
		return fmt.Errorf("--warmup: %d is negative", o.Warmup)
	case o.Repeats < 1:
		return fmt.Errorf("--repeats: %d, want at least 1", o.Repeats)
	case o.Threads < 1:
		return fmt.Errorf("--threads: %d, want at least 1", o.Threads)
	case o.Stream < 0 || o.Stream > 1<<36:
		return fmt.Errorf("--stream: %d out of range [0, 2³⁶]", o.Stream)
	}
	return nil
}

// Program is the focal executable the streamed rows run: package main
// sets it to its own. Empty (a test binary, or a program embedding the
// command) leaves those rows out unless Options.Focal names one.
var Program string

// NewCommand returns the `bench` command.
func NewCommand() *cobra.Command {
	o := DefaultOptions()
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Time the focal-loss kernels against a memory triad and PyTorch",
		Long: `bench times the float32 sigmoid focal loss with its gradient (α = 0.25,
γ = 2, 1% positive targets, normalised by the positives) at several sizes:
package focal on every kernel implementation of this machine (vectorized and
generic), the streaming triad a = b + s·c that bounds it by memory
bandwidth, and, when the Python interpreter can import torch and
torchvision, the same workload forward + backward in
torchvision.ops.sigmoid_focal_loss and in the tutorial's FocalLoss class, with
the same thread count. It also times the sparse-label and softmax forms
with C = 80 classes, the softmax with the class axis last ([N, C]) and
second ([N, C, 32, 32], when n holds one such image) (default and generic
kernels; ns per logit). It prints
one table of medians of repeated calls, each size's rows as ratios to
focal's default sigmoid kernel, all measured in this one run.

A second table (--stream N elements, 0 for none) runs focal loss end to end
on a generated pair of float32 .npy files of N elements, with and without
--out and --grad, against reading the files from the page cache and, when
Python has them, numpy.load of the pair and torchvision's loss on it, with
the time over the read and the peak resident memory of each.`,
		Example: `  focal bench
  focal bench --sizes 196608,8000000 --repeats 11 --threads 2
  focal bench --torch=false
  focal bench --sizes 8000000 --stream 200000000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return exitcode.Input(err)
			}
			return Run(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.IntSliceVar(&o.Sizes, "sizes", o.Sizes, "elements per call, comma-separated")
	f.IntVar(&o.Warmup, "warmup", o.Warmup, "untimed calls before the timed ones")
	f.IntVar(&o.Repeats, "repeats", o.Repeats, "timed calls per row (the table shows the median)")
	f.IntVar(&o.Threads, "threads", o.Threads, "threads for Go (GOMAXPROCS) and PyTorch")
	f.StringVar(&o.Python, "python", o.Python, "Python interpreter for the PyTorch rows")
	f.BoolVar(&o.Torch, "torch", o.Torch, "run the PyTorch rows when torch and torchvision import")
	f.IntVar(&o.Stream, "stream", 20_000_000, "elements of the generated .npy pair `focal loss` streams end to end (0: no streamed rows)")
	return cmd
}

// Row is one line of the table: the median time of a call on Elems
// elements, in the group of size N (Elems is N but for the C = 80 forms,
// which take whole rows or images).
type Row struct {
	Name   string
	N      int
	Elems  int
	Median time.Duration
}

// Run measures everything o asks for and writes the table to w (progress
// and notes to log).
func Run(ctx context.Context, w, log io.Writer, o Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := o.validate(); err != nil {
		return exitcode.Input(err)
	}
	prev := runtime.GOMAXPROCS(o.Threads)
	defer runtime.GOMAXPROCS(prev)

	var rows []Row
	for _, n := range o.Sizes {
		fmt.Fprintf(log, "go: n = %d\n", n)
		wl := NewWorkload(n)
		ts, _ := Times(func() error { wl.Triad(); return nil }, o.Warmup, o.Repeats)
		rows = append(rows, Row{Name: "triad a = b + s·c (Go)", N: n, Elems: n, Median: Median(ts)})
		impls := kernel.Impls()
		for i := len(impls) - 1; i >= 0; i-- { // the default first
			ts, err := Times(WithImpl(impls[i], wl.Focal), o.Warmup, o.Repeats)
			if err != nil {
				return err
			}
			rows = append(rows, Row{Name: fmt.Sprintf("focal.Loss (%v)", impls[i]), N: n, Elems: n, Median: Median(ts)})
		}
		if n < Classes {
			continue
		}
		// The C = 80 forms on the default and the generic kernels (their
		// elements are the logits of whole rows, n rounded down).
		for _, m := range []kernel.Impl{impls[len(impls)-1], kernel.Generic} {
			for _, f := range wl.ClassForms() {
				if f.Elems == 0 {
					continue
				}
				ts, err := Times(WithImpl(m, f.Run), o.Warmup, o.Repeats)
				if err != nil {
					return err
				}
				rows = append(rows, Row{Name: fmt.Sprintf("%s (%v)", f.Name, m), N: n, Elems: f.Elems, Median: Median(ts)})
			}
			if m == kernel.Generic {
				break
			}
		}
	}

	note := ""
	if o.Torch {
		if ok, why := TorchAvailable(ctx, o.Python); !ok {
			note = fmt.Sprintf("PyTorch rows skipped: %s -c 'import torch, torchvision': %s", o.Python, why)
		} else {
			fmt.Fprintf(log, "torch: %s\n", o.Python)
			t, res, err := RunTorch(ctx, o.Python, o.Sizes, o.Warmup, o.Repeats, o.Threads)
			if err != nil {
				return err
			}
			names := map[string]string{
				"torchvision": "torchvision sigmoid_focal_loss",
				"tutorial":    "tutorial FocalLoss (PyTorch)",
			}
			for _, r := range res {
				rows = append(rows, Row{Name: names[r.Impl] + " fwd+bwd", N: r.N, Elems: r.N, Median: Median(r.Times)})
			}
			note = fmt.Sprintf("PyTorch %s, torchvision %s, %d threads", t.Torch, t.TorchVision, t.Threads)
		}
	}
	if err := writeTable(w, o, rows, note); err != nil || o.Stream == 0 {
		return err
	}
	focal := o.Focal
	if focal == "" {
		focal = Program
	}
	if focal == "" {
		// A test binary is no focal command: running it would run the tests.
		_, err := fmt.Fprintln(w, "\nstreamed rows skipped: no focal executable to run (bench.Program, Options.Focal)")
		return err
	}
	srows, snote, err := StreamRows(ctx, log, o, o.Stream, focal)
	if err != nil {
		return err
	}
	return WriteStreamTable(w, o.Stream, srows, snote)
}

// writeTable prints rows grouped by size, with each row's time per element
// and its ratio to the first focal row's of its size.
func writeTable(w io.Writer, o Options, rows []Row, note string) error {
	fmt.Fprintf(w, "float32 sigmoid focal loss + gradient, α = 0.25, γ = 2; %d threads (GOMAXPROCS), median of %d calls after %d warm-up\n",
		o.Threads, o.Repeats, o.Warmup)
	fmt.Fprintf(w, "machine: %s, %s/%s, %d CPUs, %s; kernels %s\n",
		cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), kernelList())
	if note != "" {
		fmt.Fprintln(w, note)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "n\timplementation\tmedian ms\tns/elem\t× focal\t")
	for _, n := range o.Sizes {
		var base time.Duration
		for _, r := range rows {
			if r.N == n && base == 0 && strings.HasPrefix(r.Name, "focal.") {
				base = r.Median
			}
		}
		for _, r := range rows {
			if r.N != n {
				continue
			}
			perElem := float64(r.Median.Nanoseconds()) / float64(r.Elems)
			ratio := "-"
			if base > 0 {
				ratio = fmt.Sprintf("%.2f", perElem/(float64(base.Nanoseconds())/float64(n)))
			}
			fmt.Fprintf(tw, "%d\t%s\t%.3f\t%.2f\t%s\t\n", n, r.Name, float64(r.Median)/1e6, perElem, ratio)
		}
	}
	return tw.Flush()
}

// cpuModel returns the CPU's model name as Linux reports it in
// /proc/cpuinfo, or "unknown CPU".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// kernelList names the kernel implementations of this machine and build,
// the default (the one the focal rows without a name use) first.
func kernelList() string {
	impls := kernel.Impls()
	names := make([]string, len(impls))
	for i, m := range impls {
		names[len(impls)-1-i] = m.String()
	}
	return strings.Join(names, ", ")
}

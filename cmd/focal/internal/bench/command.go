// Package bench implements `focal bench`: the fused float32 sigmoid focal
// loss + gradient of package focal on each kernel implementation of the
// machine, against a streaming triad (the memory-bandwidth bound) and,
// when Python can import them, PyTorch's torchvision.ops.sigmoid_focal_loss
// and the tutorial's FocalLoss class on the same workload, in one table of
// medians measured in one run.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/focalgo/focal/internal/kernel"
	"github.com/focalgo/focal/internal/workload"
)

// Options are the settings of `focal bench`.
type Options struct {
	Sizes   []int  // elements per call
	Warmup  int    // untimed calls before the timed ones
	Repeats int    // timed calls; the table shows their median
	Threads int    // GOMAXPROCS for Go, torch.set_num_threads for PyTorch
	Python  string // interpreter for the PyTorch side
	Torch   bool   // run the PyTorch side when it is available
	JSON    bool   // write the report as JSON instead of a table

	// Exec is the command line that runs this command again, for the
	// child processes of the lower kernel implementations (see Run); nil:
	// this executable, without arguments.
	Exec []string

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

// Validate checks the options, naming the flag of a bad one.
func (o Options) Validate() error {
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
	case o.Stream < 0 || int64(o.Stream) > 1<<36:
		return fmt.Errorf("--stream: %d out of range [0, 2³⁶]", o.Stream)
	}
	return nil
}

// Program is the focal executable the streamed rows run: package main
// sets it to its own. Empty (a test binary, or a program embedding the
// command) leaves those rows out unless Options.Focal names one.
var Program string

// Row is one line of the table: the median time of a call of form Key
// (Name in the table) on Elems elements, in the group of size N (Elems is N
// but for the C = 80 forms, which take whole rows or images), on kernel
// implementation Impl ("" for the triad and PyTorch), and the bytes per
// element that set its floor (0: none). Triad, when not 0, is the median
// time of the triad over N elements timed in turn with the row's calls
// (workload.TimesPaired): the row's floor and its goal against the triad
// use it rather than the triad rows, which were timed minutes apart.
type Row struct {
	Name   string        `json:"name"`
	Key    string        `json:"form"`
	Impl   string        `json:"kernel,omitempty"`
	N      int           `json:"n"`
	Elems  int           `json:"elems"`
	Bytes  int           `json:"bytes_per_elem,omitempty"`
	Median time.Duration `json:"median_ns"`
	Triad  time.Duration `json:"triad_ns,omitempty"`
	Goal   workload.Goal `json:"goal"`
}

// ChildEnv marks a process that `focal bench` started to measure the
// kernel rows of a lower implementation (see Run).
const ChildEnv = "FOCAL_BENCH_CHILD"

// Run measures everything o asks for and writes the table (or, with
// o.JSON, the JSON report) to w, progress and notes to log.
//
// The kernel implementation is chosen once per process, so the rows of
// the lower implementations of this machine come from child processes:
// o.Exec (default: this executable) run with the same settings and the
// GODEBUG setting that steps the kernels down to the implementation
// (kernel.StepDown), which report their rows as JSON. A child that cannot
// run leaves a note instead of its rows.
func Run(ctx context.Context, w, log io.Writer, o Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := o.Validate(); err != nil {
		return err
	}
	prev := runtime.GOMAXPROCS(o.Threads)
	defer runtime.GOMAXPROCS(prev)

	if os.Getenv(ChildEnv) != "" {
		rows, err := kernelRows(o, kernel.Current(), log)
		if err != nil {
			return err
		}
		return json.NewEncoder(w).Encode(rows)
	}
	var rows []Row
	for _, n := range o.Sizes {
		wl := workload.NewWorkload(n)
		ts, _ := workload.Times(func() error { wl.Triad(); return nil }, o.Warmup, o.Repeats)
		rows = append(rows, Row{Name: "triad a = b + s·c (Go)", Key: "triad", N: n, Elems: n, Bytes: triadBytes, Median: workload.Median(ts)})
	}
	own, err := kernelRows(o, kernel.Current(), log)
	if err != nil {
		return err
	}
	rows = append(rows, own...)
	var notes []string
	impls := kernel.Impls()
	for i := len(impls) - 2; i >= 0; i-- {
		child, err := childRows(ctx, o, impls[i], log)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%v rows skipped: %v", impls[i], err))
			continue
		}
		rows = append(rows, child...)
	}

	if o.Torch {
		if ok, why := TorchAvailable(ctx, o.Python); !ok {
			notes = append(notes, fmt.Sprintf("PyTorch rows skipped: %s -c 'import torch, torchvision': %s", o.Python, why))
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
				rows = append(rows, Row{Name: names[r.Impl] + " fwd+bwd", Key: "torch-" + r.Impl, N: r.N, Elems: r.N, Bytes: 12, Median: workload.Median(r.Times)})
			}
			notes = append(notes, fmt.Sprintf("PyTorch %s, torchvision %s, %d threads", t.Torch, t.TorchVision, t.Threads))
		}
	}
	if o.JSON {
		return writeJSON(w, o, rows, notes)
	}
	if err := writeTable(w, o, rows, notes); err != nil || o.Stream == 0 {
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

// kernelRows measures the rows of implementation m, the one this process
// runs: every form at every size, except that the generic implementation
// runs the headline sigmoid and the C = 80 forms only, without goals (the
// other forms are the vector kernels' rows). The headline's goal is 1.5
// times the triad on AVX2 (1.3 on AVX-512).
func kernelRows(o Options, m kernel.Impl, log io.Writer) ([]Row, error) {
	var rows []Row
	for _, n := range o.Sizes {
		fmt.Fprintf(log, "go (%v): n = %d\n", m, n)
		wl := workload.NewWorkload(n)
		forms := wl.Forms()
		if m == kernel.Generic {
			forms = append([]workload.Form{wl.SigmoidForm()}, wl.ClassForms()...)
		}
		for _, f := range forms {
			if f.Elems == 0 {
				continue
			}
			switch {
			case m == kernel.Generic:
				f.Goal = workload.Goal{}
			case m == kernel.AVX2 && f.Key == "sigmoid":
				f.Goal.Max = 1.5
			}
			ts, tri, err := workload.TimesPaired(f.Run, func() error { wl.Triad(); return nil }, o.Warmup, o.Repeats)
			if err != nil {
				return nil, err
			}
			rows = append(rows, Row{Name: f.Name, Key: f.Key, Impl: m.String(), N: n, Elems: f.Elems, Bytes: f.Bytes,
				Median: workload.Median(ts), Triad: workload.Median(tri), Goal: f.Goal})
		}
	}
	return rows, nil
}

// goalRatio returns r's time per element over its goal's reference (the
// row of form Goal.Ref with r's size and kernel, the triad, or r's floor:
// the triad timed in turn with r where r has one), and false when r has no
// goal or the reference is missing.
func goalRatio(r Row, rows []Row, fl map[int]float64) (float64, bool) {
	if r.Goal.Max == 0 {
		return 0, false
	}
	var ref float64
	switch r.Goal.Ref {
	case "floor":
		ref = r.floor(fl)
	case "triad":
		ref = r.floor(fl) / float64(r.Bytes) * triadBytes
	default:
		for _, o := range rows {
			if o.N == r.N && o.Key == r.Goal.Ref && o.Impl == r.Impl {
				ref = o.perElem()
			}
		}
	}
	if !(ref > 0) {
		return 0, false
	}
	return r.perElem() / ref, true
}

// triadBytes are the bytes per element the triad streams.
const triadBytes = 12

// floor returns r's floor in ns per element: the time per byte of its own
// triad (Row.Triad) or else of the triad row of its size (fl, see floors),
// times its bytes per element; 0 for none.
func (r Row) floor(fl map[int]float64) float64 {
	perByte := fl[r.N]
	if r.Triad > 0 {
		perByte = float64(r.Triad.Nanoseconds()) / float64(r.N) / triadBytes
	}
	return perByte * float64(r.Bytes)
}

// childRows runs the kernel rows of implementation m in a child process
// (see Run).
func childRows(ctx context.Context, o Options, m kernel.Impl, log io.Writer) ([]Row, error) {
	argv := o.Exec
	if len(argv) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		argv = []string{exe}
	}
	sizes := make([]string, len(o.Sizes))
	for i, n := range o.Sizes {
		sizes[i] = strconv.Itoa(n)
	}
	args := append(argv[1:len(argv):len(argv)], "--sizes", strings.Join(sizes, ","), "--warmup", strconv.Itoa(o.Warmup),
		"--repeats", strconv.Itoa(o.Repeats), "--threads", strconv.Itoa(o.Threads), "--torch=false", "--json")
	cmd := exec.CommandContext(ctx, argv[0], args...)
	godebug := kernel.StepDown(m)
	if old := os.Getenv("GODEBUG"); old != "" {
		godebug = old + "," + godebug
	}
	cmd.Env = append(os.Environ(), ChildEnv+"=1", "GODEBUG="+godebug)
	cmd.Stderr = log
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s with GODEBUG=%s: %v", strings.Join(argv, " "), godebug, err)
	}
	var rows []Row
	if err := json.Unmarshal(out, &rows); err != nil {
		return nil, fmt.Errorf("%s with GODEBUG=%s printed %q: %v", strings.Join(argv, " "), godebug, out, err)
	}
	for _, r := range rows {
		if r.Impl != m.String() {
			return nil, fmt.Errorf("GODEBUG=%s ran the %s kernels, not %v", godebug, r.Impl, m)
		}
	}
	return rows, nil
}

// perElem returns r's median time per element in ns.
func (r Row) perElem() float64 { return float64(r.Median.Nanoseconds()) / float64(r.Elems) }

// floors returns, per size, the triad's time per byte: a row's floor is
// that times its bytes per element.
func floors(rows []Row) map[int]float64 {
	f := map[int]float64{}
	for _, r := range rows {
		if r.Key == "triad" {
			f[r.N] = r.perElem() / float64(r.Bytes)
		}
	}
	return f
}

// label is the row's name in the table: the form and its kernel.
func (r Row) label() string {
	if r.Impl == "" {
		return r.Name
	}
	return r.Name + " (" + r.Impl + ")"
}

// writeTable prints rows grouped by size, with each row's time per
// element, its ratio to its floor and to the first focal row's of its
// size.
func writeTable(w io.Writer, o Options, rows []Row, notes []string) error {
	fmt.Fprintf(w, "focal loss kernels; %d threads (GOMAXPROCS), median of %d calls after %d warm-up\n",
		o.Threads, o.Repeats, o.Warmup)
	fmt.Fprintf(w, "machine: %s, %s/%s, %d CPUs, %s; kernels %s\n",
		cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), kernelList())
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	fmt.Fprintln(w, "× floor: time over the triad's for the bytes the row streams (the Go rows: the triad timed in turn with the row's calls);")
	fmt.Fprintln(w, "× focal: over the first focal.Loss row of the size;")
	fmt.Fprintln(w, "goal: time over the goal's reference (the row's own triad or floor, or the goal's form with the same size and kernel)")
	fmt.Fprintln(w, "and the most it may be")
	fmt.Fprintln(w)
	fl := floors(rows)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "n\timplementation\tmedian ms\tns/elem\t× floor\t× focal\tgoal\t")
	for _, n := range o.Sizes {
		var base float64
		for _, r := range rows {
			if r.N == n && base == 0 && r.Key == "sigmoid" {
				base = r.perElem()
			}
		}
		for _, r := range rows {
			if r.N != n {
				continue
			}
			ratio, floor := "-", "-"
			if base > 0 {
				ratio = fmt.Sprintf("%.2f", r.perElem()/base)
			}
			if f := r.floor(fl); f > 0 {
				floor = fmt.Sprintf("%.2f", r.perElem()/f)
			}
			goal := ""
			if g, ok := goalRatio(r, rows, fl); ok {
				mark := "met"
				if g > r.Goal.Max {
					mark = "MISSED"
				}
				goal = fmt.Sprintf("%.2f× %s (≤ %.1f) %s", g, r.Goal.Ref, r.Goal.Max, mark)
			}
			fmt.Fprintf(tw, "%d\t%s\t%.3f\t%.2f\t%s\t%s\t%s\t\n", n, r.label(), float64(r.Median)/1e6, r.perElem(), floor, ratio, goal)
		}
	}
	return tw.Flush()
}

// writeJSON writes the report as one JSON object: the settings, the
// machine, the notes and every row with its time per element and floor.
func writeJSON(w io.Writer, o Options, rows []Row, notes []string) error {
	type jsonRow struct {
		Row
		PerElem      float64 `json:"ns_per_elem"`
		FloorPerElem float64 `json:"floor_ns_per_elem,omitempty"`
		XFloor       float64 `json:"x_floor,omitempty"`
		XGoalRef     float64 `json:"x_goal_ref,omitempty"`
		GoalMet      *bool   `json:"goal_met,omitempty"`
	}
	fl := floors(rows)
	out := struct {
		// Threads is GOMAXPROCS for the Go rows and the thread count of
		// the PyTorch ones.
		Threads int `json:"threads"`
		// Warmup and Repeats are the untimed and timed calls per row.
		Warmup  int `json:"warmup"`
		Repeats int `json:"repeats"`
		// CPU is the processor's model name; Go the toolchain version.
		CPU string `json:"cpu"`
		Go  string `json:"go"`
		// Kernels are the kernel implementations this machine and build
		// can run, the one in use last.
		Kernels []string `json:"kernels"`
		// Notes say which rows were skipped and why, and which PyTorch ran.
		Notes []string  `json:"notes"`
		Rows  []jsonRow `json:"rows"`
	}{o.Threads, o.Warmup, o.Repeats, cpuModel(), runtime.Version(), nil, notes, nil}
	for _, m := range kernel.Impls() {
		out.Kernels = append(out.Kernels, m.String())
	}
	for _, r := range rows {
		j := jsonRow{Row: r, PerElem: r.perElem()}
		if f := r.floor(fl); f > 0 && r.Key != "triad" {
			j.FloorPerElem, j.XFloor = f, j.PerElem/f
		}
		if g, ok := goalRatio(r, rows, fl); ok {
			met := g <= r.Goal.Max
			j.XGoalRef, j.GoalMet = g, &met
		}
		out.Rows = append(out.Rows, j)
	}
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(out)
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

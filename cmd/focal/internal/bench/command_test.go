package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/focalgo/focal/internal/kernel"
	"github.com/focalgo/focal/internal/workload"
)

// TestCommandTable: a small run prints one row per size for the triad,
// every kernel implementation and the C = 80 forms, the default sigmoid
// kernel at ratio 1.00.
func TestCommandTable(t *testing.T) {
	var out, log bytes.Buffer
	o := DefaultOptions()
	o.Sizes, o.Repeats, o.Warmup, o.Torch = []int{1000, 20000, 90000}, 1, 0, false
	if err := Run(t.Context(), &out, &log, o); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	impls := kernel.Impls()
	if want := "; kernels " + impls[len(impls)-1].String(); !strings.Contains(s, "machine: ") || !strings.Contains(s, want) {
		t.Errorf("no machine line naming the default kernel (%q):\n%s", want, s)
	}
	for _, n := range []string{"1000", "20000"} {
		if !hasRow(s, n, "triad") {
			t.Errorf("no triad row for n = %s:\n%s", n, s)
		}
		for _, m := range kernel.Impls() {
			if !hasRow(s, n, "focal.Loss ("+m.String()+")") {
				t.Errorf("no row for %v:\n%s", m, s)
			}
		}
	}
	for _, form := range []string{"focal.SparseLoss C=80", "focal.SoftmaxLoss C=80"} {
		if !hasRow(s, "20000", form+" (generic)") {
			t.Errorf("no %s row:\n%s", form, s)
		}
	}
	// Every form on every vector implementation, with its goal where it
	// has one.
	for _, m := range impls[1:] {
		for _, f := range workload.NewWorkload(20000).Forms() {
			if f.Elems > 0 && !hasRow(s, "20000", f.Name+" ("+m.String()+")") {
				t.Errorf("no %s row on %v:\n%s", f.Name, m, s)
			}
		}
		if !hasRow(s, "20000", "focal.Loss +Hessian ("+m.String()+")") {
			t.Errorf("no Hessian row on %v", m)
		}
	}
	if len(impls) > 1 && !strings.Contains(s, "× sigmoid (≤ 2.0)") {
		t.Errorf("no goal column:\n%s", s)
	}
	// The NCHW softmax takes whole [80, 32, 32] images: none in 20 000
	// elements, one in 90 000.
	if nchw := "focal.SoftmaxLoss C=80 NCHW (generic)"; hasRow(s, "20000", nchw) || !hasRow(s, "90000", nchw) {
		t.Errorf("NCHW rows wrong (want one for 90000 only):\n%s", s)
	}
	if got := strings.Count(s, " 1.00 "); got < 3 {
		t.Errorf("%d rows at ratio 1.00, want one per size:\n%s", got, s)
	}
}

// TestCommandJSON: --json writes one object with the machine, the
// kernels and a row per form, size and implementation, each with its time
// per element, its floor and, where it has a goal, whether it is met.
func TestCommandJSON(t *testing.T) {
	var out bytes.Buffer
	o := DefaultOptions()
	o.Sizes, o.Repeats, o.Warmup, o.Torch, o.JSON = []int{5000}, 1, 0, false, true
	if err := Run(t.Context(), &out, &bytes.Buffer{}, o); err != nil {
		t.Fatal(err)
	}
	var r struct {
		Kernels []string
		Rows    []struct {
			Form         string        `json:"form"`
			Kernel       string        `json:"kernel"`
			N            int           `json:"n"`
			PerElem      float64       `json:"ns_per_elem"`
			FloorPerElem float64       `json:"floor_ns_per_elem"`
			Triad        float64       `json:"triad_ns"`
			Goal         workload.Goal `json:"goal"`
			GoalMet      *bool         `json:"goal_met"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	if len(r.Kernels) != len(kernel.Impls()) {
		t.Errorf("kernels %v, want %v", r.Kernels, kernel.Impls())
	}
	seen := map[string]bool{}
	for _, row := range r.Rows {
		seen[row.Form+"/"+row.Kernel] = true
		if row.N != 5000 || !(row.PerElem > 0) {
			t.Errorf("row %+v", row)
		}
		if row.Form != "triad" && !(row.FloorPerElem > 0) {
			t.Errorf("row %+v has no floor", row)
		}
		if (row.Kernel != "") != (row.Triad > 0) {
			t.Errorf("row %+v: a Go kernel row has its own triad time, no other", row)
		}
		if (row.Goal.Max > 0 && row.Kernel != "generic") != (row.GoalMet != nil) {
			t.Errorf("row %+v: goal %+v, met %v", row, row.Goal, row.GoalMet)
		}
	}
	for _, m := range kernel.Impls() {
		if !seen["sigmoid/"+m.String()] {
			t.Errorf("no sigmoid row for %v: %v", m, seen)
		}
	}
	if !seen["triad/"] {
		t.Error("no triad row")
	}
}

// TestGoalAgainstPairedTriad: a row with its own triad time takes its
// floor and its goal against the triad from it, not from the triad row;
// one without takes the triad row's.
func TestGoalAgainstPairedTriad(t *testing.T) {
	rows := []Row{
		{Key: "triad", N: 1000, Elems: 1000, Bytes: triadBytes, Median: 2000}, // 2 ns per element, stale
		{Key: "sigmoid", Impl: "avx2", N: 1000, Elems: 1000, Bytes: 12, Median: 1300, Triad: 1000, Goal: workload.Goal{Ref: "triad", Max: 1.3}},
		{Key: "sigmoid-f64", Impl: "avx2", N: 1000, Elems: 1000, Bytes: 24, Median: 6000, Triad: 1200, Goal: workload.Goal{Ref: "floor", Max: 2}},
		{Key: "member-asl", Impl: "avx2", N: 1000, Elems: 1000, Bytes: 12, Median: 2600, Triad: 1000, Goal: workload.Goal{Ref: "sigmoid", Max: 2}},
		{Key: "sigmoid", Impl: "avx512", N: 1000, Elems: 1000, Bytes: 12, Median: 2400, Goal: workload.Goal{Ref: "triad", Max: 1.3}},
	}
	fl := floors(rows)
	for i, want := range []struct{ floor, goal float64 }{
		{2, 0},     // the triad row: no goal
		{1, 1.3},   // its own triad: 1 ns per element
		{2.4, 2.5}, // 0.1 ns per byte × 24 bytes; 6 / 2.4
		{1, 2},     // over the sigmoid row of its kernel
		{2, 1.2},   // no triad of its own: the triad row's
	} {
		r := rows[i]
		if got := r.floor(fl); !near(got, want.floor) {
			t.Errorf("row %d (%s %s): floor %v, want %v", i, r.Key, r.Impl, got, want.floor)
		}
		g, ok := goalRatio(r, rows, fl)
		if ok != (want.goal > 0) || !near(g, want.goal) {
			t.Errorf("row %d (%s %s): goal ratio %v (%v), want %v", i, r.Key, r.Impl, g, ok, want.goal)
		}
	}
}

// near reports whether a and b agree to 1e-12 relative.
func near(a, b float64) bool { return a == b || (a-b)*(a-b) <= 1e-24*b*b }

// hasRow reports whether table s has a row for size n naming what.
func hasRow(s, n, what string) bool {
	for _, line := range strings.Split(s, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == n && strings.Contains(line, what) {
			return true
		}
	}
	return false
}

// TestBadOptions: every bad setting is refused, naming its flag.
func TestBadOptions(t *testing.T) {
	for flag, set := range map[string]func(*Options){
		"--sizes":   func(o *Options) { o.Sizes = []int{0} },
		"--repeats": func(o *Options) { o.Repeats = 0 },
		"--threads": func(o *Options) { o.Threads = 0 },
		"--warmup":  func(o *Options) { o.Warmup = -1 },
		"--stream":  func(o *Options) { o.Stream = -1 },
	} {
		o := DefaultOptions()
		set(&o)
		if err := o.Validate(); err == nil || !strings.HasPrefix(err.Error(), flag+":") {
			t.Errorf("%s: error %v, want one naming the flag", flag, err)
		}
		if err := Run(t.Context(), &bytes.Buffer{}, &bytes.Buffer{}, o); err == nil {
			t.Errorf("%s: Run accepted it", flag)
		}
	}
	if sizes := (Options{}); sizes.Validate() == nil {
		t.Error("no sizes accepted")
	}
}

// TestMissingTorchIsANote: an interpreter without torch skips the PyTorch
// rows with a note instead of failing.
func TestMissingTorchIsANote(t *testing.T) {
	var out bytes.Buffer
	o := DefaultOptions()
	o.Sizes, o.Repeats, o.Warmup, o.Python = []int{100}, 1, 0, "/nonexistent/python3"
	if err := Run(t.Context(), &out, &bytes.Buffer{}, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "PyTorch rows skipped") {
		t.Errorf("no note:\n%s", out.String())
	}
}

// TestParseTorch reads torch_bench.py's output format.
func TestParseTorch(t *testing.T) {
	out := `{"torch": "1.13.0a0", "torchvision": "0.14.1a0", "threads": 2}
{"impl": "torchvision", "n": 10, "times_ns": [30, 10, 20]}
`
	tr, res, err := parseTorch("py", []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Torch != "1.13.0a0" || tr.Threads != 2 || len(res) != 1 || workload.Median(res[0].Times) != 20 {
		t.Errorf("got %+v %+v", tr, res)
	}
	if _, _, err := parseTorch("py", []byte("not json\n")); err == nil {
		t.Error("bad output accepted")
	}
}

// TestMedian: odd and even counts.
func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []time.Duration
		want time.Duration
	}{{nil, 0}, {[]time.Duration{3}, 3}, {[]time.Duration{5, 1, 3}, 3}, {[]time.Duration{4, 1, 3, 2}, 2}} {
		if got := workload.Median(c.in); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestTriad: a = b + s·c at every length around the split.
func TestTriad(t *testing.T) {
	for _, n := range []int{0, 1, 4095, 4096, 10_001} {
		a, b, c := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range b {
			b[i], c[i] = float32(i), float32(2*i+1)
		}
		workload.Triad(a, b, c, 0.5)
		for i := range a {
			if want := b[i] + 0.5*c[i]; a[i] != want {
				t.Fatalf("n=%d: a[%d] = %v, want %v", n, i, a[i], want)
			}
		}
	}
}

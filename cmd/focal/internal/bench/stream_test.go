package bench

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/focalgo/focal/cmd/focal/internal/npy"
)

// TestWriteStreamPairWritesTheWorkload: two float32 arrays of n elements,
// over a million so that the pieces join, the targets 0 or 1 with about
// 1% ones, the logits spread as N(0, 3²).
func TestWriteStreamPairWritesTheWorkload(t *testing.T) {
	dir := t.TempDir()
	x, y := filepath.Join(dir, "x.npy"), filepath.Join(dir, "t.npy")
	n := 1<<20 + 1000
	if err := WriteStreamPair(x, y, n); err != nil {
		t.Fatal(err)
	}
	xa, err := npy.Read(x)
	if err != nil {
		t.Fatal(err)
	}
	ta, err := npy.Read(y)
	if err != nil {
		t.Fatal(err)
	}
	if len(xa.F32) != n || len(ta.F32) != n {
		t.Fatalf("%d logits and %d targets, want float32 and %d each", len(xa.F32), len(ta.F32), n)
	}
	var pos, sq float64
	for i, v := range ta.F32 {
		if v != 0 && v != 1 {
			t.Fatalf("target %d = %v", i, v)
		}
		pos += float64(v)
		sq += float64(xa.F32[i]) * float64(xa.F32[i])
	}
	if f := pos / float64(n); f < 0.009 || f > 0.011 {
		t.Errorf("%.4f positive, want 1%%", f)
	}
	if v := sq / float64(n); v < 8.8 || v > 9.2 {
		t.Errorf("logits' mean square %.2f, want 9", v)
	}
}

// TestParseStreamScript reads stream_bench.py's output format.
func TestParseStreamScript(t *testing.T) {
	out := `{"torch": "1.13.0a0", "torchvision": "0.14.1a0", "numpy": "1.24.2"}
{"impl": "load", "times_ns": [30, 10, 20], "maxrss_kb": 2048}
{"impl": "torchvision", "times_ns": [50], "maxrss_kb": 4096}
`
	rows, note, err := parseStreamScript([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Median != 20 || rows[0].MaxRSS != 2<<20 || !strings.Contains(rows[1].Name, "torchvision") || !strings.Contains(note, "NumPy 1.24.2") {
		t.Errorf("got %+v, %q", rows, note)
	}
	if _, _, err := parseStreamScript([]byte("{\"impl\": \"load\"}\n")); err == nil {
		t.Error("output without a version line accepted")
	}
}

// TestWriteStreamTableGivesRatiosToTheRead: each row over the first.
func TestWriteStreamTableGivesRatiosToTheRead(t *testing.T) {
	var b bytes.Buffer
	rows := []StreamRow{{"read", 100 * time.Millisecond, 0}, {"focal", 150 * time.Millisecond, 30 << 20}}
	if err := WriteStreamTable(&b, 1000, rows, ""); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); !strings.Contains(s, "1.50") || !strings.Contains(s, "30 ") {
		t.Errorf("table:\n%s", s)
	}
}

// TestStreamRowsNeedAFocalExecutable: without Program or Options.Focal
// (as in a test binary, which would run the tests if run as focal) the
// streamed rows are skipped with a note.
func TestStreamRowsNeedAFocalExecutable(t *testing.T) {
	if Program != "" {
		t.Skip("Program set")
	}
	o := DefaultOptions()
	o.Sizes, o.Repeats, o.Warmup, o.Torch, o.Stream = []int{100}, 1, 0, false, 1000
	var out bytes.Buffer
	if err := Run(t.Context(), &out, &bytes.Buffer{}, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "streamed rows skipped") {
		t.Errorf("no note:\n%s", out.String())
	}
}

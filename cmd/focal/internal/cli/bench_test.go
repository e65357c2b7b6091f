package cli

import (
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
)

// TestBenchCommand: focal bench runs (its lower kernel implementations in
// child processes of this test binary) and prints a row per
// implementation; bad flags are input errors naming the flag.
func TestBenchCommand(t *testing.T) {
	out, err := run(t, "bench", "--sizes", "2000", "--repeats", "1", "--warmup", "0", "--torch=false", "--stream", "0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "focal.Loss (generic)") || !strings.Contains(out, "triad") {
		t.Errorf("no generic or triad row:\n%s", out)
	}
	for _, args := range [][]string{
		{"--sizes", "0"},
		{"--sizes", "-5"},
		{"--repeats", "0"},
		{"--threads", "0"},
		{"--warmup", "-1"},
		{"--stream", "-1"},
	} {
		_, err := run(t, append([]string{"bench", "--torch=false"}, args...)...)
		if exitcode.Code(err) != 2 || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("bench %v: status %d (%v), want 2 naming the flag", args, exitcode.Code(err), err)
		}
	}
}

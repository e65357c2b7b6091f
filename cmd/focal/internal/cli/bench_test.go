package cli

import (
	"strings"
	"testing"
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
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, err := run(t, append([]string{"bench", "--torch=false"}, args...)...)
			wantStatus2(t, err, args[0])
		})
	}
}

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMainPrintsOneLineAndExitStatus(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"success", []string{"version"}, 0, ""},
		{"bad input is status 2", []string{"loss", "--logits", filepath.Join(dir, "none.npy"), "--targets", "t.npy"}, 2, "focal: loss: --logits "},
		{"unknown flag is status 2", []string{"curve", "--bogus"}, 2, "focal: unknown flag: --bogus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if got := Main(tc.args, &out, &errb); got != tc.status {
				t.Errorf("status %d, want %d (stderr %q)", got, tc.status, errb.String())
			}
			e := errb.String()
			if tc.stderr == "" {
				if e != "" {
					t.Errorf("stderr %q, want nothing", e)
				}
				return
			}
			if !strings.HasPrefix(e, tc.stderr) || strings.Count(e, "\n") != 1 || !strings.HasSuffix(e, "\n") {
				t.Errorf("stderr %q, want one line starting %q", e, tc.stderr)
			}
		})
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files written: %v", left)
	}
}

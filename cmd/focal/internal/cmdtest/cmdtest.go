// Package cmdtest holds what the tests of the command's packages share:
// checks of the errors the user sees, of the files a command leaves, and
// pipes to read from.
package cmdtest

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
)

// WantStatus2 fails the test unless err is a one-line bad-input error
// (exit status 2) containing every string of want.
func WantStatus2(t testing.TB, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want exit status 2 naming %q", want)
	}
	msg := err.Error()
	if code := exitcode.Code(err); code != 2 {
		t.Errorf("exit status %d, want 2: %s", code, msg)
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("message spans lines: %q", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q lacks %q", msg, w)
		}
	}
}

// Names returns the sorted names in dir, failing the test if it cannot be
// read.
func Names(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

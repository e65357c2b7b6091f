package cli

import (
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
)

// A refusal is a command line that focal refuses as bad input (or the
// flags that spoil a good one) and a part of the message it must give;
// a refusalAll's message must give every string of want.
type refusal struct {
	name string
	args []string
	want string
}

type refusalAll struct {
	name string
	args []string
	want []string
}

// wantStatus2 fails the test unless err is a one-line bad-input error
// containing every string of want.
func wantStatus2(t *testing.T, err error, want ...string) {
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

package output

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
)

// put writes content to path, failing the test on an error.
func put(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// inTempDir makes a temporary directory holding files (name to content),
// changes into it for the rest of the test and returns its path.
func inTempDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	for name, content := range files {
		put(t, name, content)
	}
	return dir
}

// get returns the content of path, or "<absent>".
func get(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "<absent>"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// text returns a fill that writes s.
func text(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// noHidden fails the test if dir holds a temporary or a backup: a name
// starting with a dot.
func noHidden(t *testing.T, dir string) {
	t.Helper()
	for _, n := range cmdtest.Names(t, dir) {
		if strings.HasPrefix(n, ".") {
			t.Errorf("%s left in %s", n, dir)
		}
	}
}

// join is filepath.Join.
var join = filepath.Join

//go:build unix

package infile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
)

// TestOpenGivesTheSizeOrAnErrorStartingWithThePath: a regular file opens
// with its size, a pipe with none (-1: its length is known only once it
// has been read); a missing file or a directory is an error that starts
// with the path and says what is wrong.
func TestOpenGivesTheSizeOrAnErrorStartingWithThePath(t *testing.T) {
	regular := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(regular, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name, path string
		size       int64
		err        string
	}{
		{"regular file", regular, 8, ""},
		{"pipe", cmdtest.Fifo(t, []byte("a,b\n")), -1, ""},
		{"missing file", filepath.Join(dir, "missing.csv"), 0, "no such file or directory"},
		{"directory", dir, 0, "is a directory, want a data file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, size, err := Open(c.path, "a data file")
			if c.err != "" {
				if err == nil {
					f.Close()
					t.Fatal("no error")
				}
				if msg := err.Error(); !strings.HasPrefix(msg, c.path+": ") || !strings.Contains(msg, c.err) {
					t.Errorf("error %q, want %q after the path", msg, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if size != c.size {
				t.Errorf("size %d, want %d", size, c.size)
			}
		})
	}
}

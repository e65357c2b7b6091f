package infile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenErrorsStartWithThePath(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, path, want string
	}{
		{"missing file", filepath.Join(dir, "missing.csv"), "no such file or directory"},
		{"directory", dir, "is a directory, want a data file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, _, err := Open(c.path, "a data file")
			if err == nil {
				f.Close()
				t.Fatal("no error")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, c.path+": ") || !strings.Contains(msg, c.want) {
				t.Errorf("error %q, want %q after the path", msg, c.want)
			}
		})
	}
}

func TestOpenGivesTheSizeOfARegularFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(p, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, size, err := Open(p, "a data file")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if size != 8 {
		t.Errorf("size %d, want 8", size)
	}
}

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/demo"
	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
)

// TestDemoChecksItsOutputsBeforeRunning: a file of the output directory
// that cannot be written (here results.json is a directory) is refused
// with exit status 2 before the run, and the other files stay as they
// were.
func TestDemoChecksItsOutputsBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, demo.TableFile), []byte("old table"), 0o644)
	os.Mkdir(filepath.Join(dir, demo.JSONFile), 0o755)
	_, _, err := runDemoCommand(t, append([]string{"--out", dir, "-q"}, tinyDemo...)...)
	if exitcode.Code(err) != 2 || !strings.Contains(err.Error(), "--out "+filepath.Join(dir, demo.JSONFile)+": is a directory") {
		t.Errorf("error %v (exit status %d), want status 2 naming %s as a directory", err, exitcode.Code(err), demo.JSONFile)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, demo.TableFile)); string(b) != "old table" {
		t.Errorf("%s holds %q, want its old content", demo.TableFile, b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("output directory holds %v", entries)
	}
}

// TestDemoKeepsTheModeOfReplacedFiles: writing into a directory that
// holds a read-only results.json replaces its content and keeps its mode,
// and leaves no temporary.
func TestDemoKeepsTheModeOfReplacedFiles(t *testing.T) {
	dir := t.TempDir()
	js := filepath.Join(dir, demo.JSONFile)
	os.WriteFile(js, []byte("old"), 0o444)
	if _, _, err := runDemoCommand(t, append([]string{"--out", dir, "-q", "--task", "cells"}, tinyDemo...)...); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(js)
	if err != nil || fi.Mode() != 0o444 {
		t.Fatalf("%s: mode %v (%v), want its 0444 kept", demo.JSONFile, fi.Mode(), err)
	}
	if b, _ := os.ReadFile(js); !strings.HasPrefix(string(b), "{") {
		t.Errorf("%s holds %.20q…, want the results", demo.JSONFile, b)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("%s left in the output directory", e.Name())
		}
	}
	if len(entries) != 4 {
		t.Errorf("output directory holds %v, want table, results, curves and one panel", entries)
	}
}

//go:build unix

package cmdtest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Mkfifo makes a FIFO at path, skipping the test on a system that cannot.
func Mkfifo(t testing.TB, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

// Fifo makes a named pipe in a temporary directory and writes data into it
// from a goroutine, as a shell's process substitution <(cat FILE) does, and
// returns its path. A pipe can be read only once: a reader that opens it
// twice waits for a second writer that never comes.
func Fifo(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pipe")
	Mkfifo(t, p)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		f.Write(data) // the reader may stop early: a broken pipe is fine
		f.Close()
	}()
	t.Cleanup(func() {
		// Unblock the writer if the reader never opened the pipe.
		if f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		<-done
	})
	return p
}

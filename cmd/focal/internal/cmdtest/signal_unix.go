//go:build unix

package cmdtest

import (
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
)

// Child returns a command that runs this test binary again with env
// ("NAME=value") added to its environment and args as its arguments: the
// test's TestMain sees env and plays the process under test.
func Child(env string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), env)
	return cmd
}

// Signals runs f as a subtest for each of sigs, skipping a signal this
// process ignores: a child would inherit that and ignore it too.
func Signals(t *testing.T, sigs []os.Signal, f func(t *testing.T, sig os.Signal)) {
	for _, sig := range sigs {
		t.Run(sig.String(), func(t *testing.T) {
			if signal.Ignored(sig) {
				t.Skipf("%v is ignored by this process and so by its child", sig)
			}
			f(t, sig)
		})
	}
}

// A Writer is a child process caught writing to a FIFO whose reader has
// stopped reading: whatever it does before that (staging its other
// outputs, say) is done, and it is blocked, so that a test can look at the
// files it leaves mid-write and then kill it.
type Writer struct {
	cmd    *exec.Cmd
	exited chan error
	stderr *strings.Builder
}

// CatchWriting starts cmd and returns once it has written the first KiB
// of its output to fifo. It fails the test if cmd ends first. The FIFO
// stays open for reading until the test ends, so that cmd is blocked
// rather than killed by SIGPIPE.
func CatchWriting(t testing.TB, cmd *exec.Cmd, fifo string) *Writer {
	t.Helper()
	w := &Writer{cmd: cmd, exited: make(chan error, 1), stderr: new(strings.Builder)}
	cmd.Stderr = w.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { w.exited <- cmd.Wait() }()
	opened := make(chan *os.File, 1)
	go func() {
		f, _ := os.Open(fifo) // waits for the writer
		opened <- f
	}()
	var r *os.File
	select {
	case r = <-opened:
	case err := <-w.exited:
		// Let the reader's open return, then fail.
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		t.Fatalf("%s ended (%v) without writing the FIFO\n%s", cmd.Args, err, w.stderr)
	}
	t.Cleanup(func() { r.Close() })
	if _, err := io.ReadFull(r, make([]byte, 1<<10)); err != nil {
		t.Fatal(err)
	}
	return w
}

// Kill sends sig to the process and fails the test unless it died of it.
func (w *Writer) Kill(t testing.TB, sig os.Signal) {
	t.Helper()
	w.cmd.Process.Signal(sig)
	err := <-w.exited
	ws, ok := w.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != sig {
		t.Errorf("%s ended with %v, want killed by %v\n%s", w.cmd.Args, err, sig, w.stderr)
	}
}

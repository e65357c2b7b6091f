//go:build unix

package cli

import (
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/bench"
	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
	"github.com/focalgo/focal/cmd/focal/internal/npy"
)

// helperEnv set makes the test binary the focal command, for tests that
// need a process of their own.
const helperEnv = "FOCAL_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" || os.Getenv(bench.ChildEnv) != "" {
		// A child process: of a test, or of focal bench measuring a lower
		// kernel implementation.
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestLossWritesThroughAFIFO: --out naming a FIFO sends the loss to its
// reader, and the FIFO stays a FIFO.
func TestLossWritesThroughAFIFO(t *testing.T) {
	dir := lossDir(t)
	if err := syscall.Mkfifo("loss.fifo", 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan []byte)
	go func() {
		f, err := os.Open("loss.fifo")
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- b
	}()
	_, err := run(t, "loss", "--logits", "w.npy", "--targets", "t.npy", "--reduction", "none",
		"--out", "loss.fifo", "--grad", "g.npy")
	if err != nil {
		// Let the reader's open return.
		if w, err := os.OpenFile("loss.fifo", os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		t.Fatal(err)
	}
	if fi, err := os.Lstat("loss.fifo"); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Fatalf("loss.fifo is no longer a FIFO")
	}
	b := <-got
	copied := t.TempDir() + "/loss.npy"
	os.WriteFile(copied, b, 0o644)
	a, err := npy.Read(copied)
	if err != nil || len(a.F32) != 6 {
		t.Errorf("the FIFO's reader got %d bytes: %v", len(b), err)
	}
	if n := snapshot(t, dir); len(n) != 5 {
		t.Errorf("directory holds %v, want w, t, v, g.npy and the FIFO", n)
	}
}

// TestLossWritesThroughACharacterDevice: --out naming a device node (a
// copy of /dev/null's, made in the test's directory) leaves it a device.
func TestLossWritesThroughACharacterDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mknod needs root")
	}
	dir := lossDir(t)
	if err := syscall.Mknod("null", syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("mknod: %v", err)
	}
	if _, err := run(t, "loss", "--logits", "w.npy", "--targets", "t.npy", "--out", "null"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat("null"); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("null is no longer a character device")
	}
	if n := snapshot(t, dir); len(n) != 4 {
		t.Errorf("directory holds %v", n)
	}
}

// TestLossSignalWhileWritingLeavesNoTemporaries runs focal loss in a
// process of its own with a large gradient staged and the loss going to a
// FIFO the test reads slowly, interrupts it mid-write, and checks that it
// died of the signal (status 130 or 143 in a shell, as without the
// clean-up) leaving no temporary and the old gradient file as it was. The
// FIFO makes it deterministic: the command opens it only once the regular
// outputs are staged.
func TestLossSignalWhileWritingLeavesNoTemporaries(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			if signal.Ignored(sig) {
				t.Skipf("%v is ignored by this process and so by its child", sig)
			}
			dir := t.TempDir()
			const n = 1 << 20 // 4 MB of float32 per output
			x := make([]float32, n)
			y := make([]float32, n)
			for i := range x {
				x[i] = float32(i%17) - 8
				y[i] = float32(i % 2)
			}
			writeRaw(t, dir+"/x.npy", "<f4", []int{n}, x)
			writeRaw(t, dir+"/y.npy", "<f4", []int{n}, y)
			os.WriteFile(dir+"/grad.npy", []byte("old gradient"), 0o644)
			if err := syscall.Mkfifo(dir+"/loss.fifo", 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			cmd := exec.Command(os.Args[0], "loss", "--logits", "x.npy", "--targets", "y.npy", "--reduction", "none",
				"--grad", "grad.npy", "--hess", "hess.npy", "--out", "loss.fifo")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), helperEnv+"=1")
			w := cmdtest.CatchWriting(t, cmd, dir+"/loss.fifo")
			// focal loss is blocked writing the rest; grad and hess are staged.
			var tmps []string
			for name := range snapshot(t, dir) {
				if strings.HasPrefix(name, ".") {
					tmps = append(tmps, name)
				}
			}
			if len(tmps) != 2 {
				t.Fatalf("want the two staged temporaries while writing, have %v", tmps)
			}
			w.Kill(t, sig)
			var names []string
			for name := range snapshot(t, dir) {
				names = append(names, name)
			}
			slices.Sort(names)
			if want := []string{"grad.npy", "loss.fifo", "x.npy", "y.npy"}; !slices.Equal(names, want) {
				t.Errorf("directory holds %v, want %v", names, want)
			}
			if b, _ := os.ReadFile(dir + "/grad.npy"); string(b) != "old gradient" {
				t.Errorf("grad.npy holds %.20q…, want its old content", b)
			}
		})
	}
}

//go:build unix

package output

import (
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
)

// TestWriteThroughAFIFO: a FIFO output stays a FIFO and its reader gets
// the content, after the regular output of the same plan is staged; no
// temporary is made for it.
func TestWriteThroughAFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := join(dir, "fifo")
	cmdtest.Mkfifo(t, fifo)
	got := make(chan string)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	p := NewPlan()
	defer p.Abort()
	reg := p.Output("--grad", join(dir, "grad.npy"))
	fo := p.Output("--out", fifo)
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	if !fo.Special() || reg.Special() {
		t.Errorf("Special: FIFO %v, regular file %v; want true, false", fo.Special(), reg.Special())
	}
	staged := false
	if err := fo.Write(func(w io.Writer) error {
		// Run by Commit: the regular output is staged by now.
		staged = slices.ContainsFunc(cmdtest.Names(t, dir), func(n string) bool { return strings.HasPrefix(n, ".grad.npy.tmp") })
		_, err := io.WriteString(w, strings.Repeat("loss", 1<<15)) // beyond a pipe's buffer
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Write(text("grad")); err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != strings.Repeat("loss", 1<<15) {
		t.Errorf("reader got %d bytes %.20q…", len(s), s)
	}
	if !staged {
		t.Errorf("the FIFO was written before the regular output was staged")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("fifo is no longer a FIFO: %v", err)
	}
	if got := get(t, join(dir, "grad.npy")); got != "grad" {
		t.Errorf("grad.npy holds %q", got)
	}
	if n := cmdtest.Names(t, dir); !slices.Equal(n, []string{"fifo", "grad.npy"}) {
		t.Errorf("directory holds %v", n)
	}
}

// TestWriteThroughACharacterDevice: a device node output (a copy of
// /dev/null's, 1:3, made in the test's directory) stays a device. Making
// one needs root.
func TestWriteThroughACharacterDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mknod needs root")
	}
	dir := t.TempDir()
	null := join(dir, "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("mknod: %v", err)
	}
	p := NewPlan()
	defer p.Abort()
	o := p.Output("--out", null)
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	f, err := o.Create()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("into the void"); err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(null)
	if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("null is no longer a character device: %v %v", fi.Mode(), err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Rdev != 1<<8|3 {
		t.Errorf("device number %#x, want 1:3", st.Rdev)
	}
	if n := cmdtest.Names(t, dir); !slices.Equal(n, []string{"null"}) {
		t.Errorf("directory holds %v", n)
	}
}

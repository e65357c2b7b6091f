//go:build unix

package output

import (
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
)

// helperEnv names the directory a helper process stages its outputs in.
const helperEnv = "OUTPUT_TEST_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		stageAndWriteForever(dir)
		os.Exit(3)
	}
	os.Exit(m.Run())
}

// stageAndWriteForever is the helper process: it stages two regular
// outputs in dir (one replacing "old", one new) and commits them with a
// FIFO output whose content never ends, so that it is killed while
// writing, with its temporaries on disk.
func stageAndWriteForever(dir string) {
	p := NewPlan()
	defer p.Abort()
	a := p.Output("--out", join(dir, "old"))
	b := p.Output("--grad", join(dir, "new"))
	f := p.Output("--hess", join(dir, "fifo"))
	if err := p.Check(); err != nil {
		panic(err)
	}
	big := strings.Repeat("new content ", 1<<20)
	if err := a.Write(text(big)); err != nil {
		panic(err)
	}
	if err := b.Write(text(big)); err != nil {
		panic(err)
	}
	f.Write(func(w io.Writer) error {
		chunk := []byte(strings.Repeat("x", 1<<16))
		for {
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
	})
	p.Commit()
}

// TestSignalWhileWritingRemovesTemporaries runs a helper process that is
// writing a FIFO output with two regular outputs staged, signals it, and
// checks that it died of the signal, leaving no temporary, the replaced
// file as it was and no new file. The FIFO makes it deterministic: the
// helper opens it for writing only once the regular outputs are staged.
func TestSignalWhileWritingRemovesTemporaries(t *testing.T) {
	cmdtest.Signals(t, caught, func(t *testing.T, sig os.Signal) {
		dir := t.TempDir()
		put(t, join(dir, "old"), "old")
		cmdtest.Mkfifo(t, join(dir, "fifo"))
		w := cmdtest.CatchWriting(t, cmdtest.Child(helperEnv+"="+dir, "-test.run", "^$"), join(dir, "fifo"))
		// The helper is writing now; its temporaries are on disk.
		var tmps int
		for _, n := range cmdtest.Names(t, dir) {
			if strings.HasPrefix(n, ".old.tmp") || strings.HasPrefix(n, ".new.tmp") {
				tmps++
			}
		}
		if tmps != 2 {
			t.Fatalf("directory holds %v, want two temporaries while writing", cmdtest.Names(t, dir))
		}
		w.Kill(t, sig)
		if n := cmdtest.Names(t, dir); !slices.Equal(n, []string{"fifo", "old"}) {
			t.Errorf("directory holds %v, want only fifo and old", n)
		}
		if got := get(t, join(dir, "old")); got != "old" {
			t.Errorf("old holds %.20q…", got)
		}
	})
}

//go:build unix

package infile

import (
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
)

// A pipe's length is known only once it has been read.
func TestOpenGivesNoSizeForAPipe(t *testing.T) {
	f, size, err := Open(cmdtest.Fifo(t, []byte("a,b\n")), "a data file")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if size != -1 {
		t.Errorf("size %d, want -1", size)
	}
}

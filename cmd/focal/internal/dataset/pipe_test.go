package dataset

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
)

// within runs f, failing the test if it takes over a minute: a reader that
// opens a pipe twice waits forever for a second writer.
func within(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("still reading the pipe after a minute: was it opened twice?")
	}
}

func TestLoadReadsAPipe(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("x,label\n")
	for i := range 5000 { // more than a pipe buffer
		csv.WriteString(strings.Repeat("1", i%7+1) + "," + []string{"a", "b"}[i%2] + "\n")
	}
	var s *Set
	var err error
	p := cmdtest.Fifo(t, []byte(csv.String()))
	within(t, func() { s, err = Load(p, "label") })
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 5000 || s.X[6] != 1111111 || !slices.Equal(s.Classes, []string{"a", "b"}) {
		t.Errorf("CSV from a pipe: N %d, X[6] %v, classes %v", s.N, s.X[6], s.Classes)
	}

	raw, _ := os.ReadFile(writeNPY(t, "x.npy", []float64{1, 2, 3}))
	y := writeNPY(t, "y.npy", []int64{0, 1, 1})
	p = cmdtest.Fifo(t, raw)
	within(t, func() { s, err = Load(p+","+y, "") })
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 3 || !slices.Equal(s.X, []float32{1, 2, 3}) {
		t.Errorf(".npy from a pipe: %+v", s)
	}
	p = cmdtest.Fifo(t, raw)
	within(t, func() { s, err = LoadFeatures(p, []string{"x0"}) })
	if err != nil || s.N != 3 {
		t.Errorf("features from a pipe: %+v, %v", s, err)
	}
}

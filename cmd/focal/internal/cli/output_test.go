package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
)

// lossDir makes a directory with logits w.npy, targets t.npy and weights
// v.npy of shape [2, 3], changes into it and returns it.
func lossDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	writeRaw(t, "w.npy", "<f4", []int{2, 3}, []float32{0, 1, 2, -3, 4, -5})
	writeRaw(t, "t.npy", "<f4", []int{2, 3}, []float32{0, 1, 0, 0, 0, 1})
	writeRaw(t, "v.npy", "<f4", []int{2, 3}, []float32{1, 1, 2, 1, 1, 1})
	return dir
}

// snapshot returns every name in dir with its content (directories and
// special files as their type), to compare before and after a command.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	s := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		fi, _ := os.Lstat(p)
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			s[e.Name()] = "-> " + l
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			s[e.Name()] = fi.Mode().String() + " " + string(b)
		default:
			s[e.Name()] = fi.Mode().String()
		}
	}
	return s
}

// sameSnapshot fails the test if dir changed since before.
func sameSnapshot(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	after := snapshot(t, dir)
	var changed []string
	for n, v := range after {
		if before[n] != v {
			changed = append(changed, n)
		}
	}
	for n := range before {
		if _, ok := after[n]; !ok {
			changed = append(changed, n+" (removed)")
		}
	}
	sort.Strings(changed)
	if len(changed) > 0 {
		t.Errorf("files changed: %v", changed)
	}
}

// wantStatus2 fails the test unless err is a one-line bad-input error
// containing every string of want.
var wantStatus2 = cmdtest.WantStatus2

// TestLossRefusesOutputsThatNameAnInputOrEachOther: an output naming an
// input or another output — by another spelling, a link or a hard link —
// is refused with exit status 2 and a message naming both flags, and no
// file changes.
func TestLossRefusesOutputsThatNameAnInputOrEachOther(t *testing.T) {
	dir := lossDir(t)
	os.Symlink("w.npy", "wlink.npy")
	os.Link("t.npy", "thard.npy")
	base := []string{"loss", "--logits", "w.npy", "--targets", "t.npy", "--weights", "v.npy", "--reduction", "none"}
	for _, c := range []refusalAll{
		{"--out over --logits by absolute path", []string{"--out", filepath.Join(dir, "w.npy")}, []string{"--out", "--logits"}},
		{"--out over --logits by ./", []string{"--out", "./w.npy"}, []string{"--out", "--logits"}},
		{"--out over --logits through a link", []string{"--out", "wlink.npy"}, []string{"--out", "--logits"}},
		{"--grad over --targets", []string{"--grad", "t.npy"}, []string{"--grad", "--targets", "(t.npy)"}},
		{"--hess over --targets through a hard link", []string{"--hess", "thard.npy"}, []string{"--hess", "--targets"}},
		{"--hess over --weights", []string{"--hess", "sub/../v.npy"}, []string{"--hess", "--weights"}},
		{"--out and --grad on one file", []string{"--out", "a.npy", "--grad", filepath.Join(dir, "a.npy")}, []string{"--grad", "--out"}},
		{"--grad and --hess on one new file", []string{"--grad", "a.npy", "--hess", "a.npy"}, []string{"--hess and --grad name the same file (a.npy)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			os.Mkdir("sub", 0o755)
			before := snapshot(t, dir)
			_, err := run(t, append(slices.Clone(base), c.args...)...)
			wantStatus2(t, err, append(c.want, "name the same file")...)
			sameSnapshot(t, dir, before)
		})
	}
}

// TestLossWritesAllOutputsOrNone: a bad destination among the outputs
// (a directory, a missing directory) is refused before anything is
// written: the outputs before it keep their old content.
func TestLossWritesAllOutputsOrNone(t *testing.T) {
	dir := lossDir(t)
	os.Mkdir("gdir", 0o755)
	os.WriteFile("o.npy", []byte("old loss"), 0o644)
	os.WriteFile("h.npy", []byte("old hess"), 0o644)
	base := []string{"loss", "--logits", "w.npy", "--targets", "t.npy", "--reduction", "none", "--out", "o.npy", "--hess", "h.npy"}
	for _, c := range []struct {
		name, grad string
		want       []string
	}{
		{"a directory", "gdir", []string{"--grad gdir: is a directory"}},
		{"a directory with a separator", "gdir/", []string{"--grad gdir/: is a directory"}},
		{"a missing directory", "none/g.npy", []string{"--grad none/g.npy: directory none does not exist"}},
		{"a file as directory", "o.npy/g.npy", []string{"--grad o.npy/g.npy", "not a directory"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := snapshot(t, dir)
			_, err := run(t, append(slices.Clone(base), "--grad", c.grad)...)
			wantStatus2(t, err, c.want...)
			sameSnapshot(t, dir, before)
		})
	}
}

// TestLossWritesThroughToWhatThePathNames: a symbolic link's target gets
// the output and the link stays; a read-only file keeps its mode.
func TestLossWritesThroughToWhatThePathNames(t *testing.T) {
	dir := lossDir(t)
	os.Mkdir("real", 0o755)
	os.WriteFile("real/g.npy", []byte("old"), 0o644)
	os.Symlink("real/g.npy", "glink.npy")
	os.WriteFile("ro.npy", []byte("old"), 0o444)
	if _, err := run(t, "loss", "--logits", "w.npy", "--targets", "t.npy", "--reduction", "none",
		"--grad", "glink.npy", "--out", "ro.npy"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat("glink.npy"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("glink.npy is no longer a symbolic link")
	}
	if a := readAll(t, "real/g.npy"); len(a.F32) != 6 {
		t.Errorf("link target holds %v, want the gradient", a)
	}
	if fi, _ := os.Stat("ro.npy"); fi.Mode() != 0o444 {
		t.Errorf("ro.npy has mode %v, want its 0444 kept", fi.Mode())
	}
	if a := readAll(t, "ro.npy"); len(a.F32) != 6 {
		t.Errorf("ro.npy holds %v, want the loss", a)
	}
	var names []string
	for n := range snapshot(t, dir) {
		names = append(names, n)
	}
	sort.Strings(names)
	if want := []string{"glink.npy", "real", "ro.npy", "t.npy", "v.npy", "w.npy"}; !slices.Equal(names, want) {
		t.Errorf("directory holds %v, want %v", names, want)
	}
}

// TestCurveWritesAllOutputsOrNone: --csv naming a directory, or one of
// the images, is refused before any file is written.
func TestCurveWritesAllOutputsOrNone(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.Mkdir("cdir", 0o755)
	os.WriteFile("c.png", []byte("old png"), 0o644)
	for _, c := range []refusalAll{
		{"--csv a directory", []string{"--out", "c", "--csv", "cdir"}, []string{"--csv cdir: is a directory"}},
		{"--csv over the PNG", []string{"--out", "c", "--csv", "c.png"}, []string{"--csv and --out name the same file (c.png)"}},
		{"--csv over the SVG", []string{"--out", "c", "--csv", "./c.svg"}, []string{"--csv ./c.svg and --out c.svg name the same file"}},
		{"--out in a missing directory", []string{"--out", "no/c", "--csv", "c.csv"}, []string{"--out no/c.png: directory no does not exist"}},
		{"--out a directory", []string{"--out", "cdir/", "--csv", "c.csv"}, []string{"--out cdir/", "directory"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := snapshot(t, dir)
			_, err := run(t, append([]string{"curve", "--points", "10"}, c.args...)...)
			wantStatus2(t, err, c.want...)
			sameSnapshot(t, dir, before)
		})
	}
}

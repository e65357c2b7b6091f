package output

import (
	"io/fs"
	"os"
	"slices"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
)

// commitOne writes content to path through a one-output plan.
func commitOne(t *testing.T, path, content string) {
	t.Helper()
	p := NewPlan()
	defer p.Abort()
	o := p.Output("--out", path)
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	if err := o.Write(text(content)); err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestWriteKeepsTheModeOfAReplacedFile: a replaced file keeps its
// permission bits, read-only ones too; a new file gets 0666 less the
// umask, as os.Create gives.
func TestWriteKeepsTheModeOfAReplacedFile(t *testing.T) {
	dir := t.TempDir()
	for _, mode := range []fs.FileMode{0o444, 0o640, 0o600, 0o755} {
		path := join(dir, "f"+mode.String())
		put(t, path, "old")
		os.Chmod(path, mode)
		commitOne(t, path, "new")
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != mode || get(t, path) != "new" {
			t.Errorf("%v file: now %v holding %q, want %v holding \"new\"", mode, fi.Mode(), get(t, path), mode)
		}
	}
	ref := join(dir, "by-os-create")
	f, err := os.Create(ref)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	want, _ := os.Stat(ref)
	commitOne(t, join(dir, "new"), "new")
	if fi, _ := os.Stat(join(dir, "new")); fi.Mode() != want.Mode() {
		t.Errorf("new file has mode %v, os.Create gives %v", fi.Mode(), want.Mode())
	}
	noHidden(t, dir)
}

// TestWriteThroughSymbolicLinks: the file a link (or a chain of links)
// ends at gets the content, and the links stay links; a dangling link
// gets its target created.
func TestWriteThroughSymbolicLinks(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.Mkdir("real", 0o755)
	put(t, "real/target", "old")
	os.Chmod("real/target", 0o640)
	os.Symlink("real/target", "link")
	os.Symlink("link", "link2")
	os.Symlink("real/missing", "dangling")
	commitOne(t, "link2", "via chain")
	commitOne(t, "dangling", "created")
	for _, l := range []string{"link", "link2", "dangling"} {
		if fi, err := os.Lstat(l); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symbolic link (%v)", l, err)
		}
	}
	if got := get(t, "real/target"); got != "via chain" {
		t.Errorf("link target holds %q", got)
	}
	if fi, _ := os.Stat("real/target"); fi.Mode() != 0o640 {
		t.Errorf("link target has mode %v, want 0640", fi.Mode())
	}
	if got := get(t, "real/missing"); got != "created" {
		t.Errorf("dangling link's target holds %q", got)
	}
	noHidden(t, dir)
	noHidden(t, join(dir, "real"))
}

// TestDirectoryOutputIsMadeWithItsParentsAndUnmadeOnAbort: a directory
// output that does not exist is made when its first file is staged, with
// its missing parents, and removed again when the plan is aborted.
func TestDirectoryOutputIsMadeWithItsParentsAndUnmadeOnAbort(t *testing.T) {
	dir := inTempDir(t, nil)
	for _, commit := range []bool{false, true} {
		p := NewPlan()
		d := p.Dir("--plots", "a/b/plots")
		if err := p.Check(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat("a"); err == nil {
			t.Fatalf("Check made the directory")
		}
		for _, n := range []string{"pr.png", "reliability.png"} {
			if err := d.Output(n).Write(text(n)); err != nil {
				t.Fatal(err)
			}
		}
		if !commit {
			p.Abort()
			if n := cmdtest.Names(t, dir); len(n) != 0 {
				t.Errorf("abort left %v", n)
			}
			continue
		}
		if err := p.Commit(); err != nil {
			t.Fatal(err)
		}
		if n := cmdtest.Names(t, "a/b/plots"); !slices.Equal(n, []string{"pr.png", "reliability.png"}) {
			t.Errorf("plots holds %v", n)
		}
	}
}

// TestAbortRemovesTemporaries: Abort, the deferred call of every exit
// path, leaves the directory as it was, and replaced files untouched.
func TestAbortRemovesTemporaries(t *testing.T) {
	dir := t.TempDir()
	put(t, join(dir, "a"), "old")
	p := NewPlan()
	a := p.Output("--out", join(dir, "a"))
	b := p.Output("--grad", join(dir, "b"))
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	a.Write(text("new"))
	f, err := b.Create()
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("partial")
	if len(cmdtest.Names(t, dir)) != 3 {
		t.Fatalf("want the old file and two temporaries, have %v", cmdtest.Names(t, dir))
	}
	p.Abort()
	if n := cmdtest.Names(t, dir); !slices.Equal(n, []string{"a"}) || get(t, join(dir, "a")) != "old" {
		t.Errorf("after Abort: %v, a holds %q", n, get(t, join(dir, "a")))
	}
	if err := p.Commit(); err == nil {
		t.Errorf("Commit after Abort succeeded")
	}
}

package output

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
)

var errInjected = errors.New("injected failure")

// failNth makes the n-th call of rename (counting from 1) fail, and every
// call of link when noLinks, until the test ends. It returns the number of
// renames made.
func failNth(t *testing.T, n int, noLinks bool) *int {
	calls := new(int)
	rename = func(from, to string) error {
		*calls++
		if *calls == n {
			return errInjected
		}
		return os.Rename(from, to)
	}
	if noLinks {
		link = func(string, string) error { return errInjected }
	}
	t.Cleanup(func() { rename, link = os.Rename, os.Link })
	return calls
}

// TestCommitIsAllOrNothingWhicheverRenameFails fails the k-th rename of a
// commit of four outputs (two replacing files, two new), for every k, on a
// file system with hard links and on one without (where old files are
// moved aside), and checks that the outputs are all old or all new, and
// that no temporary or backup is left.
func TestCommitIsAllOrNothingWhicheverRenameFails(t *testing.T) {
	files := []string{"a", "b", "c", "d"}
	old := map[string]string{"a": "old a", "c": "old c"} // b and d are new
	for _, noLinks := range []bool{false, true} {
		failures := 0
		for k := 1; ; k++ {
			dir := t.TempDir()
			for f, content := range old {
				put(t, join(dir, f), content)
			}
			p := NewPlan()
			flags := []string{"--out", "--grad", "--hess", "--csv"}
			var outs []*Output
			for i, f := range files {
				outs = append(outs, p.Output(flags[i], join(dir, f)))
			}
			if err := p.Check(); err != nil {
				t.Fatal(err)
			}
			for i, o := range outs {
				if err := o.Write(text("new " + files[i])); err != nil {
					t.Fatal(err)
				}
			}
			calls := failNth(t, k, noLinks)
			err := p.Commit()
			p.Abort()
			rename, link = os.Rename, os.Link
			state := map[string]string{}
			for _, f := range files {
				state[f] = get(t, join(dir, f))
			}
			allNew, allOld := true, true
			for _, f := range files {
				allNew = allNew && state[f] == "new "+f
				want, ok := old[f]
				if !ok {
					want = "<absent>"
				}
				allOld = allOld && state[f] == want
			}
			noHidden(t, dir)
			if err == nil {
				if !allNew {
					t.Errorf("no links %v, rename %d: commit succeeded, but %v", noLinks, k, state)
				}
				if failures < len(files) {
					t.Errorf("no links %v: %d renames failed before a commit succeeded, want at least %d", noLinks, failures, len(files))
				}
				break
			}
			failures++
			if !errors.Is(err, errInjected) || !strings.Contains(err.Error(), "injected failure") {
				t.Errorf("no links %v, rename %d: error %v, want the injected one", noLinks, k, err)
			}
			if !allOld {
				t.Errorf("no links %v, rename %d of %d failed: %v, want all old", noLinks, k, *calls, state)
			}
			if k > 20 {
				t.Fatalf("no links %v: commit never succeeds", noLinks)
			}
		}
	}
}

// TestCommitKeepsABackupItCannotPutBack: when undoing a failed commit
// fails too, the old content stays in its backup and the error says where.
func TestCommitKeepsABackupItCannotPutBack(t *testing.T) {
	dir := t.TempDir()
	put(t, join(dir, "a"), "old a")
	put(t, join(dir, "b"), "old b")
	p := NewPlan()
	defer p.Abort()
	a := p.Output("--out", join(dir, "a"))
	b := p.Output("--grad", join(dir, "b"))
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	a.Write(text("new a"))
	b.Write(text("new b"))
	// Renames: a into place (1), b into place (2, fails), a's backup back (3, fails).
	calls := 0
	rename = func(from, to string) error {
		if calls++; calls >= 2 {
			return errInjected
		}
		return os.Rename(from, to)
	}
	defer func() { rename = os.Rename }()
	err := p.Commit()
	if err == nil || !strings.Contains(err.Error(), "--out "+join(dir, "a")+" not restored: its old content is in "+join(dir, ".a.old")) {
		t.Fatalf("error %v, want one naming a's backup", err)
	}
	var backup string
	for _, n := range cmdtest.Names(t, dir) {
		if strings.HasPrefix(n, ".a.old") {
			backup = n
		}
	}
	if backup == "" || get(t, join(dir, backup)) != "old a" || get(t, join(dir, "b")) != "old b" {
		t.Errorf("directory %v: want a's backup holding \"old a\", b untouched", cmdtest.Names(t, dir))
	}
	if n := cmdtest.Names(t, dir); !slices.Equal(n, []string{backup, "a", "b"}) {
		t.Errorf("directory holds %v, want only a, b and a's backup", n)
	}
}

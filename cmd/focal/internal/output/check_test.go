package output

import (
	"net"
	"os"
	"runtime"
	"slices"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
)

// TestCheckRefusesAnOutputNamingAnInputOrAnotherOutput names the one file
// in every way a user can: the same string, a ./ prefix, an absolute path,
// ../, a symbolic link, a chain of them, a hard link; as an input against
// an output and as two outputs. Check refuses each with exit status 2 and
// a message naming both flags, and nothing is written.
func TestCheckRefusesAnOutputNamingAnInputOrAnotherOutput(t *testing.T) {
	dir := inTempDir(t, map[string]string{"w.npy": "logits"})
	os.Mkdir("sub", 0o755)
	os.Symlink("w.npy", "link.npy")
	os.Symlink("link.npy", "link2.npy")
	os.Symlink(dir, "here")
	os.Link("w.npy", "hard.npy")
	abs := join(dir, "w.npy")
	for _, c := range []struct {
		name   string
		inputs []string // "--in" paths
		outs   []string // "--out", "--grad", … paths
	}{
		{"input as output, same string", []string{"w.npy"}, []string{"w.npy"}},
		{"input as output, ./ prefix", []string{"w.npy"}, []string{"./w.npy"}},
		{"input as output, absolute path", []string{"w.npy"}, []string{abs}},
		{"input as output, through ../", []string{"w.npy"}, []string{"sub/../w.npy"}},
		{"input as output, symbolic link", []string{"w.npy"}, []string{"link.npy"}},
		{"input as output, chain of links", []string{"w.npy"}, []string{"link2.npy"}},
		{"input as output, linked directory", []string{"w.npy"}, []string{"here/w.npy"}},
		{"input as output, hard link", []string{"w.npy"}, []string{"hard.npy"}},
		{"input through a link as output", []string{"link.npy"}, []string{"w.npy"}},
		{"two outputs, existing file", nil, []string{"w.npy", abs}},
		{"two outputs, new file, same string", nil, []string{"new.npy", "new.npy"}},
		{"two outputs, new file, ./ prefix", nil, []string{"new.npy", "./new.npy"}},
		{"two outputs, new file, absolute and relative", nil, []string{join(dir, "new.npy"), "new.npy"}},
		{"two outputs, new file, through a linked directory", nil, []string{"here/new.npy", "new.npy"}},
		{"two outputs, dangling link and its target", nil, []string{"dangling.npy", "target.npy"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			os.Remove("dangling.npy")
			os.Symlink("target.npy", "dangling.npy")
			defer os.Remove("dangling.npy")
			before := cmdtest.Names(t, dir)
			p := NewPlan()
			defer p.Abort()
			flags := []string{"--out", "--grad", "--hess"}
			for _, in := range c.inputs {
				p.Input("--in", in)
			}
			for i, o := range c.outs {
				p.Output(flags[i], o)
			}
			second := "--in"
			if c.inputs == nil {
				second = "--out"
			}
			last := flags[len(c.outs)-1]
			cmdtest.WantStatus2(t, p.Check(), last, second, "name the same file")
			if after := cmdtest.Names(t, dir); !slices.Equal(after, before) {
				t.Errorf("directory changed: %v, was %v", after, before)
			}
			if got := get(t, "w.npy"); got != "logits" {
				t.Errorf("w.npy holds %q", got)
			}
		})
	}
}

// TestCheckAcceptsDistinctFiles is the other side: different files, a
// link to a different file, the same name in another directory.
func TestCheckAcceptsDistinctFiles(t *testing.T) {
	inTempDir(t, map[string]string{"w.npy": "logits", "t.npy": "targets"})
	os.Mkdir("sub", 0o755)
	os.Symlink("t.npy", "tlink.npy")
	p := NewPlan()
	defer p.Abort()
	p.Input("--logits", "w.npy")
	p.Input("--targets", "tlink.npy")
	p.Output("--out", "sub/w.npy")
	p.Output("--grad", "g.npy")
	p.Output("--hess", "h.npy")
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestCheckRefusesBadDestinations: every destination that cannot take a
// file is refused by Check, before anything is written, with exit status
// 2 and a message naming the flag, the path and the problem.
func TestCheckRefusesBadDestinations(t *testing.T) {
	dir := inTempDir(t, map[string]string{"file": "x"})
	os.Mkdir("d", 0o755)
	os.Symlink("loop1", "loop2")
	os.Symlink("loop2", "loop1")
	os.Symlink("d", "dlink")
	os.Symlink("nowhere/x", "dangling-in-missing")
	sock := join(dir, "sock")
	if l, err := net.Listen("unix", sock); err == nil {
		defer l.Close()
	}
	for _, c := range []struct {
		name, path string
		want       []string
	}{
		{"a directory", "d", []string{"--out d", "is a directory"}},
		{"a link to a directory", "dlink", []string{"--out dlink", "is a directory"}},
		{"a path ending in a separator", "d/", []string{"--out d/", "is a directory"}},
		{"a new name ending in a separator", "new/", []string{"--out new/", "want a file name"}},
		{"a missing directory", "no/out.npy", []string{"--out no/out.npy", "directory no does not exist"}},
		{"a missing nested directory", "no/such/out.npy", []string{"--out no/such/out.npy", "does not exist"}},
		{"a file as directory", "file/out.npy", []string{"--out file/out.npy", "not a directory"}},
		{"a dangling link into a missing directory", "dangling-in-missing", []string{"--out dangling-in-missing", "directory nowhere does not exist"}},
		{"a loop of links", "loop1", []string{"--out loop1", "too many levels of symbolic links"}},
		{"a socket", "sock", []string{"--out sock", "socket"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.path == "sock" && runtime.GOOS == "windows" {
				t.Skip("no Unix sockets")
			}
			before := cmdtest.Names(t, dir)
			p := NewPlan()
			defer p.Abort()
			p.Output("--out", c.path)
			cmdtest.WantStatus2(t, p.Check(), c.want...)
			if after := cmdtest.Names(t, dir); !slices.Equal(after, before) {
				t.Errorf("directory changed: %v, was %v", after, before)
			}
		})
	}
}

// TestCheckRefusesAReadOnlyDirectory: a directory the process may not
// write is refused by Check, for a new file, for a file to replace and for
// a directory output. Root may write anywhere, so as root the test runs
// itself again as the user nobody.
func TestCheckRefusesAReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		rerunAsNobody(t)
		return
	}
	dir := t.TempDir()
	ro := join(dir, "ro")
	os.Mkdir(ro, 0o755)
	put(t, join(ro, "old.npy"), "old")
	os.Chmod(ro, 0o555)
	defer os.Chmod(ro, 0o755)
	for _, path := range []string{join(ro, "new.npy"), join(ro, "old.npy")} {
		p := NewPlan()
		p.Output("--out", path)
		cmdtest.WantStatus2(t, p.Check(), "--out "+path, "directory "+ro+" is not writable", "permission denied")
		p.Abort()
	}
	p := NewPlan()
	p.Dir("--plots", join(ro, "plots"))
	cmdtest.WantStatus2(t, p.Check(), "--plots", "directory "+ro+" is not writable")
	p.Abort()
	if got := cmdtest.Names(t, ro); !slices.Equal(got, []string{"old.npy"}) {
		t.Errorf("read-only directory holds %v", got)
	}
}

// TestCheckedDirectoryOutput: a directory output may exist (its files are
// then checked like any output) or be made with its parents; a file in its
// place is refused.
func TestCheckedDirectoryOutput(t *testing.T) {
	dir := inTempDir(t, map[string]string{"file": "x", "in.csv": "data"})

	p := NewPlan()
	p.Dir("--plots", "file")
	cmdtest.WantStatus2(t, p.Check(), "--plots file", "not a directory")
	p.Abort()

	p = NewPlan()
	p.Dir("--plots", "file/sub")
	cmdtest.WantStatus2(t, p.Check(), "--plots file/sub", "is not a directory")
	p.Abort()

	// A file inside the directory output naming an input.
	p = NewPlan()
	p.Input("--data", "in.csv")
	d := p.Dir("--plots", ".")
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	cmdtest.WantStatus2(t, d.Output("in.csv").Write(text("plot")), "--plots", "--data", "name the same file")
	p.Abort()
	if got := get(t, "in.csv"); got != "data" {
		t.Errorf("in.csv holds %q", got)
	}

	// The same directory output and file output.
	p = NewPlan()
	p.Output("--save", "x")
	p.Dir("--plots", "./x")
	cmdtest.WantStatus2(t, p.Check(), "--plots", "--save", "name the same file")
	p.Abort()
	if got := cmdtest.Names(t, dir); !slices.Equal(got, []string{"file", "in.csv"}) {
		t.Errorf("directory holds %v", got)
	}
}

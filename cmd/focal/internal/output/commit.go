package output

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf8"
)

// rename and link are os.Rename and os.Link; tests replace them to fail a
// chosen step of a commit.
var (
	rename = os.Rename
	link   = os.Link
)

// stage creates o's temporary beside its target and returns it.
func (o *Output) stage() (*os.File, error) {
	// A file that replaces another starts private and gets the old
	// file's mode at Commit; a new one gets 0666 less the umask now, as
	// the kernel applies it.
	perm := fs.FileMode(0o666)
	if o.t.exists() {
		perm = 0o600
	}
	mu.Lock()
	defer mu.Unlock()
	for range 1000 {
		name := hidden(o.t.path, ".tmp")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, o.fail(err)
		}
		o.file, o.tmp = f, name
		o.plan.enterLocked()
		return f, nil
	}
	return nil, o.fail(errors.New("no free temporary name"))
}

// hidden returns an unused-looking hidden name beside path: ".NAME" +
// suffix + a random number, NAME shortened to keep within the 255 bytes a
// file name may have.
func hidden(path, suffix string) string {
	dir, name := filepath.Split(path)
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return dir + "." + name + suffix + strconv.FormatUint(uint64(rand.Uint32()), 10)
}

// finish gives o's temporary the replaced file's mode (and owner), syncs
// it to disk and closes it.
func (o *Output) finish() error {
	f := o.file
	if fi, err := os.Stat(o.t.path); err == nil && fi.Mode().IsRegular() {
		keepOwner(f, fi)
		if err := f.Chmod(fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)); err != nil {
			return o.fail(err)
		}
	}
	if err := f.Sync(); err != nil {
		return o.fail(err)
	}
	if err := f.Close(); err != nil {
		return o.fail(err)
	}
	return nil
}

// writeThrough writes a special output: runs its fill on the opened file,
// or closes the file its Create opened.
func (o *Output) writeThrough() error {
	f := o.file
	if o.fill != nil {
		var err error
		if f, err = os.OpenFile(o.t.path, os.O_WRONLY, 0); err != nil {
			return o.fail(err)
		}
		if err := o.fill(f); err != nil {
			f.Close()
			return o.fail(err)
		}
	}
	if f == nil {
		return nil
	}
	o.file = nil
	if err := f.Close(); err != nil {
		return o.fail(err)
	}
	return nil
}

// swap renames the temporaries of staged over their targets, all or none.
func (p *Plan) swap(staged []*Output) error {
	mu.Lock()
	defer mu.Unlock()
	if p.done {
		// A signal aborted the plan while the outputs were finished.
		return errors.New("output plan aborted")
	}
	// backups[i] keeps staged[i]'s old file until every rename is done.
	// The last rename needs none: if it fails, its target is untouched.
	backups := make([]backup, len(staged))
	for i, o := range staged[:max(len(staged)-1, 0)] {
		if fi, err := os.Lstat(o.t.path); err != nil || fi.IsDir() {
			continue
		}
		b := backup{path: hidden(o.t.path, ".old")}
		if err := link(o.t.path, b.path); err != nil {
			// No hard links here: move the old file aside instead.
			if err := rename(o.t.path, b.path); err != nil {
				p.undo(staged, backups, 0)
				p.abortLocked(true)
				return o.fail(err)
			}
			b.moved = true
		}
		backups[i] = b
	}
	for i, o := range staged {
		if err := rename(o.tmp, o.t.path); err != nil {
			err = o.fail(err)
			if uerr := p.undo(staged, backups, i); uerr != nil {
				err = fmt.Errorf("%w; %w", err, uerr)
			}
			p.abortLocked(true)
			return err
		}
		o.tmp, o.file = "", nil
	}
	for _, b := range backups {
		if b.path != "" {
			os.Remove(b.path)
		}
	}
	syncDirs(staged)
	p.done = true
	p.made = nil
	p.leaveLocked()
	return nil
}

// A backup is a replaced file's old content, kept under a hidden name
// until the commit is done.
type backup struct {
	path  string // "" for none
	moved bool   // the old file itself, renamed aside (else a hard link)
}

// undo puts back the targets of staged after the rename of staged[k]
// failed: those renamed before it get their backup back (or are removed,
// if they are new), and an old file moved aside returns. A backup that
// cannot be put back stays, and the error names it.
func (p *Plan) undo(staged []*Output, backups []backup, k int) error {
	var errs []error
	for i, b := range backups {
		renamed := i < k
		switch {
		case b.path != "" && (renamed || b.moved):
			if err := rename(b.path, staged[i].t.path); err != nil {
				errs = append(errs, fmt.Errorf("%s %s not restored: its old content is in %s (%v)",
					staged[i].flag, staged[i].path, b.path, unwrapPath(err)))
			}
		case b.path != "":
			os.Remove(b.path)
		case renamed:
			os.Remove(staged[i].t.path)
		}
	}
	return errors.Join(errs...)
}

// syncDirs syncs the directories of staged, so that the renames survive a
// crash. It is best effort: not every system can sync a directory.
func syncDirs(staged []*Output) {
	seen := map[string]bool{}
	for _, o := range staged {
		dir := filepath.Dir(o.t.path)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		if d, err := os.Open(dir); err == nil {
			d.Sync()
			d.Close()
		}
	}
}

// abortLocked ends p, removing its temporaries and the directories it
// made; closeFiles closes the files it holds open. mu is held.
func (p *Plan) abortLocked(closeFiles bool) {
	if p.done {
		return
	}
	p.done = true
	for _, o := range p.outputs {
		if closeFiles && o.file != nil {
			o.file.Close()
		}
		if o.tmp != "" {
			os.Remove(o.tmp)
			o.tmp = ""
		}
	}
	for i := len(p.made) - 1; i >= 0; i-- {
		os.Remove(p.made[i]) // only if empty: a file of someone else's stays
	}
	p.made = nil
	p.leaveLocked()
}

package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
)

// checkOutput resolves o and checks that it can be written and that it
// names no input, directory output or other output. It sets o.t and
// o.special.
func (p *Plan) checkOutput(o *Output) error {
	if endsInSeparator(o.path) {
		if st, err := os.Stat(o.path); err == nil && st.IsDir() {
			return badf(o.flag, o.path, "is a directory")
		}
		return badf(o.flag, o.path, "ends in a path separator: want a file name")
	}
	var t target
	if d := o.dir; d != nil && len(d.missing) > 0 {
		// The directory is still to be made: the file is new.
		t = target{path: filepath.Join(d.t.path, filepath.Base(o.path))}
	} else {
		var err error
		if t, err = resolve(o.path); err != nil {
			return badf(o.flag, o.path, "%v", unwrapPath(err))
		}
	}
	special := false
	switch mode := fileMode(t.info); {
	case t.info == nil || mode.IsRegular():
		// Replaced by a rename, or created: the directory takes the
		// temporary (and is not yet made for a directory output).
		if o.dir == nil || len(o.dir.missing) == 0 {
			dir := filepath.Dir(t.path)
			if err := writableDir(dir); err != nil {
				if !t.linked {
					dir = filepath.Dir(o.path) // as the user wrote it
				}
				return badf(o.flag, o.path, "directory %s is not writable (%v)", dir, unwrapPath(err))
			}
		}
	case mode.IsDir():
		return badf(o.flag, o.path, "is a directory")
	case mode&(fs.ModeNamedPipe|fs.ModeDevice) != 0:
		if err := writable(t.path); err != nil {
			return badf(o.flag, o.path, "not writable (%v)", unwrapPath(err))
		}
		special = true
	default:
		return badf(o.flag, o.path, "is a %s; want a regular file, a FIFO or a device", kindOf(mode))
	}
	o.t, o.special, o.checked = t, special, true
	for _, in := range p.inputs {
		if same(t, in.t) {
			return alias(o.flag, o.path, in.flag, in.path)
		}
	}
	for _, d := range p.dirs {
		if d.checked && d != o.dir && same(t, d.t) {
			return alias(o.flag, o.path, d.flag, d.path)
		}
	}
	for _, q := range p.outputs {
		if q != o && q.checked && same(t, q.t) {
			return alias(o.flag, o.path, q.flag, q.path)
		}
	}
	return nil
}

// checkDir resolves d and checks that it is, or can be made, a writable
// directory that names no input or file output. It sets d.t and
// d.missing.
func (p *Plan) checkDir(d *Dir) error {
	path := strings.TrimRightFunc(d.path, func(r rune) bool { return r < 0x80 && os.IsPathSeparator(uint8(r)) })
	if path == "" {
		path = d.path // the root
	}
	abs, err := absolute(path)
	if err != nil {
		return badf(d.flag, d.path, "%v", unwrapPath(err))
	}
	abs = filepath.Clean(abs)
	// Walk up to the nearest existing directory, as os.MkdirAll does.
	var missing []string
	cur := abs
	for {
		st, err := os.Stat(cur)
		if err == nil {
			if !st.IsDir() {
				if cur == abs {
					return badf(d.flag, d.path, "not a directory")
				}
				return badf(d.flag, d.path, "%s is not a directory", cur)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, errNotDir) {
			return badf(d.flag, d.path, "%v", unwrapPath(err))
		}
		if _, lerr := os.Lstat(cur); lerr == nil {
			return badf(d.flag, d.path, "%s is a dangling symbolic link", cur)
		}
		missing = append([]string{cur}, missing...)
		parent := filepath.Dir(cur)
		if parent == cur {
			return badf(d.flag, d.path, "%v", unwrapPath(err))
		}
		cur = parent
	}
	if err := writableDir(cur); err != nil {
		if cur == abs {
			return badf(d.flag, d.path, "directory not writable (%v)", unwrapPath(err))
		}
		return badf(d.flag, d.path, "directory %s is not writable (%v)", cur, unwrapPath(err))
	}
	real, err := filepath.EvalSymlinks(cur)
	if err != nil {
		return badf(d.flag, d.path, "%v", unwrapPath(err))
	}
	d.t = target{path: real}
	if len(missing) == 0 {
		d.t.info, _ = os.Stat(real)
	} else {
		rest, _ := filepath.Rel(cur, abs)
		d.t.path = filepath.Join(real, rest)
	}
	d.missing, d.checked = missing, true
	for _, in := range p.inputs {
		if same(d.t, in.t) {
			return alias(d.flag, d.path, in.flag, in.path)
		}
	}
	for _, q := range p.dirs {
		if q != d && q.checked && same(d.t, q.t) {
			return alias(d.flag, d.path, q.flag, q.path)
		}
	}
	for _, o := range p.outputs {
		if o.checked && same(d.t, o.t) {
			return alias(d.flag, d.path, o.flag, o.path)
		}
	}
	return nil
}

// makeDir creates the missing directories of d.
func (p *Plan) makeDir(d *Dir) error {
	mu.Lock()
	defer mu.Unlock()
	for len(d.missing) > 0 {
		m := d.missing[0]
		if err := os.Mkdir(m, 0o777); err != nil {
			if st, serr := os.Stat(m); serr != nil || !st.IsDir() {
				return badf(d.flag, d.path, "%v", unwrapPath(err))
			}
		} else {
			p.made = append(p.made, m)
			p.enterLocked()
		}
		d.missing = d.missing[1:]
	}
	d.t.info, _ = os.Stat(d.t.path)
	return nil
}

// alias is the error of an output naming the same file as another input
// or output.
func alias(flag, path, otherFlag, otherPath string) error {
	if path == otherPath {
		return exitcode.Input(fmt.Errorf("%s and %s name the same file (%s)", flag, otherFlag, path))
	}
	return exitcode.Input(fmt.Errorf("%s %s and %s %s name the same file", flag, path, otherFlag, otherPath))
}

// fileMode returns the mode of info, 0 for nil.
func fileMode(info os.FileInfo) fs.FileMode {
	if info == nil {
		return 0
	}
	return info.Mode()
}

// kindOf names an irregular file mode for a message.
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	}
	return "special file (" + m.Type().String() + ")"
}

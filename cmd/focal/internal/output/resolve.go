package output

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// A target is what a path names once symbolic links are followed.
type target struct {
	// path is absolute, in a directory without symbolic links; for a
	// special file, the path as given (see resolve).
	path string
	// info is os.Lstat of path, nil if nothing exists there.
	info os.FileInfo
	// linked is set when a symbolic link led to path.
	linked bool
}

// exists reports whether something is at the target.
func (t target) exists() bool { return t.info != nil }

// same reports whether a and b name the same file: os.SameFile when both
// exist, else the same resolved path.
func same(a, b target) bool {
	if a.info != nil && b.info != nil {
		return os.SameFile(a.info, b.info)
	}
	return a.info == nil && b.info == nil && a.path == b.path
}

// maxLinks bounds a chain of symbolic links, as the kernel's ELOOP does.
const maxLinks = 40

var errLoop = errors.New("too many levels of symbolic links")

// errNotDir is what the system says of a path through a file.
var errNotDir error = syscall.ENOTDIR

// dirError says that the directory an output would go into is missing or
// not a directory.
type dirError struct {
	dir string
	err error
}

func (e *dirError) Error() string {
	if errors.Is(e.err, fs.ErrNotExist) {
		return "directory " + e.dir + " does not exist"
	}
	return e.dir + ": " + unwrapPath(e.err).Error()
}

// resolve follows the symbolic links of path to the file they end at, or
// to the name a new file would get; the directory of that name must exist.
//
// A path whose file (links followed) is neither a regular file nor a
// directory is returned as given: FIFOs and devices are opened through
// their links, which also serves the kernel's "magic" links such as
// /dev/stdout that name no path.
func resolve(path string) (target, error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		return target{path: path, info: st}, nil
	}
	p, err := absolute(path)
	if err != nil {
		return target{}, err
	}
	shown := path // the name in messages: as given, then each link's target
	linked := false
	for range maxLinks {
		fi, err := os.Lstat(p)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			if errors.Is(err, errNotDir) {
				return target{}, &dirError{dir: parentOf(shown), err: err}
			}
			return target{}, err
		}
		dir, name := filepath.Split(p)
		real, derr := filepath.EvalSymlinks(dir)
		if derr != nil {
			return target{}, &dirError{dir: parentOf(shown), err: derr}
		}
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t := target{path: filepath.Join(real, name), linked: linked}
			if err == nil {
				t.info = fi
			}
			return t, nil
		}
		link, err := os.Readlink(p)
		if err != nil {
			return target{}, err
		}
		shown, linked = link, true
		if !filepath.IsAbs(link) {
			// Relative to the link's directory as it is on disk: real,
			// without cleaning away a ".." that follows a link.
			link = real + string(filepath.Separator) + link
		}
		p = link
	}
	return target{}, errLoop
}

// resolveInput resolves an input as far as it can: an input that does not
// exist (reading it will say so) keeps the path it would have.
func resolveInput(path string) target {
	t, err := resolve(path)
	if err != nil {
		p, _ := absolute(path)
		t = target{path: filepath.Clean(p)}
	}
	if t.info == nil {
		// A file that exists but cannot be resolved (a permission
		// problem on the way) still compares by identity.
		if st, err := os.Stat(path); err == nil {
			t.info = st
		}
	}
	return t
}

// absolute returns path made absolute against the working directory with
// its links resolved, without cleaning path itself: "a/../b" where a is a
// link is for the kernel to walk, not for filepath.Clean.
func absolute(path string) (string, error) {
	if filepath.IsAbs(path) {
		return path, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	if wd, err = filepath.EvalSymlinks(wd); err != nil {
		return "", err
	}
	return wd + string(filepath.Separator) + path, nil
}

// parentOf returns the directory part of path for a message.
func parentOf(path string) string { return filepath.Dir(path) }

// endsInSeparator reports whether path ends in a path separator: the name
// of a directory.
func endsInSeparator(path string) bool {
	return path != "" && os.IsPathSeparator(path[len(path)-1])
}

// unwrapPath returns the error inside a *fs.PathError or *os.LinkError,
// whose own message repeats the operation and the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

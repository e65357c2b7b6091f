//go:build unix

package output

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const (
	sigTERM = syscall.SIGTERM
	sigHUP  = syscall.SIGHUP
)

// writable reports, as an error, whether the process may write to path.
func writable(path string) error { return unix.Access(path, unix.W_OK) }

// writableDir reports, as an error, whether the process may create and
// rename files in dir.
func writableDir(dir string) error { return unix.Access(dir, unix.W_OK|unix.X_OK) }

// keepOwner gives f the owner and group of the file fi describes, where
// the process may.
func keepOwner(f *os.File, fi os.FileInfo) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		f.Chown(int(st.Uid), int(st.Gid))
	}
}

// reraise ends the process by s, as the signal's default action would
// have: the parent sees the process killed by s.
func reraise(s os.Signal) {
	signal.Reset(s)
	if n, ok := s.(syscall.Signal); ok {
		syscall.Kill(syscall.Getpid(), n)
		time.Sleep(time.Second) // the signal ends the process meanwhile
		os.Exit(128 + int(n))
	}
	os.Exit(1)
}

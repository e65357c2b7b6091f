//go:build !unix

package output

import (
	"os"
	"syscall"
)

const (
	sigTERM = syscall.SIGTERM
	sigHUP  = syscall.SIGHUP
)

// writable is left to the write itself where access(2) is missing.
func writable(string) error { return nil }

// writableDir is left to the write itself where access(2) is missing.
func writableDir(string) error { return nil }

// keepOwner does nothing where files have no Unix owner.
func keepOwner(*os.File, os.FileInfo) {}

// reraise ends the process with the status a shell gives a signal.
func reraise(s os.Signal) {
	if n, ok := s.(syscall.Signal); ok {
		os.Exit(128 + int(n))
	}
	os.Exit(1)
}

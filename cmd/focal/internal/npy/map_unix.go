//go:build unix

package npy

import "syscall"

// mapFile maps size bytes of the file at fd read-only, or returns nil.
func mapFile(fd uintptr, size int64) []byte {
	if size <= 0 || int64(int(size)) != size {
		return nil
	}
	m, err := syscall.Mmap(int(fd), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	syscall.Madvise(m, syscall.MADV_SEQUENTIAL)
	return m
}

// dropPages lets the system take the pages of m, a whole number of pages
// of a mapping, out of the process's memory; they stay in the page cache.
func dropPages(m []byte) { syscall.Madvise(m, syscall.MADV_DONTNEED) }

func unmap(m []byte) { syscall.Munmap(m) }

// Package infile opens the files the command reads (data, arrays, models)
// so that every error starts with the path the user gave.
package infile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Open opens the file at path for reading. Its errors start with the path
// ("PATH: no such file or directory", not "open PATH: …"), and a directory
// is refused as not being want ("a data file", "an .npy file"). size is the
// file's size when it is a regular file, else -1: a pipe, a FIFO or a
// process substitution, whose length is known only once it has been read.
func Open(path, want string) (f *os.File, size int64, err error) {
	f, err = os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, 0, fmt.Errorf("%s: %w", path, pe.Err)
		}
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	if st.IsDir() {
		f.Close()
		return nil, 0, fmt.Errorf("%s: is a directory, want %s", path, want)
	}
	size = -1
	if st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, nil
}

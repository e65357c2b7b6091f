package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"github.com/focalgo/focal/cmd/focal/internal/infile"
	"github.com/focalgo/focal/cmd/focal/internal/quote"
)

// source is an open data file: its bytes, decompressed when the file is
// gzip-compressed, read once from the start. Opening the file once (rather
// than once to tell its format and again to read it) is what lets a pipe,
// which can be read only once, be a data file.
type source struct {
	path string
	r    *bufio.Reader
	// size is the number of bytes r holds, or -1 when unknown: a
	// compressed file, a pipe, a FIFO, a process substitution.
	size    int64
	gzipped bool
	close   func() error
}

// openSource opens path. Its errors start with the path, so that a caller
// can put the flag that named the file in front of them.
func openSource(path string) (*source, error) {
	f, size, err := infile.Open(path, "a data file")
	if err != nil {
		return nil, err
	}
	s := &source{path: path, r: bufio.NewReader(f), size: size, close: f.Close}
	if m, _ := s.r.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		z, err := gzip.NewReader(s.r)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w: gzip-compressed, but %v", path, ErrFormat, err)
		}
		s.r, s.size, s.gzipped = bufio.NewReader(z), -1, true
	}
	return s, nil
}

// sniffLen is how many bytes sniff looks at.
const sniffLen = 512

// sniff tells the format of s from its first bytes without consuming them:
// the NumPy magic "\x93NUMPY", an IDX header (0 0 type ndim), else CSV. A
// file that is none of them (an empty file, binary data) is an error that
// says so, rather than a CSV file that has no label column.
func (s *source) sniff() (Format, error) {
	head, err := s.r.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, s.readError(err)
	}
	const magic = "\x93NUMPY"
	switch n := min(len(head), len(magic)); {
	case len(head) == 0:
		return 0, fmt.Errorf("%s: %w: empty file", s.path, ErrEmpty)
	case string(head[:n]) == magic[:n]:
		return NPY, nil // a truncated magic too: the .npy reader says so
	case len(head) >= 2 && head[0] == 0 && head[1] == 0:
		return IDX, nil
	case isBinary(head):
		return 0, fmt.Errorf("%s: %w: not a CSV, .npy or IDX file (it starts with %s)",
			s.path, ErrFormat, quote.Clip(string(head[:min(len(head), 16)])))
	}
	return CSV, nil
}

// readError names the file, and says when a read failed because the
// gzip data is corrupt.
func (s *source) readError(err error) error {
	if s.gzipped {
		return fmt.Errorf("%s: %w: corrupt or truncated gzip data (%v)", s.path, ErrFormat, err)
	}
	return fmt.Errorf("%s: %w", s.path, err)
}

// isBinary reports whether head looks like binary data rather than text:
// it holds a NUL byte, or more than one in twenty of its bytes are control
// characters other than tab, newline, carriage return and form feed. Text
// in a legacy encoding (Latin-1) is still text.
func isBinary(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, c := range head {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f {
			ctl++
		}
	}
	return ctl*20 > len(head)
}

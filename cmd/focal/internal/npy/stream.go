package npy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync/atomic"
	"unsafe"

	"github.com/focalgo/focal/cmd/focal/internal/infile"
)

// A Stream reads the data of an .npy file in order, a piece at a time, so
// that an array larger than memory can be processed in bounded memory. Its
// methods are not safe for concurrent use; Decode is.
type Stream struct {
	// Shape, Dtype and Fortran are the header's: Dtype is NumPy's kind and
	// size without the byte order ("f4", "u1", …); a Fortran-order array's
	// data is in column-major order.
	Shape   []int
	Dtype   string
	Fortran bool

	path  string
	descr string // the dtype as the header gives it
	dt    dtype
	f     *os.File
	n     int   // elements in all
	read  int64 // data bytes read so far
	// data is where the data comes from: f at the data offset, or the
	// spool after a Rewind of a stream.
	data    io.Reader
	regular bool  // f is a regular file (can seek)
	off     int64 // the data offset in f
	// spool keeps the bytes read from a stream since Spool, so that Rewind
	// can read them again; spooled is set once it is the source.
	spool   *os.File
	spooled bool
	// m maps the file when Map succeeded; released is the offset in it
	// below which Release gave the pages back.
	m        []byte
	released atomic.Int64
}

// Open opens the .npy file at path and reads its header; the data is read
// by Read. A regular file whose size is short of what the header announces
// is refused here; a pipe, a FIFO or a process substitution is read as a
// stream, and Read says so if it ends early. Errors name the path and wrap
// ErrFormat or ErrDtype, as Read's do.
func Open(path string) (*Stream, error) {
	f, size, err := infile.Open(path, "an .npy file")
	if err != nil {
		return nil, err
	}
	s, err := open(f, path, size)
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func open(f *os.File, path string, size int64) (*Stream, error) {
	h, hlen, err := readHeader(f, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dt, err := parseDtype(h.descr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	n := 1
	for _, d := range h.shape {
		n *= d // shapeOf bounds the product
	}
	if need := int64(n) * int64(dt.size); size >= 0 && size-hlen < need {
		return nil, fmt.Errorf("%s: %w: data truncated: shape %v of %s needs %d bytes, the file has %d after the header",
			path, ErrFormat, h.shape, h.descr, need, max(size-hlen, 0))
	}
	return &Stream{Shape: h.shape, Dtype: dt.name, Fortran: h.fortran && len(h.shape) > 1,
		path: path, descr: h.descr, dt: dt, f: f, n: n, data: f, regular: size >= 0, off: hlen}, nil
}

// Len returns the number of elements, the product of Shape.
func (s *Stream) Len() int { return s.n }

// ElemSize returns the size of one element in bytes.
func (s *Stream) ElemSize() int { return s.dt.size }

// Read reads the next len(raw)/ElemSize() elements' bytes into raw, as
// they are in the file. Reading past the end, or a stream that ends before
// the header's shape is complete, is an error naming the path.
func (s *Stream) Read(raw []byte) error {
	if len(raw)%s.dt.size != 0 {
		return fmt.Errorf("%s: read of %d bytes, not a whole number of %d-byte elements", s.path, len(raw), s.dt.size)
	}
	need := int64(s.n) * int64(s.dt.size)
	if s.read+int64(len(raw)) > need {
		return fmt.Errorf("%s: read past the last of %d elements", s.path, s.n)
	}
	k, err := io.ReadFull(s.data, raw)
	s.read += int64(k)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			if s.regular {
				return fmt.Errorf("%s: %w: data truncated: the file ended after %d of the %d bytes its header announces (changed while being read?)",
					s.path, ErrFormat, s.read, need)
			}
			return fmt.Errorf("%s: %w: data truncated: shape %v of %s needs %d bytes, the stream ended after %d",
				s.path, ErrFormat, s.Shape, s.descr, need, s.read)
		}
		return fmt.Errorf("%s: %w: reading the data: %v", s.path, ErrFormat, err)
	}
	if s.spool != nil && !s.spooled {
		if _, err := s.spool.Write(raw); err != nil {
			return fmt.Errorf("%s: keeping a copy of the stream to read it again: %v", s.path, err)
		}
	}
	return nil
}

// Map maps a regular file's data into memory, read-only, so that Next
// returns views of it instead of copies, and reports whether it did. It
// maps nothing on systems without mmap, for data that is not aligned for
// its elements, or when the address space is too small.
//
// A file that shrinks while mapped makes reading the pages past its new end
// a memory fault: the goroutines that touch the views should run with
// debug.SetPanicOnFault and recover, and ask Holds which file it was.
func (s *Stream) Map() bool {
	if s.m != nil {
		return true
	}
	if !s.regular || s.read != 0 || s.off%8 != 0 || s.n == 0 {
		return false
	}
	s.m = mapFile(s.f.Fd(), s.off+int64(s.n)*int64(s.dt.size))
	s.released.Store(0)
	return s.m != nil
}

// Next returns the next n bytes of data: a view of the mapped file (see
// Map), valid until Release passes it or Close, or else buf[:n] filled by
// Read.
func (s *Stream) Next(buf []byte, n int) ([]byte, error) {
	if s.m == nil {
		return buf[:n], s.Read(buf[:n])
	}
	if n%s.dt.size != 0 || s.read+int64(n) > int64(s.n)*int64(s.dt.size) {
		return nil, fmt.Errorf("%s: read of %d bytes past the data or not of whole elements", s.path, n)
	}
	start := s.off + s.read
	s.read += int64(n)
	return s.m[start : start+int64(n)], nil
}

// Release gives the mapped pages of the data before byte upto (counted
// from the first element) back to the system: the process's memory stays
// bounded however large the file. It may run concurrently with Next, and
// does nothing for a stream that is not mapped.
func (s *Stream) Release(upto int64) {
	if s.m == nil {
		return
	}
	page := int64(os.Getpagesize())
	end := min((s.off+upto)/page*page, int64(len(s.m)))
	if start := s.released.Load(); end > start {
		dropPages(s.m[start:end])
		s.released.Store(end)
	}
}

// Holds reports whether addr is inside the stream's mapping: whether a
// memory fault there was this file's.
func (s *Stream) Holds(addr uintptr) bool {
	if len(s.m) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(&s.m[0]))
	return addr >= lo && addr < lo+uintptr(len(s.m))
}

// Spool makes a stream that is not a regular file keep a copy of the data
// Read reads from now on, in an unnamed temporary file (gone when the
// stream is closed or the process ends), so that Rewind can read it again.
// A regular file needs none: Spool does nothing for it. Call it before the
// first Read.
func (s *Stream) Spool() error {
	if s.regular || s.spool != nil {
		return nil
	}
	if s.read != 0 {
		return fmt.Errorf("%s: spool after data was read", s.path)
	}
	t, err := os.CreateTemp("", "focal-spool-*")
	if err != nil {
		return fmt.Errorf("%s: keeping a copy of the stream to read it again: %w", s.path, err)
	}
	os.Remove(t.Name()) // unnamed from now on: nothing to clean up
	s.spool = t
	return nil
}

// Rewind starts the data over: the next Read reads the first element. A
// stream must have been spooled (Spool) from its start.
func (s *Stream) Rewind() error {
	switch {
	case s.m != nil:
		s.released.Store(0) // dropped pages come back from the page cache
	case s.regular:
		if _, err := s.f.Seek(s.off, io.SeekStart); err != nil {
			return fmt.Errorf("%s: %w", s.path, err)
		}
	case s.spool != nil:
		if s.read != int64(s.n)*int64(s.dt.size) && !s.spooled {
			// The rest must be in the spool too, for a later pass to end.
			if _, err := io.Copy(s.spool, io.LimitReader(s.f, int64(s.n)*int64(s.dt.size)-s.read)); err != nil {
				return fmt.Errorf("%s: keeping a copy of the stream to read it again: %v", s.path, err)
			}
		}
		if _, err := s.spool.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("%s: %w", s.path, err)
		}
		s.data, s.spooled = s.spool, true
	default:
		return fmt.Errorf("%s: a stream cannot be read twice without Spool", s.path)
	}
	s.read = 0
	return nil
}

// ReadAll reads the whole array, which no Read may have started, into
// memory, in C order whatever the file's order.
func (s *Stream) ReadAll() (*Array, error) {
	if s.read != 0 {
		return nil, fmt.Errorf("%s: ReadAll after Read", s.path)
	}
	need := int64(s.n) * int64(s.dt.size)
	var data []byte
	if s.regular {
		data = make([]byte, need)
		if err := s.Read(data); err != nil {
			return nil, err
		}
	} else {
		// A stream is read as it comes, so that a corrupt header costs only
		// the bytes actually sent.
		var err error
		if data, err = io.ReadAll(io.LimitReader(s.data, need)); err != nil {
			return nil, fmt.Errorf("%s: %w: reading the data: %v", s.path, ErrFormat, err)
		}
		if s.read = int64(len(data)); s.read < need {
			return nil, fmt.Errorf("%s: %w: data truncated: shape %v of %s needs %d bytes, the stream ended after %d",
				s.path, ErrFormat, s.Shape, s.descr, need, len(data))
		}
	}
	a, err := arrayOf(header{descr: s.dt.name, fortran: s.Fortran, shape: s.Shape}, s.dt, data, s.n)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	return a, nil
}

// Close closes the file and drops the spool.
func (s *Stream) Close() error {
	if s.spool != nil {
		s.spool.Close()
	}
	if s.m != nil {
		unmap(s.m)
		s.m = nil
	}
	return s.f.Close()
}

// Native reports whether the stream's raw bytes are the in-memory layout
// of dtype ("f4" for float32, "f8" for float64) on this machine, so that
// they can be used without decoding.
func (s *Stream) Native(dtype string) bool {
	return s.dt.name == dtype && (s.dt.size == 1 || s.dt.order == binary.NativeEndian || s.dt.order == nativeOrder())
}

// nativeOrder is this machine's byte order as LittleEndian or BigEndian.
func nativeOrder() binary.ByteOrder {
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// Elements reinterprets raw, bytes of E in this machine's layout whose
// address is aligned for E, as a []E without copying.
func Elements[E float32 | float64](raw []byte) []E {
	if len(raw) == 0 {
		return nil
	}
	var zero E
	return unsafe.Slice((*E)(unsafe.Pointer(&raw[0])), len(raw)/int(unsafe.Sizeof(zero)))
}

// Bytes is the inverse of Elements: the memory of v as bytes.
func Bytes[E float32 | float64](v []E) []byte {
	if len(v) == 0 {
		return nil
	}
	var zero E
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(zero)))
}

// Decode converts the elements in raw, as Read gave them, to E in dst (as
// long as raw has elements) with Go's conversion: booleans are 0 and 1. first
// is the index of raw's first element in the array, for the error about a
// uint64 above 2⁶³−1, which ReadFrom refuses too. Decoding a float dtype to
// int64 is an error.
func Decode[E float32 | float64 | int64](s *Stream, dst []E, raw []byte, first int) error {
	var zero E
	if _, isInt := any(zero).(int64); isInt && (s.dt.name == "f4" || s.dt.name == "f8") {
		return fmt.Errorf("%s: dtype %s does not decode to integers", s.path, s.dt.name)
	}
	if i, v := convert(s.dt, dst[:len(raw)/s.dt.size], raw); i >= 0 {
		return fmt.Errorf("%s: element %d = %d does not fit int64", s.path, first+i, v)
	}
	return nil
}

// convert sets dst to the len(dst) elements of dtype dt in raw, converted
// with Go's conversion (booleans are 0 and 1). It stops at a uint64 above
// 2⁶³−1 and returns its index and value; else -1.
func convert[E float32 | float64 | int64](dt dtype, dst []E, raw []byte) (int, uint64) {
	o := dt.order
	switch dt.name {
	case "f4":
		for i := range dst {
			dst[i] = E(math.Float32frombits(o.Uint32(raw[4*i:])))
		}
	case "f8":
		for i := range dst {
			dst[i] = E(math.Float64frombits(o.Uint64(raw[8*i:])))
		}
	case "b1":
		for i := range dst {
			dst[i] = 0
			if raw[i] != 0 { // NumPy reads any non-zero byte as True
				dst[i] = 1
			}
		}
	case "u1":
		for i := range dst {
			dst[i] = E(raw[i])
		}
	case "i1":
		for i := range dst {
			dst[i] = E(int8(raw[i]))
		}
	case "i2":
		for i := range dst {
			dst[i] = E(int16(o.Uint16(raw[2*i:])))
		}
	case "u2":
		for i := range dst {
			dst[i] = E(o.Uint16(raw[2*i:]))
		}
	case "i4":
		for i := range dst {
			dst[i] = E(int32(o.Uint32(raw[4*i:])))
		}
	case "u4":
		for i := range dst {
			dst[i] = E(o.Uint32(raw[4*i:]))
		}
	case "i8":
		for i := range dst {
			dst[i] = E(int64(o.Uint64(raw[8*i:])))
		}
	case "u8":
		for i := range dst {
			v := o.Uint64(raw[8*i:])
			if v > math.MaxInt64 {
				return i, v
			}
			dst[i] = E(int64(v))
		}
	}
	return -1, 0
}

package npy

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/focalgo/focal/cmd/focal/internal/infile"
	"github.com/focalgo/focal/cmd/focal/internal/quote"
)

// ErrDtype reports an .npy array whose dtype is not float32, float64, bool
// or an integer.
var ErrDtype = errors.New("unsupported dtype")

// magic starts every .npy file (NEP 1).
const magic = "\x93NUMPY"

// maxHeader bounds the header length. NumPy itself refuses headers over
// 10000 bytes unless told otherwise; a length beyond this one is a corrupt
// file, and must not cost the allocation it claims.
const maxHeader = 1 << 20

// Read reads the .npy file at path. Errors name the path.
//
// A path that is not a regular file (a pipe, a FIFO, a process
// substitution, /dev/stdin) is read as a stream, up to the bytes its header
// announces.
func Read(path string) (*Array, error) {
	f, size, err := infile.Open(path, "an .npy file")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := ReadFrom(bufio.NewReader(f), size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// ReadFrom reads one .npy array from r, which holds size bytes in all, or
// an unknown number when size < 0 (a stream: it then reads no more than the
// header announces). Bytes after the data are ignored, as NumPy does.
// Errors wrap ErrFormat or ErrDtype and say what is wrong with the bytes;
// nothing in them panics.
func ReadFrom(r io.Reader, size int64) (*Array, error) {
	h, hlen, err := readHeader(r, size)
	if err != nil {
		return nil, err
	}
	dt, err := parseDtype(h.descr)
	if err != nil {
		return nil, err
	}
	n := 1
	for _, d := range h.shape {
		n *= d // shapeOf bounds the product
	}
	need := int64(n) * int64(dt.size)
	var data []byte
	if size >= 0 {
		// A regular file says up front whether the data is all there: a
		// header claiming more than the file holds costs nothing.
		if have := size - hlen; have < need {
			return nil, fmt.Errorf("%w: data truncated: shape %v of %s needs %d bytes, the file has %d after the header",
				ErrFormat, h.shape, h.descr, need, max(have, 0))
		}
		data = make([]byte, need)
		if _, err := io.ReadFull(r, data); err != nil {
			return nil, fmt.Errorf("%w: reading the data: %v", ErrFormat, err)
		}
	} else {
		// A stream is read as it comes, so that a corrupt header costs only
		// the bytes actually sent.
		if data, err = io.ReadAll(io.LimitReader(r, need)); err != nil {
			return nil, fmt.Errorf("%w: reading the data: %v", ErrFormat, err)
		}
		if int64(len(data)) < need {
			return nil, fmt.Errorf("%w: data truncated: shape %v of %s needs %d bytes, the stream ended after %d",
				ErrFormat, h.shape, h.descr, need, len(data))
		}
	}
	return arrayOf(h, dt, data, n)
}

// arrayOf decodes the n elements of data, the data of an array with header
// h and dtype dt, into an Array in C order.
func arrayOf(h header, dt dtype, data []byte, n int) (*Array, error) {
	a := &Array{Shape: h.shape, Dtype: dt.name}
	if err := dt.decode(a, data, n); err != nil {
		return nil, err
	}
	if h.fortran && len(a.Shape) > 1 {
		perm := fortranToC(a.Shape)
		switch {
		case a.F32 != nil:
			a.F32 = permute(a.F32, perm)
		case a.F64 != nil:
			a.F64 = permute(a.F64, perm)
		case a.Int != nil:
			a.Int = permute(a.Int, perm)
		case a.Bool != nil:
			a.Bool = permute(a.Bool, perm)
		}
	}
	return a, nil
}

// readHeader reads the magic, the version, the header length and the
// header dictionary, and returns the dictionary and the length of all that
// (the offset of the data).
func readHeader(r io.Reader, size int64) (header, int64, error) {
	var pre [10]byte // magic (6), version (2), header length (2 in version 1)
	n, err := io.ReadFull(r, pre[:8])
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return header{}, 0, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	got := string(pre[:n])
	switch {
	case n == 0:
		return header{}, 0, fmt.Errorf("%w: empty file", ErrFormat)
	case len(got) >= len(magic) && got[:len(magic)] != magic,
		len(got) < len(magic) && got != magic[:len(got)]:
		return header{}, 0, fmt.Errorf("%w: it starts with %s, not the .npy magic %q",
			ErrFormat, quote.Clip(got), magic)
	case n < 8:
		return header{}, 0, fmt.Errorf("%w: truncated: the file ends after %d bytes, inside the preamble", ErrFormat, n)
	}
	major, minor := pre[6], pre[7]
	var lenBytes int
	switch major {
	case 1:
		lenBytes = 2
	case 2, 3:
		lenBytes = 4
	default:
		return header{}, 0, fmt.Errorf("%w: format version %d.%d (want 1.0, 2.0 or 3.0)", ErrFormat, major, minor)
	}
	lb := make([]byte, lenBytes)
	if _, err := io.ReadFull(r, lb); err != nil {
		return header{}, 0, fmt.Errorf("%w: truncated: the file ends inside the header length", ErrFormat)
	}
	var hlen int64
	if lenBytes == 2 {
		hlen = int64(binary.LittleEndian.Uint16(lb))
	} else {
		hlen = int64(binary.LittleEndian.Uint32(lb))
	}
	off := int64(8 + lenBytes)
	if size >= 0 && off+hlen > size {
		return header{}, 0, fmt.Errorf("%w: truncated: the header length is %d bytes, the file has %d after the preamble",
			ErrFormat, hlen, size-off)
	}
	if hlen > maxHeader {
		return header{}, 0, fmt.Errorf("%w: header length %d: over the %d bytes any real header takes", ErrFormat, hlen, maxHeader)
	}
	hb, err := io.ReadAll(io.LimitReader(r, hlen))
	if err != nil {
		return header{}, 0, fmt.Errorf("%w: reading the header: %v", ErrFormat, err)
	}
	if int64(len(hb)) < hlen {
		return header{}, 0, fmt.Errorf("%w: truncated: the header length is %d bytes, the stream ended after %d",
			ErrFormat, hlen, len(hb))
	}
	// Version 1 and 2 headers are Latin-1, version 3 UTF-8; a dictionary
	// NumPy wrote is ASCII either way, and bytes outside it can only be
	// inside a string, where they do no harm to parsing.
	if major == 3 && !utf8.Valid(hb) {
		return header{}, 0, fmt.Errorf("%w: header: not UTF-8, as version 3 requires", ErrFormat)
	}
	if i := bytes.IndexByte(hb, 0); i >= 0 {
		return header{}, 0, fmt.Errorf("%w: header: a NUL byte at byte %d", ErrFormat, i)
	}
	h, err := parseHeader(string(hb))
	if err != nil {
		return header{}, 0, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return h, off + hlen, nil
}

// dtype is a supported element type.
type dtype struct {
	name  string // kind and size: "f4", "i8", "b1", …
	size  int
	order binary.ByteOrder
}

// parseDtype parses a dtype description such as "<f4": an optional byte
// order ('<' little, '>' big, '=' native, '|' not applicable), a kind and
// a size in bytes.
func parseDtype(descr string) (dtype, error) {
	unsupported := fmt.Errorf("%w %s (want float32, float64, bool or an integer dtype)", ErrDtype, quote.Clip(descr))
	s := descr
	var order binary.ByteOrder = binary.LittleEndian
	if s != "" {
		switch s[0] {
		case '<':
			s = s[1:]
		case '>':
			s, order = s[1:], binary.BigEndian
		case '=':
			s, order = s[1:], binary.NativeEndian
		case '|':
			s = s[1:]
		}
	}
	if len(s) < 2 {
		if s == "" {
			return dtype{}, fmt.Errorf("%w: dtype %s is empty", ErrFormat, quote.Clip(descr))
		}
		return dtype{}, unsupported
	}
	size, err := strconv.Atoi(s[1:])
	if err != nil {
		return dtype{}, unsupported
	}
	switch s {
	case "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1":
	default:
		return dtype{}, unsupported
	}
	if descr[0] == '|' && size > 1 {
		// '|' is for single bytes; a wider type needs its byte order.
		return dtype{}, fmt.Errorf("%w: dtype %s: '|' (no byte order) for %d-byte elements", ErrFormat, quote.Clip(descr), size)
	}
	return dtype{name: s, size: size, order: order}, nil
}

// decode fills the field of a that holds dt from the n elements in data.
func (dt dtype) decode(a *Array, data []byte, n int) error {
	switch dt.name {
	case "f4":
		a.F32 = make([]float32, n)
		convert(dt, a.F32, data)
	case "f8":
		a.F64 = make([]float64, n)
		convert(dt, a.F64, data)
	case "b1":
		a.Bool = make([]bool, n)
		for i := range a.Bool {
			a.Bool[i] = data[i] != 0 // NumPy reads any non-zero byte as True
		}
	default:
		a.Int = make([]int64, n)
		if i, v := convert(dt, a.Int, data); i >= 0 {
			return fmt.Errorf("element %d = %d does not fit int64", i, v)
		}
	}
	return nil
}

// fortranToC returns, for each element k in Fortran order, its C-order index.
func fortranToC(shape []int) []int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	perm := make([]int, n)
	idx := make([]int, len(shape))
	for k := range perm {
		c, stride := 0, 1
		for d := len(shape) - 1; d >= 0; d-- {
			c += idx[d] * stride
			stride *= shape[d]
		}
		perm[k] = c
		for d := range shape {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return perm
}

func permute[T any](v []T, perm []int) []T {
	out := make([]T, len(v))
	for k, c := range perm {
		out[c] = v[k]
	}
	return out
}

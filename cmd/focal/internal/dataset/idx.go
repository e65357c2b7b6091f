package dataset

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// ReadIDX reads an IDX images file (MNIST, Fashion-MNIST: [N, rows, cols],
// flattened to F = rows·cols features) and an IDX labels file [N] or [N, 1] (when
// labelsPath is "", the one the MNIST naming gives). Either may be
// gzip-compressed.
func ReadIDX(imagesPath, labelsPath string) (*Set, error) {
	return readFile(imagesPath, func(src *source) (*Set, error) { return arrayFormats[IDX].pair(src, labelsPath) })
}

// idxLabels names the labels file of an images file by the MNIST naming.
func idxLabels(images string) (string, error) {
	if p := idxLabelsPath(images); p != "" {
		return p, nil
	}
	return "", fmt.Errorf("%s: cannot guess the IDX labels file: pass IMAGES,LABELS", images)
}

// readIDX reads an IDX file (magic 0 0 type ndim, big-endian uint32
// dimensions, then the data in C order) as float64.
func readIDX(src *source) (array, error) {
	path, r := src.path, src.r
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return array{}, fmt.Errorf("%s: %w: too short for an IDX header", path, ErrFormat)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return array{}, fmt.Errorf("%s: %w: not an IDX file (it starts with % x, want 00 00 TYPE NDIM)", path, ErrFormat, magic)
	}
	if magic[3] == 0 {
		return array{}, fmt.Errorf("%s: %w: IDX header of 0 dimensions", path, ErrFormat)
	}
	size := map[byte]int{0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}[magic[2]]
	if size == 0 {
		return array{}, fmt.Errorf("%s: %w: unknown IDX element type 0x%02x", path, ErrFormat, magic[2])
	}
	shape := make([]int, magic[3])
	n := 1
	for i := range shape {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return array{}, fmt.Errorf("%s: %w: truncated IDX header", path, ErrFormat)
		}
		shape[i] = int(d)
		n *= int(d)
		if n > 1<<31 {
			return array{}, fmt.Errorf("%s: %w: shape %v is too large", path, ErrFormat, shape)
		}
	}
	if n == 0 {
		return array{}, fmt.Errorf("%s: %w: shape %v", path, ErrEmpty, shape)
	}
	// Read what is there rather than allocating what the header claims: a
	// corrupt header must not cost gigabytes.
	buf, err := io.ReadAll(io.LimitReader(r, int64(n*size)))
	if err != nil {
		return array{}, src.readError(err)
	}
	if len(buf) < n*size {
		return array{}, fmt.Errorf("%s: %w: %d bytes of data, shape %v needs %d", path, ErrFormat, len(buf), shape, n*size)
	}
	out := make([]float64, n)
	be := binary.BigEndian
	for i := range out {
		b := buf[i*size:]
		switch magic[2] {
		case 0x08:
			out[i] = float64(b[0])
		case 0x09:
			out[i] = float64(int8(b[0]))
		case 0x0B:
			out[i] = float64(int16(be.Uint16(b)))
		case 0x0C:
			out[i] = float64(int32(be.Uint32(b)))
		case 0x0D:
			out[i] = float64(math.Float32frombits(be.Uint32(b)))
		case 0x0E:
			out[i] = math.Float64frombits(be.Uint64(b))
		}
	}
	return array{out, shape}, nil
}

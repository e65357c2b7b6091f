package focal_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// npyArray is a little-endian, C-order .npy array, read as float64.
type npyArray struct {
	dtype string // "<f4", "<f8", "<i8"
	shape []int
	data  []float64
}

var npyHeader = regexp.MustCompile(`'descr':\s*'([^']+)'.*'fortran_order':\s*(\w+).*'shape':\s*\(([^)]*)\)`)

// readNpy reads the subset of the .npy format the golden files use; the
// project's command reads .npy with a real library, the core tests only
// need this.
func readNpy(path string) (npyArray, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return npyArray{}, err
	}
	if !bytes.HasPrefix(b, []byte("\x93NUMPY")) {
		return npyArray{}, fmt.Errorf("%s: not .npy", path)
	}
	var hlen, off int
	if b[6] == 1 {
		hlen, off = int(binary.LittleEndian.Uint16(b[8:])), 10
	} else {
		hlen, off = int(binary.LittleEndian.Uint32(b[8:])), 12
	}
	m := npyHeader.FindStringSubmatch(string(b[off : off+hlen]))
	if m == nil || m[2] != "False" {
		return npyArray{}, fmt.Errorf("%s: unsupported header", path)
	}
	a := npyArray{dtype: m[1]}
	for _, f := range strings.Split(m[3], ",") {
		if f = strings.TrimSpace(f); f != "" {
			d, _ := strconv.Atoi(f)
			a.shape = append(a.shape, d)
		}
	}
	raw := b[off+hlen:]
	switch a.dtype {
	case "<f4":
		for i := 0; i+4 <= len(raw); i += 4 {
			a.data = append(a.data, float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[i:]))))
		}
	case "<f8":
		for i := 0; i+8 <= len(raw); i += 8 {
			a.data = append(a.data, math.Float64frombits(binary.LittleEndian.Uint64(raw[i:])))
		}
	case "<i8":
		for i := 0; i+8 <= len(raw); i += 8 {
			a.data = append(a.data, float64(int64(binary.LittleEndian.Uint64(raw[i:]))))
		}
	default:
		return npyArray{}, fmt.Errorf("%s: dtype %s", path, a.dtype)
	}
	return a, nil
}

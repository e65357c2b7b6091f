package demo

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeIDX writes an IDX file of unsigned bytes, gzipped when gz.
func writeIDX(t *testing.T, path string, magic uint32, dims []uint32, data []byte, gz bool) {
	t.Helper()
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(data)
	raw := b.Bytes()
	if gz {
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		w.Write(raw)
		w.Close()
		raw, path = z.Bytes(), path+".gz"
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadFashionReadsIDX(t *testing.T) {
	for _, gz := range []bool{false, true} {
		dir := t.TempDir()
		img := make([]byte, 2*4*4)
		img[4*4+5] = 200 // item 1, row 1, col 1
		writeIDX(t, filepath.Join(dir, "train-images-idx3-ubyte"), 0x0803, []uint32{2, 4, 4}, img, gz)
		writeIDX(t, filepath.Join(dir, "train-labels-idx1-ubyte"), 0x0801, []uint32{2}, []byte{3, 9}, gz)
		it, err := LoadFashion(dir)
		if err != nil {
			t.Fatalf("gz=%v: %v", gz, err)
		}
		if it.Count != 2 || it.Rows != 4 || it.Cols != 4 || it.Images[21] != 200 || it.Labels[1] != 9 {
			t.Errorf("gz=%v: read %+v", gz, it)
		}
	}
}

func TestLoadFashionRejectsBadFiles(t *testing.T) {
	cases := []struct {
		name   string
		magic  uint32
		dims   []uint32
		data   []byte
		labels []byte
		want   string
	}{
		{"wrong magic", 0x0903, []uint32{1, 2, 2}, make([]byte, 4), []byte{0}, "IDX magic"},
		{"truncated data", 0x0803, []uint32{1, 2, 2}, make([]byte, 3), []byte{0}, "reading 4 bytes"},
		{"label count mismatch", 0x0803, []uint32{1, 2, 2}, make([]byte, 4), []byte{0, 1}, "1 images but 2 labels"},
		{"label out of range", 0x0803, []uint32{1, 2, 2}, make([]byte, 4), []byte{10}, "label 10"},
		{"zero dimension", 0x0803, []uint32{0, 2, 2}, nil, []byte{0}, "dimension 0"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		writeIDX(t, filepath.Join(dir, "train-images-idx3-ubyte"), c.magic, c.dims, c.data, false)
		writeIDX(t, filepath.Join(dir, "train-labels-idx1-ubyte"), 0x0801, []uint32{uint32(len(c.labels))}, c.labels, false)
		if _, err := LoadFashion(dir); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := LoadFashion(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("empty directory: %v, want fs.ErrNotExist (the demo falls back to shapes)", err)
	}
}

func TestFashionMaskHasRequestedExtent(t *testing.T) {
	items, err := fashionOnce()
	if err != nil {
		t.Skipf("Fashion-MNIST not installed: %v", err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for ext := minExtent; ext <= maxExtent; ext++ {
		m, w, h, class := items.mask(rng, ext)
		if max(w, h) != ext || len(m) != w*h || class < 0 || class >= len(fashionClasses) {
			t.Errorf("extent %d: mask %d×%d (%d values), class %d", ext, w, h, len(m), class)
		}
		var sum float32
		for _, v := range m {
			if v < 0 || v > 1 {
				t.Fatalf("extent %d: mask value %v outside [0, 1]", ext, v)
			}
			sum += v
		}
		if sum == 0 {
			t.Errorf("extent %d: empty mask", ext)
		}
	}
}

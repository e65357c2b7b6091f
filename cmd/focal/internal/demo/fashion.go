package demo

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// FashionDir is where Debian's dataset-fashion-mnist package installs the
// Fashion-MNIST IDX files.
const FashionDir = "/usr/share/datasets/fashion-mnist"

// fashionClasses are the Fashion-MNIST label names, by label.
var fashionClasses = [...]string{"t-shirt", "trouser", "pullover", "dress", "coat",
	"sandal", "shirt", "sneaker", "bag", "ankle-boot"}

// Items are grayscale object images with labels, used as object masks.
type Items struct {
	// Images holds Count images of Rows×Cols bytes, row-major.
	Images     []byte
	Labels     []byte
	Rows, Cols int
	Count      int
}

// LoadFashion reads the Fashion-MNIST training images and labels
// (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]) from dir.
// It returns an error wrapping fs.ErrNotExist when they are absent.
func LoadFashion(dir string) (*Items, error) {
	imgs, dims, err := readIDX(filepath.Join(dir, "train-images-idx3-ubyte"), 3)
	if err != nil {
		return nil, err
	}
	labels, ldims, err := readIDX(filepath.Join(dir, "train-labels-idx1-ubyte"), 1)
	if err != nil {
		return nil, err
	}
	if ldims[0] != dims[0] {
		return nil, fmt.Errorf("fashion-mnist in %s: %d images but %d labels", dir, dims[0], ldims[0])
	}
	for i, l := range labels {
		if int(l) >= len(fashionClasses) {
			return nil, fmt.Errorf("fashion-mnist in %s: label %d of item %d out of range", dir, l, i)
		}
	}
	return &Items{Images: imgs, Labels: labels, Count: dims[0], Rows: dims[1], Cols: dims[2]}, nil
}

// readIDX reads an IDX file of unsigned bytes with the given number of
// dimensions (Y. LeCun's MNIST format: magic 0x0000 08 rank, big-endian
// uint32 dimensions, then the data), from path or, if that is absent,
// path + ".gz".
func readIDX(path string, rank int) (data []byte, dims []int, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		path += ".gz"
		f, err = os.Open(path)
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if filepath.Ext(path) == ".gz" {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	var magic uint32
	if err := binary.Read(r, binary.BigEndian, &magic); err != nil {
		return nil, nil, fmt.Errorf("%s: reading IDX header: %w", path, err)
	}
	if want := uint32(0x0800 | rank); magic != want {
		return nil, nil, fmt.Errorf("%s: IDX magic %#08x, want %#08x (unsigned bytes, rank %d)", path, magic, want, rank)
	}
	size := 1
	for range rank {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, nil, fmt.Errorf("%s: reading IDX dimensions: %w", path, err)
		}
		if d == 0 || d > 1<<20 {
			return nil, nil, fmt.Errorf("%s: IDX dimension %d out of range", path, d)
		}
		dims = append(dims, int(d))
		size *= int(d)
		if size > 1<<28 {
			return nil, nil, fmt.Errorf("%s: IDX data larger than 256 MiB", path)
		}
	}
	data = make([]byte, size)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, nil, fmt.Errorf("%s: reading %d bytes of IDX data: %w", path, size, err)
	}
	return data, dims, nil
}

// mask draws a random item, crops it to its bounding box (pixels > 24),
// scales it so that its larger side is ext pixels (area averaging) and
// returns the w×h mask in [0, 1] and the item's class (label).
func (it *Items) mask(rng *rand.Rand, ext int) (mask []float32, w, h, class int) {
	i := rng.IntN(it.Count)
	img := it.Images[i*it.Rows*it.Cols : (i+1)*it.Rows*it.Cols]
	r0, r1, c0, c1 := it.Rows, 0, it.Cols, 0
	for r := range it.Rows {
		for c := range it.Cols {
			if img[r*it.Cols+c] > 24 {
				r0, r1, c0, c1 = min(r0, r), max(r1, r+1), min(c0, c), max(c1, c+1)
			}
		}
	}
	if r1 <= r0 { // a blank item: use the whole frame
		r0, r1, c0, c1 = 0, it.Rows, 0, it.Cols
	}
	sh, sw := r1-r0, c1-c0
	scale := float64(ext) / float64(max(sh, sw))
	w, h = max(minExtent, int(float64(sw)*scale+0.5)), max(minExtent, int(float64(sh)*scale+0.5))
	mask = make([]float32, w*h)
	// Each target pixel averages the source pixels whose centres fall in it.
	for y := range h {
		ys0, ys1 := r0+y*sh/h, r0+max((y+1)*sh/h, y*sh/h+1)
		for x := range w {
			xs0, xs1 := c0+x*sw/w, c0+max((x+1)*sw/w, x*sw/w+1)
			var sum, n float64
			for r := ys0; r < min(ys1, r1); r++ {
				for c := xs0; c < min(xs1, c1); c++ {
					sum += float64(img[r*it.Cols+c])
					n++
				}
			}
			if n > 0 {
				mask[y*w+x] = float32(sum / n / 255)
			}
		}
	}
	return mask, w, h, int(it.Labels[i])
}

package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func gz(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func TestAFileOfNoKnownFormatSaysWhatIsWrongWithIt(t *testing.T) {
	random := make([]byte, 300)
	for i := range random {
		random[i] = byte(rand.N(256))
	}
	random[0] = 'x' // not the gzip, .npy or IDX magic
	good := gz([]byte("x,label\n1,0\n"))
	corruptDeflate := append(slices.Clone(good[:10]), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	for _, tc := range []struct {
		name string
		data []byte
		want string
		is   error
	}{
		{"IDX with a bad magic", idxBytes(0x08, []uint32{2}, []byte{1, 2})[1:], "not a CSV, .npy or IDX file", ErrFormat},
		{"IDX of an unknown type", idxBytes(0x07, []uint32{2}, []byte{1, 2}), "unknown IDX element type 0x07", ErrFormat},
		{"IDX of 0 dimensions", []byte{0, 0, 8, 0, 1}, "IDX header of 0 dimensions", ErrFormat},
		{"IDX header cut short", []byte{0, 0, 8, 3, 0, 0}, "truncated IDX header", ErrFormat},
		{"gzip header of garbage", append([]byte{0x1f, 0x8b}, random[:50]...), "gzip-compressed, but gzip: invalid header", ErrFormat},
		{"gzip data of garbage", corruptDeflate, "corrupt or truncated gzip data", ErrFormat},
		{"random bytes", random, "not a CSV, .npy or IDX file", ErrFormat},
		{"empty file", nil, "empty file", ErrEmpty},
		{"truncated .npy magic", []byte("\x93NUM"), "inside the preamble", ErrFormat},
		{"gzip-compressed truncated .npy", gz([]byte("\x93NUMPY\x01\x00\x76\x00{'descr'")), "header length is 118 bytes", ErrFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, "f", string(tc.data))
			for _, spec := range []string{p, p + "," + p} {
				_, err := Load(spec, "label")
				msg := ""
				if err != nil {
					msg = err.Error()
				}
				if !errors.Is(err, tc.is) || !strings.HasPrefix(msg, p+": ") || !strings.Contains(msg, tc.want) {
					t.Errorf("Load(%q): error %q, want %v naming the file and saying %q", spec, msg, tc.is, tc.want)
				}
				for _, wrong := range []string{"holds its own labels", "no label column", "needs its labels file", "cannot guess"} {
					if strings.Contains(msg, wrong) {
						t.Errorf("Load(%q): error %q speaks of %q", spec, msg, wrong)
					}
				}
			}
			if _, err := LoadFeatures(p, []string{"x"}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadFeatures: error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestLoadErrorsStartWithThePathAtFault(t *testing.T) {
	dir := t.TempDir()
	absent := filepath.Join(dir, "absent.csv")
	x := writeNPY(t, "x.npy", []float64{1, 2, 3})
	y := writeNPY(t, "y.npy", []int64{0, 1})
	for _, tc := range []struct {
		name, spec, path, want string
	}{
		{"missing file", absent, absent, "no such file or directory"},
		{"missing labels file", x + "," + absent, absent, "no such file or directory"},
		{"a directory", dir, dir, "is a directory"},
		{"labels a directory", x + "," + dir, dir, "is a directory"},
		{"row counts differ", x + "," + y, x, "3 rows, but " + y + " has 2 labels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.spec, "label")
			if err == nil || !strings.HasPrefix(err.Error(), tc.path+": ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one starting with %s and saying %q", err, tc.path, tc.want)
			}
		})
	}
}

func TestLoadReadsGzipCompressedCSVAndNPY(t *testing.T) {
	dir := t.TempDir()
	c := filepath.Join(dir, "d.csv.gz")
	os.WriteFile(c, gz([]byte("x,label\n1,a\n2,b\n")), 0o644)
	s, err := Load(c, "label")
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 2 || !slices.Equal(s.X, []float32{1, 2}) || !slices.Equal(s.Classes, []string{"a", "b"}) {
		t.Errorf("gzip CSV: %+v", s)
	}
	raw, _ := os.ReadFile(writeNPY(t, "x.npy", []float64{1, 2, 3}))
	x := filepath.Join(dir, "x.npy.gz")
	os.WriteFile(x, gz(raw), 0o644)
	y := writeNPY(t, "y.npy", []int64{0, 1, 1})
	s, err = Load(x+","+y, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 3 || !slices.Equal(s.X, []float32{1, 2, 3}) {
		t.Errorf("gzip .npy: %+v", s)
	}
}

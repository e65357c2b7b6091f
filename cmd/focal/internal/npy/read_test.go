package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
)

// file builds an .npy file: magic, version major.0, the header length in
// the version's width, the header text as given (no padding added), then
// data.
func file(major byte, hdr string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x93NUMPY")
	b.Write([]byte{major, 0})
	if major == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(hdr)))
	}
	b.WriteString(hdr)
	b.Write(data)
	return b.Bytes()
}

// dict is a well-formed header dictionary, padded as NumPy pads it.
func dict(descr, order, shape string) string {
	h := "{'descr': " + descr + ", 'fortran_order': " + order + ", 'shape': " + shape + ", }"
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	return h + "\n"
}

func f32bytes(v ...float32) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, v)
	return b.Bytes()
}

// corrupt lists broken .npy files, one per way a header or its data can
// be wrong, with a phrase the error must contain.
var corrupt = []struct {
	name string
	data []byte
	want string
}{
	{"empty file", nil, "empty file"},
	{"text", []byte("hello, not numpy\n1,2,3\n"), "not the .npy magic"},
	{"gzip bytes", []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0}, "not the .npy magic"},
	{"magic cut short", []byte("\x93NUM"), "inside the preamble"},
	{"magic without a version", []byte("\x93NUMPY"), "inside the preamble"},
	{"no header length", []byte("\x93NUMPY\x01\x00\x10"), "inside the header length"},
	{"unknown version", file(7, dict("'<f4'", "False", "(1,)"), f32bytes(1)), "version 7.0"},
	{"header length past the end", append([]byte("\x93NUMPY\x01\x00\x60\xea"), "{'descr': '<f4'"...), "header length is 60000 bytes"},
	{"version 2 header length of 4 GiB", append([]byte("\x93NUMPY\x02\x00\xf0\xff\xff\xff"), "{'descr'"...), "header length is 4294967280 bytes"},
	{"header cut inside the dictionary", file(1, dict("'<f4'", "False", "(2, 3)"), f32bytes(1, 2, 3, 4, 5, 6))[:30], "header length"},
	{"header not a dictionary", file(1, "garbage\n", nil), "want a dictionary"},
	{"header without a newline or a closing brace", file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,) ", f32bytes(1, 2)), "want ',' or '}'"},
	{"text after the dictionary", file(1, dict("'<f4'", "False", "(1,)")+"x", f32bytes(1)), "text after the dictionary"},
	{"missing shape", file(1, "{'descr': '<f4', 'fortran_order': False}\n", f32bytes(1)), "no shape key"},
	{"missing descr", file(1, "{'shape': (1,), 'fortran_order': False}\n", f32bytes(1)), "no descr key"},
	{"unknown key", file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}\n", f32bytes(1)), "unknown key \"x\""},
	{"key given twice", file(1, "{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}\n", f32bytes(1)), "given twice"},
	{"key not a string", file(1, "{1: '<f4'}\n", nil), "not a string"},
	{"no colon", file(1, "{'descr' '<f4'}\n", nil), "want ':'"},
	{"empty shape value", file(1, dict("'<f4'", "False", ""), nil), "want a string, a number"},
	{"fortran_order not a boolean", file(1, dict("'<f4'", "Maybe", "(2,)"), f32bytes(1, 2)), "want a string, a number"},
	{"fortran_order a string", file(1, dict("'<f4'", "'False'", "(2,)"), f32bytes(1, 2)), "want True or False"},
	{"shape of names", file(1, dict("'<f4'", "False", "(a, b)"), nil), "want a string, a number"},
	{"shape a list", file(1, dict("'<f4'", "False", "[2]"), f32bytes(1, 2)), "want a tuple of integers"},
	{"shape of strings", file(1, dict("'<f4'", "False", "('2',)"), f32bytes(1, 2)), "want a tuple of integers"},
	{"negative dimension", file(1, dict("'<f4'", "False", "(-1, 3)"), make([]byte, 100)), "negative dimension -1"},
	{"dimension beyond int64", file(1, dict("'<f4'", "False", "(99999999999999999999, 3)"), nil), "too large"},
	{"shape overflowing int64", file(1, dict("'<f4'", "False", "(4294967296, 4294967296)"), nil), fmt.Sprintf("more than %d elements", maxElems)},
	{"shape larger than the file", file(1, dict("'<f8'", "False", "(100, 3)"), make([]byte, 400)), "needs 2400 bytes, the file has 400"},
	{"data cut short", file(1, dict("'<f4'", "False", "(2, 3)"), f32bytes(1, 2, 3, 4, 5, 6)[:19]), "needs 24 bytes, the file has 19"},
	{"unterminated string", file(1, "{'descr: '<f4'}\n", nil), "want ':'"},
	{"string never closed", file(1, "{'descr\n", nil), "unterminated string"},
	{"NUL in the header", file(1, "{'descr'\x00: '<f4'}\n", nil), "NUL byte"},
	{"version 3 header not UTF-8", file(3, "{'descr': '\xff'}\n", nil), "not UTF-8"},
	{"nested 100000 deep", file(2, "{'descr': "+strings.Repeat("(", 100000)+"}\n", nil), "nested more than"},
	{"empty dtype", file(1, dict("''", "False", "(2,)"), f32bytes(1, 2)), "dtype \"\" is empty"},
	{"dtype without a byte order for 4 bytes", file(1, dict("'|f4'", "False", "(2,)"), f32bytes(1, 2)), "no byte order"},
	{"unknown dtype", file(1, dict("'<q9'", "False", "(2,)"), make([]byte, 18)), "unsupported dtype \"<q9\""},
	{"dtype size not a number", file(1, dict("'<fx'", "False", "(2,)"), make([]byte, 18)), "unsupported dtype"},
	{"complex dtype", file(1, dict("'<c8'", "False", "(1,)"), make([]byte, 8)), "unsupported dtype \"<c8\""},
	{"half-precision dtype", file(1, dict("'<f2'", "False", "(1,)"), make([]byte, 2)), "unsupported dtype \"<f2\""},
	{"string dtype", file(1, dict("'<U1'", "False", "(1,)"), make([]byte, 4)), "unsupported dtype \"<U1\""},
	{"object dtype", file(1, dict("'|O'", "False", "(1,)"), make([]byte, 8)), "unsupported dtype \"|O\""},
	{"structured dtype", file(1, dict("[('a', '<f4'), ('b', '<i4')]", "False", "(1,)"), make([]byte, 8)), "unsupported dtype \"[('a', '<f4'), ('b', '<i4')]\""},
	{"uint64 beyond int64", file(1, dict("'<u8'", "False", "(1,)"), []byte{0, 0, 0, 0, 0, 0, 0, 0x80}), "does not fit int64"},
}

// TestReadSaysWhatIsWrongWithAFile: a file that is not a readable .npy
// array (missing, a directory, any of the corrupt ones) is an error of one
// short line that starts with the path and says what is wrong.
func TestReadSaysWhatIsWrongWithAFile(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	Write(&b, []int{100}, make([]float64, 100))
	text := writeFile(t, []byte("hello, not numpy\n"))
	cases := []struct{ name, path, want string }{
		{"missing file", filepath.Join(dir, "absent.npy"), "no such file"},
		{"a directory", dir, "is a directory"},
		{"not an .npy file", text, "not a readable .npy"},
		{"truncated data", writeFile(t, b.Bytes()[:200]), "not a readable .npy"},
		{"complex dtype in a file", filepath.Join("testdata", "c8_2.npy"), "unsupported dtype"},
		{"float16 dtype in a file", filepath.Join("testdata", "f2_2.npy"), "unsupported dtype"},
	}
	for _, tc := range corrupt {
		cases = append(cases, struct{ name, path, want string }{tc.name, writeFile(t, tc.data), tc.want})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(tc.path)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tc.path+": ") || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want one starting with the path and saying %q", msg, tc.want)
			}
			if strings.Contains(msg, "runtime error") || strings.Contains(msg, "\n") || len(msg) > len(tc.path)+300 {
				t.Errorf("error %q: want one short line about the file, not a recovered panic", msg)
			}
		})
	}
	if _, err := Read(text); !errors.Is(err, ErrFormat) {
		t.Errorf("a text file's error %v does not wrap ErrFormat", err)
	}
}

func TestReadDecodesEveryLayout(t *testing.T) {
	for _, tc := range []struct {
		name, file, dtype string
		shape             []int
		want              []float64
	}{
		{"fortran order becomes C order", "fortran_f8_2x3x4.npy", "f8", []int{2, 3, 4}, seq(24)},
		{"signed 16-bit integers widen to int64", "c_i2_2x3.npy", "i2", []int{2, 3}, []float64{-3, -2, -1, 0, 1, 2}},
		{"booleans read as 0 and 1", "bool_3.npy", "b1", []int{3}, []float64{1, 0, 1}},
		{"big-endian 0-d float64", "big_f8_0d.npy", "f8", []int{}, []float64{2.5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Read(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if a.Dtype != tc.dtype || !reflect.DeepEqual(a.Shape, tc.shape) {
				t.Fatalf("dtype %s shape %v, want %s %v", a.Dtype, a.Shape, tc.dtype, tc.shape)
			}
			if got := a.Float64(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("values %v, want %v", got, tc.want)
			}
		})
	}
}

func seq(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i)
	}
	return v
}

func TestReadAcceptsWhatNumPyAccepts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  []byte
		shape []int
		want  []float64
	}{
		{"keys in another order", file(1, "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}\n", f32bytes(1, 2)), []int{2}, []float64{1, 2}},
		{"no trailing comma or newline", file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", f32bytes(1, 2)), []int{2}, []float64{1, 2}},
		{"double quotes", file(1, `{"descr": "<f4", "fortran_order": False, "shape": (1, 2)}`+"\n", f32bytes(1, 2)), []int{1, 2}, []float64{1, 2}},
		{"Python 2 long dimensions", file(1, dict("'<f4'", "False", "(2L,)"), f32bytes(1, 2)), []int{2}, []float64{1, 2}},
		{"version 2", file(2, dict("'<f4'", "False", "(2,)"), f32bytes(1, 2)), []int{2}, []float64{1, 2}},
		{"version 3", file(3, dict("'<f4'", "False", "(2,)"), f32bytes(1, 2)), []int{2}, []float64{1, 2}},
		{"bytes after the data", file(1, dict("'<f4'", "False", "(2,)"), f32bytes(1, 2, 3)), []int{2}, []float64{1, 2}},
		{"big-endian int32", file(1, dict("'>i4'", "False", "(2,)"), []byte{0, 0, 0, 7, 0xff, 0xff, 0xff, 0xfe}), []int{2}, []float64{7, -2}},
		{"single bytes without a byte order", file(1, dict("'|u1'", "False", "(2,)"), []byte{3, 250}), []int{2}, []float64{3, 250}},
		{"no elements", file(1, dict("'<f8'", "False", "(0, 3)"), nil), []int{0, 3}, []float64{}},
		{"Fortran order", file(1, dict("'<f4'", "True", "(2, 2)"), f32bytes(1, 3, 2, 4)), []int{2, 2}, []float64{1, 2, 3, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Read(writeFile(t, tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a.Shape, tc.shape) || !reflect.DeepEqual(a.Float64(), tc.want) {
				t.Errorf("shape %v values %v, want %v %v", a.Shape, a.Float64(), tc.shape, tc.want)
			}
		})
	}
}

func TestReadStreamsAPipe(t *testing.T) {
	var b bytes.Buffer
	want := make([]float64, 3000) // more than a pipe buffer's 64 KiB
	for i := range want {
		want[i] = float64(i) / 7
	}
	if err := Write(&b, []int{1000, 3}, want); err != nil {
		t.Fatal(err)
	}
	a, err := Read(cmdtest.Fifo(t, b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Shape, []int{1000, 3}) || !reflect.DeepEqual(a.F64, want) {
		t.Errorf("read shape %v and %d values from a pipe, want [1000 3] and the %d written", a.Shape, len(a.F64), len(want))
	}
}

func TestReadSaysWhereAPipeEndedTooSoon(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"data", file(1, dict("'<f4'", "False", "(2, 3)"), f32bytes(1, 2, 3)), "needs 24 bytes, the stream ended after 12"},
		{"header", append([]byte("\x93NUMPY\x01\x00\x60\xea"), "{'descr': '<f4'"...), "header length is 60000 bytes, the stream ended after 15"},
		{"header length of 4 GiB", append([]byte("\x93NUMPY\x02\x00\xf0\xff\xff\xff"), "{'descr'"...), "header length 4294967280"},
		{"nothing", nil, "empty file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := cmdtest.Fifo(t, tc.data)
			_, err := Read(p)
			if err == nil || !strings.HasPrefix(err.Error(), p+": ") || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrFormat) {
				t.Errorf("error %v, want one naming %s and saying %q", err, p, tc.want)
			}
		})
	}
}

// Whatever the bytes, ReadFrom returns an array consistent with its shape
// or an error; it never panics.
func FuzzReadFrom(f *testing.F) {
	for _, c := range corrupt {
		if len(c.data) < 1000 { // large seeds slow the mutator down
			f.Add(c.data)
		}
	}
	f.Add(file(1, dict("'<f4'", "True", "(2, 2)"), f32bytes(1, 3, 2, 4)))
	f.Add(file(1, dict("'|b1'", "False", "(3,)"), []byte{0, 1, 2}))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, size := range []int64{int64(len(data)), -1} {
			a, err := ReadFrom(bytes.NewReader(data), size)
			if err != nil {
				if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrDtype) && !strings.Contains(err.Error(), "does not fit int64") {
					t.Fatalf("error %v wraps neither ErrFormat nor ErrDtype", err)
				}
				continue
			}
			n := 0
			for _, v := range [][]int{{len(a.F32)}, {len(a.F64)}, {len(a.Int)}, {len(a.Bool)}} {
				n += v[0]
			}
			if n != a.Len() {
				t.Fatalf("%d values for shape %v", n, a.Shape)
			}
		}
	})
}

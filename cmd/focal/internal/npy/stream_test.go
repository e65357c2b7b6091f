package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/focalgo/focal/cmd/focal/internal/cmdtest"
)

// writeFile writes data to a new file and returns its path.
func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "a.npy")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// readPieces reads the stream's data in pieces of k elements, decoded to
// float64.
func readPieces(t *testing.T, s *Stream, k int) []float64 {
	t.Helper()
	var out []float64
	buf := make([]byte, k*s.ElemSize())
	for done := 0; done < s.Len(); done += k {
		m := min(k, s.Len()-done)
		raw, err := s.Next(buf, m*s.ElemSize())
		if err != nil {
			t.Fatal(err)
		}
		v := make([]float64, m)
		if err := Decode(s, v, raw, done); err != nil {
			t.Fatal(err)
		}
		out = append(out, v...)
	}
	return out
}

// TestStreamDecodesWhatReadDecodes reads every dtype in either byte order
// in pieces, from the file and mapped, and compares with Read.
func TestStreamDecodesWhatReadDecodes(t *testing.T) {
	vals := []int64{0, 1, -2, 3, 127, -128, 5, 6, 7, 8, 9}
	for _, descr := range []string{"<f4", ">f4", "<f8", ">f8", "|b1", "|u1", "|i1", "<i2", ">u2", "<i4", "<u4", ">i8", "<u8"} {
		var order binary.ByteOrder = binary.LittleEndian
		if descr[0] == '>' {
			order = binary.BigEndian
		}
		var b bytes.Buffer
		for _, v := range vals {
			switch descr[1:] {
			case "f4":
				binary.Write(&b, order, float32(v))
			case "f8":
				binary.Write(&b, order, float64(v))
			case "b1":
				b.WriteByte(byte(v & 3))
			case "u1", "i1":
				b.WriteByte(byte(v))
			case "i2", "u2":
				binary.Write(&b, order, uint16(v))
			case "i4", "u4":
				binary.Write(&b, order, uint32(v))
			case "i8", "u8":
				binary.Write(&b, order, uint64(v&0x7fffffff))
			}
		}
		p := writeFile(t, file(1, dict("'"+descr+"'", "False", "(11,)"), b.Bytes()))
		a, err := Read(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, mapped := range []bool{false, true} {
			s, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			if mapped && !s.Map() {
				t.Logf("%s: not mapped here", descr)
			}
			if got := readPieces(t, s, 4); !reflect.DeepEqual(got, a.Float64()) {
				t.Errorf("%s (mapped %v): streamed %v, Read gives %v", descr, mapped, got, a.Float64())
			}
			s.Close()
		}
	}
}

// TestStreamViewsOfAMappedFileOutliveRelease checks that Release of the
// pages before a piece leaves the later pieces, and a second pass after
// Rewind, intact.
func TestStreamViewsOfAMappedFileOutliveRelease(t *testing.T) {
	n := 5000 // several pages
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i) * 0.5
	}
	var b bytes.Buffer
	if err := Write(&b, []int{n}, v); err != nil {
		t.Fatal(err)
	}
	s, err := Open(writeFile(t, b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Map() {
		t.Skip("no mmap here")
	}
	for pass := range 2 {
		var got []float64
		for done := 0; done < n; done += 700 {
			m := min(700, n-done)
			raw, err := s.Next(nil, m*8)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, Elements[float64](raw)...)
			s.Release(int64(done+m) * 8)
		}
		if !reflect.DeepEqual(got, v) {
			t.Errorf("pass %d: the views do not hold the data", pass)
		}
		if err := s.Rewind(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStreamRewindsASpooledPipe reads a pipe twice: the second time from
// the copy Spool kept.
func TestStreamRewindsASpooledPipe(t *testing.T) {
	var b bytes.Buffer
	want := make([]float64, 20000) // over a pipe buffer
	for i := range want {
		want[i] = float64(i) / 3
	}
	if err := Write(&b, []int{len(want)}, want); err != nil {
		t.Fatal(err)
	}
	s, err := Open(cmdtest.Fifo(t, b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Map() {
		t.Error("a pipe was mapped")
	}
	if err := s.Rewind(); err == nil {
		t.Error("Rewind of a pipe without Spool: no error")
	}
	if err := s.Spool(); err != nil {
		t.Fatal(err)
	}
	first := readPieces(t, s, 3000)
	if err := s.Rewind(); err != nil {
		t.Fatal(err)
	}
	second := readPieces(t, s, 7000)
	if !reflect.DeepEqual(first, want) || !reflect.DeepEqual(second, want) {
		t.Errorf("first pass equal %v, second pass equal %v; want both", reflect.DeepEqual(first, want), reflect.DeepEqual(second, want))
	}
}

// TestStreamSaysWhenDataIsMissing: a short regular file is refused by
// Open, a short stream by the Next that runs out.
func TestStreamSaysWhenDataIsMissing(t *testing.T) {
	data := file(1, dict("'<f4'", "False", "(2, 3)"), f32bytes(1, 2, 3))
	p := writeFile(t, data)
	if _, err := Open(p); err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "needs 24 bytes, the file has 12") {
		t.Errorf("Open of a short file: %v", err)
	}
	s, err := Open(cmdtest.Fifo(t, data))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	buf := make([]byte, 24)
	if _, err := s.Next(buf, 8); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(buf, 16); err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "needs 24 bytes, the stream ended after 12") {
		t.Errorf("Next past a short stream: %v", err)
	}
}

// TestStreamRefusesAUint64AboveInt64: as Read does.
func TestStreamRefusesAUint64AboveInt64(t *testing.T) {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, []uint64{1, 1 << 63})
	s, err := Open(writeFile(t, file(1, dict("'<u8'", "False", "(2,)"), b.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	raw, err := s.Next(make([]byte, 16), 16)
	if err != nil {
		t.Fatal(err)
	}
	if err := Decode(s, make([]int64, 2), raw, 40); err == nil || !strings.Contains(err.Error(), "element 41 = 9223372036854775808") {
		t.Errorf("decoding 2⁶³ as element 41: %v", err)
	}
}

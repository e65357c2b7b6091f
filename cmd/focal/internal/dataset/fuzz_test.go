package dataset

import (
	"os"
	"path/filepath"
	"testing"
)

// The readers take arbitrary user files: whatever the bytes, they return
// a Set or an error, never panic, and a Set they return is consistent.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("x,label\n1,0\n2,1\n"))
	f.Add([]byte("label\n1\n"))
	f.Add([]byte("a,\"b\nc\",label\n1,2,3\n"))
	f.Add(idxBytes(0x08, []uint32{2, 2}, []byte{1, 2, 3, 4}))
	f.Add(idxBytes(0x0D, []uint32{1, 1}, []byte{0x7f, 0xc0, 0, 0}))
	f.Add(npyRaw("<f8", false, "(1, 1)", make([]byte, 8)))
	f.Add(npyRaw("<i4", true, "(2, 2)", make([]byte, 16)))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "in")
		os.WriteFile(p, data, 0o644)
		for _, spec := range []string{p, p + "," + p} {
			s, err := Load(spec, "label")
			if err != nil {
				continue
			}
			if len(s.X) != s.N*s.F || len(s.Y) != s.N || len(s.Features) != s.F {
				t.Fatalf("inconsistent set: %d values, N %d F %d, %d labels, %d names", len(s.X), s.N, s.F, len(s.Y), len(s.Features))
			}
			for _, y := range s.Y {
				if y < 0 || y >= len(s.Classes) {
					t.Fatalf("label index %d of %d classes", y, len(s.Classes))
				}
			}
		}
		LoadFeatures(p, []string{"x"})
	})
}

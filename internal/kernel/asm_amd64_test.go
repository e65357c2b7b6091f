//go:build !purego

package kernel

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestAVX2CodeUsesVEXRegisters: the AVX2 functions of the generated
// assembly use only X0–X15 and Y0–Y15. avo's allocator may hand out the
// AVX-512 registers 16–31, for which the assembler picks EVEX encodings
// that fault on a CPU with AVX2 alone.
func TestAVX2CodeUsesVEXRegisters(t *testing.T) {
	src, err := os.ReadFile("sigmoid_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	high := regexp.MustCompile(`\b[XYZ](1[6-9]|2[0-9]|3[01])\b|\bZ[0-9]+\b|\bK[0-7]\b`)
	fn, n := "", 0
	for i, line := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(line, "TEXT ") {
			fn = line
			n++
		}
		if strings.Contains(fn, "AVX2") && high.MatchString(line) {
			t.Errorf("line %d in %s uses an AVX-512 register: %s", i+1, strings.Fields(fn)[1], strings.TrimSpace(line))
		}
	}
	if n == 0 {
		t.Fatal("no functions found")
	}
}

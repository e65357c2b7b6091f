//go:build !purego

package kernel

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestAVX2CodeUsesVEXRegisters: the AVX2 functions of the generated
// assembly use only X0–X15 and Y0–Y15 and no EVEX-only operand forms
// (broadcast, zeroing, rounding suffixes). avo's allocator may hand out the
// AVX-512 registers 16–31, and a _BCST form is easy to emit by mistake;
// the assembler then picks EVEX encodings that fault on a CPU with AVX2
// alone (as sigmoidHardAVX2F32 once did on a Zen 3).
func TestAVX2CodeUsesVEXRegisters(t *testing.T) {
	src := generatedAssembly(t)
	high := regexp.MustCompile(`\b[XYZ](1[6-9]|2[0-9]|3[01])\b|\bZ[0-9]+\b|\bK[0-7]\b|\.(BCST|Z|SAE|RN_SAE|RD_SAE|RU_SAE|RZ_SAE)\b`)
	fn, n := "", 0
	for i, line := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(line, "TEXT ") {
			fn = line
			n++
		}
		if strings.Contains(fn, "AVX2") && high.MatchString(line) {
			t.Errorf("line %d in %s uses an AVX-512 register or EVEX form: %s", i+1, strings.Fields(fn)[1], strings.TrimSpace(line))
		}
	}
	if n == 0 {
		t.Fatal("no functions found")
	}
}

// TestRequiredISAs: every generated function needs only the instruction
// set extensions that the init function of cpu_amd64.go checks before it
// offers the function's implementation, as avo lists them in each
// function's "// Requires:" comment.
func TestRequiredISAs(t *testing.T) {
	src := generatedAssembly(t)
	base := []string{"SSE", "SSE2", "AVX", "AVX2", "FMA3", "POPCNT"}
	allowed := map[string][]string{
		"AVX2":   base, // cpu.X86.HasAVX, HasAVX2, HasFMA, HasPOPCNT (SSE, SSE2: every amd64 CPU)
		"AVX512": append(base, "AVX512F", "AVX512DQ", "AVX512VL"),
	}
	requires := ""
	n := 0
	for _, line := range strings.Split(string(src), "\n") {
		if r, ok := strings.CutPrefix(line, "// Requires: "); ok {
			requires = r
			continue
		}
		if !strings.HasPrefix(line, "TEXT ") {
			continue
		}
		name := strings.Fields(line)[1]
		impl := "AVX2"
		if strings.Contains(name, "AVX512") {
			impl = "AVX512"
		} else if !strings.Contains(name, "AVX2") {
			t.Errorf("%s: the name says neither AVX2 nor AVX512", name)
		}
		for _, isa := range strings.Split(requires, ", ") {
			if isa != "" && !slices.Contains(allowed[impl], isa) {
				t.Errorf("%s requires %s, which the %s implementation does not check for", name, isa, impl)
			}
		}
		requires = ""
		n++
	}
	if n == 0 {
		t.Fatal("no functions found")
	}
}

// generatedAssembly returns the generated assembly files (one per kernel
// family, the test-only one included), concatenated.
func generatedAssembly(t *testing.T) []byte {
	t.Helper()
	files, err := filepath.Glob("*_amd64*.s")
	if err != nil || len(files) < 5 {
		t.Fatalf("generated assembly: %v %v", files, err)
	}
	var src []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b...)
	}
	return src
}

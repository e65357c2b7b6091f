//go:build !purego

package kernel

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestPrintImpl prints the implementation in use when run as the helper
// process of TestGODEBUGStepsDown; otherwise it does nothing.
func TestPrintImpl(t *testing.T) {
	if os.Getenv("FOCAL_PRINT_IMPL") != "1" {
		t.Skip("helper process only")
	}
	os.Stdout.WriteString("impl=" + Current().String() + "\n")
}

// TestGODEBUGStepsDown: GODEBUG=cpu.avx2=off and cpu.avx512f=off, which
// golang.org/x/sys/cpu honours, take the vector implementations away at
// start, as the README says: without AVX2 there is no AVX-512 kernel
// either (it uses AVX2-era instructions too). StepDown names the setting
// for each implementation of the machine.
func TestGODEBUGStepsDown(t *testing.T) {
	cases := []struct {
		godebug string
		need    Impl // the implementation the machine must have for the case to mean anything
		want    Impl
	}{
		{"cpu.avx2=off", AVX2, Generic},
		{"cpu.avx512f=off", AVX512, AVX2},
	}
	for _, m := range Impls() {
		if m != Current() {
			cases = append(cases, struct {
				godebug    string
				need, want Impl
			}{StepDown(m), m, m})
		}
	}
	for _, c := range cases {
		if !slices.Contains(Impls(), c.need) {
			continue
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestPrintImpl$", "-test.v")
		cmd.Env = append(os.Environ(), "FOCAL_PRINT_IMPL=1", "GODEBUG="+c.godebug)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.godebug, err, out)
		}
		if !strings.Contains(string(out), "impl="+c.want.String()+"\n") {
			t.Errorf("GODEBUG=%s: the helper printed\n%s\nwant impl=%v", c.godebug, out, c.want)
		}
	}
	if StepDown(Current()) != "" {
		t.Errorf("StepDown(%v) = %q for the implementation in use, want \"\"", Current(), StepDown(Current()))
	}
}

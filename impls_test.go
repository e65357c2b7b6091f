package focal_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/focalgo/focal/internal/kernel"
)

// The kernel implementation is chosen once per process (kernel.Impls
// lists those of this machine and build, the one in use last), so the
// tests that cover each of them run the others in child processes: this
// test binary again, running the one test, with the GODEBUG setting that
// steps the kernels down to the implementation (kernel.StepDown).

// childImplEnv names, in a child process, the implementation it was
// started for.
const childImplEnv = "FOCAL_TEST_IMPL"

// eachImpl runs fn for the implementation in use, in this process, and
// then runs test name once per other implementation in a child process,
// failing t if a child fails. In a child it runs fn alone, after checking
// that the implementation in use is the one the child was started for.
// env adds variables to every child's environment.
func eachImpl(t *testing.T, name string, env []string, fn func(t *testing.T, m kernel.Impl)) {
	t.Helper()
	if want := os.Getenv(childImplEnv); want != "" {
		if got := kernel.Current().String(); got != want {
			t.Fatalf("child process for %s runs %s", want, got)
		}
		fn(t, kernel.Current())
		return
	}
	fn(t, kernel.Current())
	for _, m := range kernel.Impls() {
		if m == kernel.Current() {
			continue
		}
		runChild(t, name, m, env)
	}
}

// runChild runs test name in a child process on implementation m.
func runChild(t *testing.T, name string, m kernel.Impl, env []string) {
	t.Helper()
	godebug := kernel.StepDown(m)
	if old := os.Getenv("GODEBUG"); old != "" {
		godebug = old + "," + godebug
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	cmd.Env = append(append(os.Environ(), childImplEnv+"="+m.String(), "GODEBUG="+godebug), env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+name) {
		t.Fatalf("%s on %v (GODEBUG=%s): %v\n%s", name, m, godebug, err, out)
	}
}

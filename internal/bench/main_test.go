package bench

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs the command itself when this test binary is a child
// process of Run (the kernel rows of a lower implementation): Run
// re-executes its own executable, here the test binary.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		cmd := NewCommand()
		cmd.SetArgs(os.Args[1:])
		if err := cmd.Execute(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

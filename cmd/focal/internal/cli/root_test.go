package cli

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
	"github.com/focalgo/focal/internal/kernel"
)

func TestEveryCommandHasAnExample(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.IsAvailableCommand() || c == c.Root() {
			if strings.TrimSpace(c.Example) == "" {
				t.Errorf("%q has no Example in its --help", c.CommandPath())
			}
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(Root())
}

func TestVersionPrintsVersionToolchainAndKernel(t *testing.T) {
	out, err := run(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "focal "+Version+" ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("version printed %q", out)
	}
	// The kernel line names the implementation in use, the fastest one.
	impls := kernel.Impls()
	if want := fmt.Sprintf("kernels: %v (", impls[len(impls)-1]); !strings.Contains(out, want) {
		t.Errorf("version printed %q, want a line with %q", out, want)
	}
}

func TestCommandLineMistakesAreBadInput(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"version", "extra"}, {"curve", "--nope"}, {"loss", "--gamma"}} {
		_, err := run(t, args...)
		if exitcode.Code(err) != 2 {
			t.Errorf("focal %v: exit status %d (%v), want 2", args, exitcode.Code(err), err)
		}
	}
}

// Package cli holds the focal command's cobra commands: the root, curve,
// loss, train, predict and version. cmd/focal/main.go only runs Root and maps its error to
// an exit status.
package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/focalgo/focal/internal/bench"
	"github.com/focalgo/focal/internal/demo"
	"github.com/focalgo/focal/internal/exitcode"
)

// Version is the module version, set by main from the build info.
var Version = "(devel)"

// Root returns the focal command with every subcommand registered.
func Root() *cobra.Command {
	root := &cobra.Command{
		Use:   "focal",
		Short: "Focal loss (Lin et al., ICCV 2017): curves, losses on .npy files, training, demo, benchmarks",
		Long: `focal is a focal-loss toolkit (Lin et al., "Focal Loss for Dense Object
Detection", ICCV 2017).`,
		Example: `  focal curve --out docs/focal-curve
  focal loss --logits x.npy --targets y.npy --grad grad.npy
  focal demo`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true

	// ---- Subcommand registration: one line per command. ----
	// Engineers owning a command add its constructor here.
	root.AddCommand(
		NewCurveCommand(),
		NewLossCommand(),
		NewVersionCommand(),
		NewTrainCommand(),
		NewPredictCommand(),
		demo.NewCommand(),
		bench.NewCommand(),
	)
	// ---- End of subcommand registration. ----

	markInputErrors(root)
	return root
}

// markInputErrors makes the errors that cobra itself finds in the command
// line (an unknown flag or command, a flag value that does not parse, a
// stray argument) bad input, exit status 2, like those the commands find.
func markInputErrors(root *cobra.Command) {
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitcode.Input(err) })
	// Without Args cobra rejects `focal bogus` before any hook runs; with
	// them the root runs and says so itself.
	root.Args = cobra.ArbitraryArgs
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return exitcode.Input(fmt.Errorf("unknown command %q (see focal --help)", args[0]))
		}
		return cmd.Help()
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if v := c.Args; v != nil && c != root {
			c.Args = func(cmd *cobra.Command, args []string) error {
				return exitcode.Input(v(cmd, args))
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

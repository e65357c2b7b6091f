// Package cli holds the focal command's cobra commands: the root, curve,
// loss, train, predict, demo and version. cmd/focal/main.go only runs Root and maps its error to
// an exit status.
package cli

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
	"github.com/focalgo/focal/cmd/focal/internal/quote"
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
		NewDemoCommand(),
		NewBenchCommand(),
	)
	// ---- End of subcommand registration. ----

	markInputErrors(root)
	return root
}

// markInputErrors makes the errors that cobra itself finds in the command
// line (an unknown flag or command, a flag value that does not parse, a
// stray argument) bad input, exit status 2, like those the commands find,
// and words them as the commands do, quoting at most a prefix of the value.
func markInputErrors(root *cobra.Command) {
	// Without Args cobra rejects `focal bogus` before any hook runs; with
	// them the root runs and says so itself.
	root.Args = cobra.ArbitraryArgs
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return exitcode.Input(fmt.Errorf("unknown command %s (see focal --help)", quote.Clip(args[0])))
		}
		return cmd.Help()
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		// Every command, also one that sets its own (train, predict).
		c.SetFlagErrorFunc(flagError)
		if v := c.Args; v != nil && c != root {
			c.Args = func(cmd *cobra.Command, args []string) error {
				err := v(cmd, args)
				if err != nil && len(args) > 0 && len(err.Error()) > 2*quote.Max {
					// cobra's messages quote the argument whole.
					err = fmt.Errorf("unexpected argument %s (%s takes flags only)", quote.Clip(args[0]), cmd.CommandPath())
				}
				return exitcode.Input(err)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// flagError rewords the errors of the flag parser that quote what the user
// typed (a value that does not parse, an unknown flag), quoting at most a
// prefix of it: pflag quotes it whole, twice for a value. The result is bad
// input.
func flagError(_ *cobra.Command, err error) error {
	var bad *pflag.InvalidValueError
	var unknown *pflag.NotExistError
	switch {
	case errors.As(err, &bad):
		f := bad.GetFlag()
		what := "want " + flagType(f.Value.Type())
		if errors.Is(bad, strconv.ErrRange) {
			what = "out of range (" + what + ")"
		}
		err = fmt.Errorf("--%s %s: %s", f.Name, quote.Clip(bad.GetValue()), what)
	case errors.As(err, &unknown) && len(err.Error()) > 2*quote.Max:
		if group := unknown.GetSpecifiedShortnames(); group != "" {
			err = fmt.Errorf("unknown shorthand flag %q in %s", unknown.GetSpecifiedName(), quote.Clip("-"+group))
		} else {
			err = fmt.Errorf("unknown flag %s", quote.Clip("--"+unknown.GetSpecifiedName()))
		}
	}
	return exitcode.Input(err)
}

// flagType words a pflag value type for "want …".
func flagType(t string) string {
	switch t {
	case "int", "int8", "int16", "int32", "int64":
		return "an integer"
	case "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer ≥ 0"
	case "float32", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "duration":
		return "a duration such as 1m30s"
	}
	return "a " + t
}

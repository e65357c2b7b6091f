// Command focal-demo runs `focal demo` on its own, for working on the demo
// before (or without) the focal command; the README's command is
// `focal demo`.
package main

import (
	"fmt"
	"os"

	"github.com/focalgo/focal/internal/demo"
	"github.com/focalgo/focal/internal/exitcode"
)

func main() {
	cmd := demo.NewCommand()
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "focal", err)
		os.Exit(exitcode.Code(err))
	}
}

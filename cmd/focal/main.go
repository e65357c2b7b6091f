// Command focal is the focal-loss toolkit's command line: see `focal --help`.
package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/focalgo/focal/internal/cli"
	"github.com/focalgo/focal/internal/exitcode"
)

func main() {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		cli.Version = bi.Main.Version
	}
	root := cli.Root()
	if err := root.Execute(); err != nil {
		fmt.Fprintf(os.Stderr, "focal: %v\n", err)
		os.Exit(exitcode.Code(err))
	}
}

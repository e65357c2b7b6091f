// Command focal is the focal-loss toolkit's command line: see `focal --help`.
package main

import (
	"os"
	"runtime/debug"

	"github.com/focalgo/focal/cmd/focal/internal/bench"
	"github.com/focalgo/focal/cmd/focal/internal/cli"
)

func main() {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		cli.Version = bi.Main.Version
	}
	// focal bench runs this executable for its streamed rows.
	bench.Program, _ = os.Executable()
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}

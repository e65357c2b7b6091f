package main

import (
	"fmt"
	"os"

	"github.com/focalgo/focal/internal/bench"
	"github.com/focalgo/focal/internal/exitcode"
)

func main() {
	cmd := bench.NewCommand()
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(exitcode.Code(err))
	}
}

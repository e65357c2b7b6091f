package bench

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestMain runs the bench itself when this test binary is a child process
// of Run (the kernel rows of a lower implementation): Run re-executes its
// own executable, here the test binary, with the flags of the command.
func TestMain(m *testing.M) {
	if os.Getenv(ChildEnv) != "" {
		if err := runChild(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runChild parses the flags Run passes a child and runs it.
func runChild(args []string) error {
	o := DefaultOptions()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	sizes := fs.String("sizes", "", "")
	fs.IntVar(&o.Warmup, "warmup", o.Warmup, "")
	fs.IntVar(&o.Repeats, "repeats", o.Repeats, "")
	fs.IntVar(&o.Threads, "threads", o.Threads, "")
	fs.BoolVar(&o.Torch, "torch", o.Torch, "")
	fs.BoolVar(&o.JSON, "json", o.JSON, "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.Sizes = nil
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(s)
		if err != nil {
			return err
		}
		o.Sizes = append(o.Sizes, n)
	}
	return Run(context.Background(), os.Stdout, os.Stderr, o)
}

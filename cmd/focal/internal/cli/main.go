package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
)

// Main runs the focal command with args (without the program name) and
// returns the process exit status: 0, 2 for bad input, 1 otherwise. An
// error is printed to stderr as one line, "focal: " and the message.
func Main(args []string, stdout, stderr io.Writer) int {
	root := Root()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err != nil {
		msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
		// The focal package's errors start with "focal: " too.
		msg = strings.TrimPrefix(msg, "focal: ")
		fmt.Fprintf(stderr, "focal: %s\n", msg)
	}
	return exitcode.Code(err)
}

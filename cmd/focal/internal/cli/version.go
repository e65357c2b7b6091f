package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/focalgo/focal/internal/kernel"
)

// NewVersionCommand returns `focal version`.
func NewVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the focal version, the Go toolchain it was built with and the loss kernels in use",
		Example: "  focal version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "focal %s %s %s/%s\nkernels: %s\n",
				Version, runtime.Version(), runtime.GOOS, runtime.GOARCH, kernel.Describe())
			return err
		},
	}
}

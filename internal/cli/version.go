package cli

import (
	"fmt"
	"runtime"
	"strings"

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
			var impls []string
			for _, m := range kernel.Impls() {
				impls = append(impls, m.String())
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "focal %s %s %s/%s\nkernels: %v (this machine and build: %s)\n",
				Version, runtime.Version(), runtime.GOOS, runtime.GOARCH, kernel.Current(), strings.Join(impls, ", "))
			return err
		},
	}
}

package cli

import (
	"context"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
)

// interruptible returns cmd's context, cancelled by the first Ctrl-C so
// that a long run (train, demo) stops between steps and reports what it
// has; from then on Ctrl-C has its default effect again, so a second one
// kills the process. The caller defers stop.
func interruptible(cmd *cobra.Command) (ctx context.Context, stop context.CancelFunc) {
	ctx = cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop = signal.NotifyContext(ctx, os.Interrupt)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills the process
	}()
	return ctx, stop
}

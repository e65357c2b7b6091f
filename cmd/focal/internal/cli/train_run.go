package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/focalgo/focal/cmd/focal/internal/output"
	"github.com/focalgo/focal/cmd/focal/internal/train"
)

// trainDest are the outputs of focal train: nil for a flag not given.
type trainDest struct {
	plan  *output.Plan
	save  *output.Output
	plots *output.Dir
}

func runTrain(cmd *cobra.Command, c train.Config, f trainFlags, dst trainDest) error {
	ctx, stop := interruptible(cmd)
	defer stop()

	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	var progress train.Progress
	if !f.quiet {
		progress = newProgress(stdout, stderr)
	}
	r, runErr := train.Run(ctx, c, progress)
	if r == nil {
		return runErr
	}
	if f.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else if len(r.Results) > 0 {
		if err := r.WriteTable(stdout); err != nil {
			return err
		}
	}
	if runErr != nil {
		if f.save != "" {
			runErr = fmt.Errorf("%w; --save %s not written", runErr, f.save)
		}
		return runErr
	}
	if dst.plots != nil {
		if err := train.WritePlots(dst.plots, r); err != nil {
			return err
		}
	}
	if dst.save != nil {
		if err := dst.save.Write(func(w io.Writer) error { return train.Save(w, r.Results[0].Model()) }); err != nil {
			return err
		}
	}
	return dst.plan.Commit()
}

package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
	"github.com/focalgo/focal/cmd/focal/internal/train"
)

// NewPredictCommand returns the focal predict command.
func NewPredictCommand() *cobra.Command {
	var model, data, out string
	cmd := &cobra.Command{
		Use:   "predict --model MODEL --data FILE --out FILE",
		Short: "Write the class probabilities of a model saved by focal train",
		Long: `Apply a model saved with focal train --save to new data and write the
probabilities: to an .npy file ([N] for a binary model, the positive class's
probability; [N, C] for C classes) when --out ends in .npy, else to CSV with a
header p_CLASS per column. A CSV input needs the training feature columns, by
name, in any order; other columns (such as the label) are ignored.`,
		Example: `  focal train --data fraud.csv --label is_fraud --loss focal --save fraud.model
  focal predict --model fraud.model --data new.csv --out scores.csv
  focal predict --model fmnist.model \
      --data /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz --out p.npy`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, req := range []struct{ flag, v string }{{"--model", model}, {"--data", data}, {"--out", out}} {
				if req.v == "" {
					return exitcode.Input(fmt.Errorf("%s: required", req.flag))
				}
			}
			n, err := train.PredictFile(model, data, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d rows of probabilities to %s\n", n, out)
			return nil
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitcode.Input(err) })
	f := cmd.Flags()
	f.StringVar(&model, "model", "", "model file written by focal train --save")
	f.StringVar(&data, "data", "", "features: FILE.csv, X.npy or IDX IMAGES")
	f.StringVar(&out, "out", "", "output file: .npy, or CSV otherwise")
	return cmd
}

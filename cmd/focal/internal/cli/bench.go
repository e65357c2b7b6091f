package cli

import (
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/focalgo/focal/cmd/focal/internal/bench"
	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
)

// NewBenchCommand returns `focal bench`; the work is package bench's.
func NewBenchCommand() *cobra.Command {
	o := bench.DefaultOptions()
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Time the focal-loss kernels against a memory triad and PyTorch",
		Long: `bench times every form of the focal loss, each computing the reduced loss
and its gradient (as a training step does) on n float32 logits with 1%
positive targets: the paper's sigmoid focal loss (α = 0.25, γ = 2,
normalised by the positives) and its forms with the Hessian, soft targets,
γ = 2.5, float64 data, a weight per element and an ignore mask (one in
ten); every other member of the family with its default parameters; and
the C = 80 forms (sparse labels; softmax with the
class axis last, second ([N, 80, 32, 32], when n holds one such image) and
with label smoothing). Each runs on every kernel implementation of this
machine (the pure-Go one: the sigmoid and C = 80 forms), the lower ones in
child processes of this executable under the GODEBUG setting that selects
them. Beside them: the streaming triad a = b + s·c that bounds the kernels
by memory bandwidth, and, when the Python interpreter can import torch and
torchvision, the sigmoid workload forward + backward in
torchvision.ops.sigmoid_focal_loss and in the tutorial's FocalLoss class,
with the same thread count.

It prints one table of medians of repeated calls, all measured in this one
run: each row's time per element, its ratio to its floor (the triad's time
for the bytes the row streams) and to the size's first focal.Loss row, and,
for the rows with one, their goal and whether it is met. --json writes the
same as one JSON object.

A second table (--stream N elements, 0 for none; not with --json) runs
focal loss end to end on a generated pair of float32 .npy files of N
elements, with and without --out and --grad, against reading the files
from the page cache and, when Python has them, numpy.load of the pair and
torchvision's loss on it, with the time over the read and the peak
resident memory of each.`,
		Example: `  focal bench
  focal bench --sizes 196608,8000000 --repeats 11 --threads 2
  focal bench --torch=false
  focal bench --sizes 8000000 --json > bench.json
  focal bench --sizes 8000000 --stream 200000000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return exitcode.Input(err)
			}
			if exe, err := os.Executable(); err == nil {
				o.Exec = append([]string{exe}, strings.Fields(cmd.CommandPath())[1:]...)
			}
			return bench.Run(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.IntSliceVar(&o.Sizes, "sizes", o.Sizes, "elements per call, comma-separated")
	f.IntVar(&o.Warmup, "warmup", o.Warmup, "untimed calls before the timed ones")
	f.IntVar(&o.Repeats, "repeats", o.Repeats, "timed calls per row (the table shows the median)")
	f.IntVar(&o.Threads, "threads", o.Threads, "threads for Go (GOMAXPROCS) and PyTorch")
	f.StringVar(&o.Python, "python", o.Python, "Python interpreter for the PyTorch rows")
	f.BoolVar(&o.Torch, "torch", o.Torch, "run the PyTorch rows when torch and torchvision import")
	f.BoolVar(&o.JSON, "json", o.JSON, "write the report as JSON (every row with its time per element and floor)")
	f.IntVar(&o.Stream, "stream", 20_000_000, "elements of the generated .npy pair `focal loss` streams end to end (0: no streamed rows)")
	return cmd
}

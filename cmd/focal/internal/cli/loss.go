package cli

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
	"github.com/focalgo/focal/cmd/focal/internal/npy"
	"github.com/focalgo/focal/cmd/focal/internal/output"
	"github.com/focalgo/focal/cmd/focal/internal/quote"
)

// lossFlags are the flags of `focal loss`, as the user typed them.
type lossFlags struct {
	logits, targets, weights string
	kind, alpha, reduction   string
	classAxis                string
	gamma, smoothing         float64
	clipHessian              bool
	minHessian               float64
	ignoreIndex              int
	out, grad, hess          string
	params                   []string
	changed                  func(flag string) bool
}

// NewLossCommand returns `focal loss`, the focal loss, its gradient and its
// Hessian diagonal on .npy arrays.
//
// The flags, their defaults and the output shapes are a contract that
// external checks rely on: change them only compatibly.
func NewLossCommand() *cobra.Command {
	var f lossFlags
	cmd := &cobra.Command{
		Use:   "loss --logits L.npy --targets T.npy [flags]",
		Short: "Focal loss, gradient and Hessian diagonal of NumPy arrays",
		Long: `loss computes the focal loss FL = −αₜ (1 − pₜ)^γ log pₜ of the logits in an .npy
file against the targets in another, with PyTorch's conventions, so that its
output can be compared with torchvision.ops.sigmoid_focal_loss or a softmax
focal loss on the same arrays.

  --kind sigmoid  (default) logits of any shape, float32 or float64; targets of
                  the same shape, float (soft targets in [0, 1]), bool, uint8 or
                  integer; targets equal to --ignore-index are left out.
                  --alpha is one value, default 0.25; negative turns α off.
  --kind poly1, asl, qfl, varifocal, flstar, flsd, reduced (the focal family,
                  docs/family.md): as sigmoid; --alpha and --gamma set the
                  member's α and γ when given, --param name=value any of its
                  parameters; defaults are the reference implementation's.
  --kind softmax  logits [N, C, d…] (class axis second, PyTorch), or [..., C]
                  with --class-axis last; integer targets [N, d…] (resp. [...]);
                  --alpha is off by default, one value or C comma-separated
                  class weights; --label-smoothing ε mixes in ε/C.

--reduction mean divides by the number of non-ignored targets, positives by
max(1, number of positive targets) (softmax: labels ≠ 0), sum and none do not
divide. --out gets the per-element loss for none (shape of the logits for
sigmoid, of the targets for softmax) or a 0-d array; without --out the reduced
value is printed. --grad and --hess get the gradient and Hessian diagonal of
the reduced loss (of the sum for none) w.r.t. the logits, in the logits' shape
and dtype. --weights multiplies each loss (sigmoid: logits' shape; softmax:
targets' shape). Outputs are written all or none, never over an input or over
each other (checked before any work); a replaced file keeps its mode, links,
FIFOs and devices are written through.

The arrays are streamed a block at a time (files and pipes alike), so that
files of any size take a few tens of MB of memory; with --grad or --hess and
the mean or positives reduction the targets are read twice (a pipe's are
copied to a temporary file), to know the divisor before the first gradient.`,
		Example: `  # torchvision's sigmoid_focal_loss(x, t, alpha=0.25, gamma=2, reduction="mean")
  focal loss --logits x.npy --targets t.npy

  # per-element losses and the gradient of their sum
  focal loss --logits x.npy --targets t.npy --reduction none --out loss.npy --grad grad.npy

  # softmax focal loss on NCHW segmentation logits with class weights
  focal loss --kind softmax --logits seg.npy --targets labels.npy --alpha 1,2,2 --ignore-index 255`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.changed = cmd.Flags().Changed
			return runLoss(cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.logits, "logits", "", "logits .npy file (float32 or float64) (required)")
	fl.StringVar(&f.targets, "targets", "", "targets .npy file (required)")
	fl.StringVar(&f.kind, "kind", "sigmoid", "sigmoid, softmax, or a focal-family member: "+familyKinds())
	fl.StringArrayVar(&f.params, "param", nil, "family member parameter name=value (repeatable; see docs/family.md)")
	fl.StringVar(&f.alpha, "alpha", "", "α: sigmoid one value (default 0.25, negative = off); softmax one value or one per class, comma-separated (default off)")
	fl.Float64Var(&f.gamma, "gamma", 2, "focusing parameter γ ≥ 0")
	fl.StringVar(&f.reduction, "reduction", "mean", "none, mean, sum or positives")
	fl.IntVar(&f.ignoreIndex, "ignore-index", focal.DefaultIgnoreIndex, "target value left out of the loss")
	fl.BoolVar(&f.clipHessian, "clip-hessian", false, "clip the Hessian diagonal from below at --min-hessian (for Newton steps and boosting)")
	fl.Float64Var(&f.minHessian, "min-hessian", 0, "floor of the clipped Hessian diagonal (> 0 clips by itself)")
	fl.Float64Var(&f.smoothing, "label-smoothing", 0, "softmax label smoothing ε ∈ [0, 1)")
	fl.StringVar(&f.classAxis, "class-axis", "second", "softmax class axis: second ([N, C, d…]) or last ([…, C])")
	fl.StringVar(&f.weights, "weights", "", "per-element weights .npy file (optional)")
	fl.StringVar(&f.out, "out", "", "write the loss here (.npy) instead of printing it")
	fl.StringVar(&f.grad, "grad", "", "write the gradient w.r.t. the logits here (.npy)")
	fl.StringVar(&f.hess, "hess", "", "write the Hessian diagonal w.r.t. the logits here (.npy)")
	return cmd
}

// real is the element type of the logits and every output.
type real interface{ float32 | float64 }

// badInput returns a one-line bad-input error (exit status 2).
func badInput(format string, args ...any) error {
	return exitcode.Input(fmt.Errorf(format, args...))
}

func runLoss(stdout io.Writer, f lossFlags) error {
	if f.logits == "" {
		return badInput("loss: --logits: required (an .npy file)")
	}
	if f.targets == "" {
		return badInput("loss: --targets: required (an .npy file)")
	}
	red, err := focal.ParseReduction(f.reduction)
	if err != nil {
		return badInput("loss: --reduction %s: want none, mean, sum or positives", quote.Clip(f.reduction))
	}
	if !(f.minHessian >= 0) || math.IsInf(f.minHessian, 1) {
		return badInput("loss: --min-hessian %v: want a finite floor ≥ 0", f.minHessian)
	}
	o := focal.Options{Reduction: red, ClipHessian: f.clipHessian, MinHessian: f.minHessian}
	if !(f.gamma >= 0) || math.IsInf(f.gamma, 1) {
		return badInput("loss: --gamma %v: want a finite γ ≥ 0", f.gamma)
	}
	// Every destination is checked before any input is read: a bad one
	// should not surface after the work, nor overwrite an input.
	plan := output.NewPlan()
	defer plan.Abort()
	plan.Input("--logits", f.logits)
	plan.Input("--targets", f.targets)
	plan.Input("--weights", f.weights)
	dst := &lossDest{plan: plan, loss: plan.Output("--out", f.out), grad: plan.Output("--grad", f.grad), hess: plan.Output("--hess", f.hess)}
	if err := plan.Check(); err != nil {
		return fmt.Errorf("loss: %w", err)
	}
	// The headers are read first: the shapes and dtypes are checked before
	// any data is.
	x, err := openNPY("--logits", f.logits)
	if err != nil {
		return err
	}
	defer x.Close()
	if x.Dtype != "f4" && x.Dtype != "f8" {
		return badInput("loss: --logits %s: dtype %s, want float32 or float64", f.logits, x.Dtype)
	}
	if x.Len() == 0 {
		return badInput("loss: --logits %s: empty array (shape %v)", f.logits, x.Shape)
	}
	t, err := openNPY("--targets", f.targets)
	if err != nil {
		return err
	}
	defer t.Close()
	var w *npy.Stream
	if f.weights != "" {
		if w, err = openNPY("--weights", f.weights); err != nil {
			return err
		}
		defer w.Close()
	}
	l, err := parseLoss(f)
	if err != nil {
		return err
	}
	in := lossInputs{x: x, t: t, w: w}
	if x.Dtype == "f4" {
		return computeLoss[float32](stdout, dst, f, o, l, in)
	}
	return computeLoss[float64](stdout, dst, f, o, l, in)
}

// lossKind is the loss --kind selects: a sigmoid-form member or the
// softmax focal loss.
type lossKind struct {
	sigmoid *focal.Sigmoid // plain sigmoid focal loss (its vectorized kernel)
	member  focal.Member   // a focal-family member
	softmax *focal.Softmax
}

// parseLoss checks the flags that choose and parameterise the loss.
func parseLoss(f lossFlags) (lossKind, error) {
	if len(f.params) > 0 && (f.kind == "sigmoid" || f.kind == "softmax") {
		return lossKind{}, badInput("loss: --param: only for the focal-family kinds (%s)", familyKinds())
	}
	switch f.kind {
	case "sigmoid":
		if f.smoothing != 0 {
			return lossKind{}, badInput("loss: --label-smoothing: only for --kind softmax")
		}
		if f.classAxis != "second" {
			return lossKind{}, badInput("loss: --class-axis: only for --kind softmax")
		}
		s := focal.Sigmoid{Alpha: 0.25, Gamma: f.gamma}
		if f.alpha != "" {
			a, err := strconv.ParseFloat(strings.TrimSpace(f.alpha), 64)
			if err != nil || math.IsNaN(a) || a > 1 {
				return lossKind{}, badInput("loss: --alpha %s: want one number α ≤ 1 for --kind sigmoid (0 or negative: off)", quote.Clip(f.alpha))
			}
			s.Alpha = max(a, 0)
		}
		return lossKind{sigmoid: &s}, nil
	case "softmax":
		s := focal.Softmax{Gamma: f.gamma, LabelSmoothing: f.smoothing, IgnoreIndex: f.ignoreIndex}
		if !(f.smoothing >= 0 && f.smoothing < 1) {
			return lossKind{}, badInput("loss: --label-smoothing %v: want 0 ≤ ε < 1", f.smoothing)
		}
		if f.alpha != "" {
			for i, part := range strings.Split(f.alpha, ",") {
				a, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
				if err != nil || !(a >= 0) || math.IsInf(a, 1) {
					return lossKind{}, badInput("loss: --alpha %s: value %d (%s) is not a finite number ≥ 0", quote.Clip(f.alpha), i+1, quote.Clip(part))
				}
				s.Alpha = append(s.Alpha, a)
			}
		}
		if f.classAxis != "second" && f.classAxis != "last" {
			return lossKind{}, badInput("loss: --class-axis %s: want second or last", quote.Clip(f.classAxis))
		}
		return lossKind{softmax: &s}, nil
	}
	k, err := focal.ParseKind(f.kind)
	if err != nil {
		return lossKind{}, badInput("loss: --kind %s: want sigmoid, softmax or one of %s", quote.Clip(f.kind), familyKinds())
	}
	if f.smoothing != 0 || f.classAxis != "second" {
		return lossKind{}, badInput("loss: --label-smoothing and --class-axis are only for --kind softmax")
	}
	params, err := parseParams("loss", k, f.params)
	if err != nil {
		return lossKind{}, err
	}
	if f.changed != nil && f.changed("gamma") {
		if !hasParam(k, "gamma") {
			return lossKind{}, badInput("loss: --gamma: %s has no γ (its parameters: %s; use --param)", k, strings.Join(k.Params(), ", "))
		}
		params["gamma"] = f.gamma
	}
	if f.alpha != "" {
		a, err := strconv.ParseFloat(strings.TrimSpace(f.alpha), 64)
		if err != nil || math.IsNaN(a) || a > 1 {
			return lossKind{}, badInput("loss: --alpha %s: want one number α ≤ 1 (0 or negative: off)", quote.Clip(f.alpha))
		}
		if !hasParam(k, "alpha") {
			return lossKind{}, badInput("loss: --alpha: %s has no α (its parameters: %s)", k, strings.Join(k.Params(), ", "))
		}
		params["alpha"] = max(a, 0)
	}
	m, err := newMember("loss", k, params)
	if err != nil {
		return lossKind{}, err
	}
	return lossKind{member: m}, nil
}

// lossInputs are the opened input files; w is nil without --weights.
type lossInputs struct{ x, t, w *npy.Stream }

// wholeArrays makes focal loss read every array whole, as it does for
// Fortran-order files; tests compare it with the streamed computation.
var wholeArrays = false

// computeLoss computes the loss with logits of type T: streamed, or on
// whole arrays when an input is in Fortran order (its elements are not in
// the order the others are read in).
func computeLoss[T real](stdout io.Writer, dst *lossDest, f lossFlags, o focal.Options, l lossKind, in lossInputs) error {
	fortran := in.x.Fortran || in.t.Fortran || (in.w != nil && in.w.Fortran)
	if !wholeArrays && !fortran {
		return streamLoss[T](stdout, dst, f, o, l, in)
	}
	x, err := readWhole("--logits", in.x)
	if err != nil {
		return err
	}
	t, err := readWhole("--targets", in.t)
	if err != nil {
		return err
	}
	var w *npy.Array
	if in.w != nil {
		if w, err = readWhole("--weights", in.w); err != nil {
			return err
		}
	}
	var data any = x.F64
	if x.F32 != nil {
		data = x.F32
	}
	xs := data.([]T) // T is the logits' dtype
	switch {
	case l.softmax != nil:
		return softmaxLoss(stdout, dst, f, *l.softmax, o, x.Shape, xs, t, w)
	case l.sigmoid != nil:
		return elementwiseLoss(stdout, dst, f, o, memberFn[T](*l.sigmoid), x.Shape, xs, t, w)
	}
	return elementwiseLoss(stdout, dst, f, o, memberFn[T](l.member), x.Shape, xs, t, w)
}

// openNPY opens an input file and reads its header.
func openNPY(flag, path string) (*npy.Stream, error) {
	s, err := npy.Open(path)
	if err != nil {
		return nil, badInput("loss: %s %v", flag, err)
	}
	return s, nil
}

// readWhole reads an opened input whole.
func readWhole(flag string, s *npy.Stream) (*npy.Array, error) {
	a, err := s.ReadAll()
	if err != nil {
		return nil, badInput("loss: %s %v", flag, err)
	}
	return a, nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// asFloat converts an .npy array of any supported dtype to T, rejecting
// values that do not survive the conversion (beyond float32).
func asFloat[T real](flag, path string, a *npy.Array) ([]T, error) {
	v := a.Float64()
	out := make([]T, len(v))
	for i, e := range v {
		out[i] = T(e)
		if !math.IsInf(e, 0) && math.IsInf(float64(out[i]), 0) {
			return nil, badInput("loss: %s %s: element %d = %v overflows the logits' dtype", flag, path, i, e)
		}
	}
	return out, nil
}

// lossFn is an elementwise (sigmoid-form) loss: the sigmoid focal loss or
// a member of the focal family.
type lossFn[T real] func(o focal.Options, x, y, w []T, ignore []bool, out focal.Outputs[T]) (focal.Total, error)

func memberFn[T real, M focal.Member](m M) lossFn[T] {
	return func(o focal.Options, x, y, w []T, ignore []bool, out focal.Outputs[T]) (focal.Total, error) {
		return focal.Loss(m, o, out, focal.Input[T]{Logits: x, Targets: y, Weights: w, Ignore: ignore})
	}
}

// elementwiseLoss runs fn on logits and targets of the same shape.
func elementwiseLoss[T real](stdout io.Writer, dst *lossDest, f lossFlags, o focal.Options, fn lossFn[T], shape []int, x []T, ta, wa *npy.Array) error {
	if !sameShape(ta.Shape, shape) {
		return badInput("loss: --targets %s: shape %v, want the logits' shape %v", f.targets, ta.Shape, shape)
	}
	y, err := asFloat[T]("--targets", f.targets, ta)
	if err != nil {
		return err
	}
	var ignore []bool
	for i, v := range y {
		if float64(v) == float64(f.ignoreIndex) {
			if ignore == nil {
				ignore = make([]bool, len(y))
			}
			ignore[i], y[i] = true, 0
		} else if !(v >= 0 && v <= 1) {
			return badInput("loss: --targets %s: element %d = %v, want 0 ≤ target ≤ 1 (or the ignore index %d)", f.targets, i, v, f.ignoreIndex)
		}
	}
	var w []T
	if wa != nil {
		if !sameShape(wa.Shape, shape) {
			return badInput("loss: --weights %s: shape %v, want the logits' shape %v", f.weights, wa.Shape, shape)
		}
		if w, err = asFloat[T]("--weights", f.weights, wa); err != nil {
			return err
		}
	}
	out := allocOutputs[T](f, len(x), len(x))
	tot, err := fn(o, x, y, w, ignore, out)
	if err != nil {
		return coreError(f, err)
	}
	return emit(stdout, dst, f, tot, shape, shape, out)
}

func softmaxLoss[T real](stdout io.Writer, dst *lossDest, f lossFlags, s focal.Softmax, o focal.Options, shape []int, x []T, ta, wa *npy.Array) error {
	if len(shape) < 2 {
		return badInput("loss: --logits %s: shape %v, want [N, C, d…] (or […, C] with --class-axis last) for --kind softmax", f.logits, shape)
	}
	var lay focal.Layout
	var tshape []int
	switch f.classAxis {
	case "second":
		lay = focal.ClassSecond(shape[0], shape[1], shape[2:]...)
		tshape = append([]int{shape[0]}, shape[2:]...)
	case "last":
		n := 1
		for _, d := range shape[:len(shape)-1] {
			n *= d
		}
		lay = focal.ClassLast(n, shape[len(shape)-1])
		tshape = append([]int(nil), shape[:len(shape)-1]...)
	default:
		return badInput("loss: --class-axis %s: want second or last", quote.Clip(f.classAxis))
	}
	if len(s.Alpha) > 1 && len(s.Alpha) != lay.Classes {
		return badInput("loss: --alpha %s: %d class weights for %d classes (want one value or %d)", quote.Clip(f.alpha), len(s.Alpha), lay.Classes, lay.Classes)
	}
	if ta.Int == nil {
		return badInput("loss: --targets %s: dtype %s, want integer class labels for --kind softmax", f.targets, ta.Dtype)
	}
	if !sameShape(ta.Shape, tshape) {
		return badInput("loss: --targets %s: shape %v, want %v for logits %v (class axis %s)", f.targets, ta.Shape, tshape, shape, f.classAxis)
	}
	var w []T
	if wa != nil {
		if !sameShape(wa.Shape, tshape) {
			return badInput("loss: --weights %s: shape %v, want the targets' shape %v", f.weights, wa.Shape, tshape)
		}
		var err error
		if w, err = asFloat[T]("--weights", f.weights, wa); err != nil {
			return err
		}
	}
	labels := ta.Int
	if s.IgnoreIndex >= 0 && s.IgnoreIndex < lay.Classes {
		// PyTorch ignores any ignore_index, also a class's; the core
		// package reads an index inside [0, C) as none, so move those
		// labels to a value outside.
		const outside = math.MinInt64
		labels = make([]int64, len(ta.Int))
		for i, l := range ta.Int {
			switch l {
			case int64(s.IgnoreIndex):
				labels[i] = outside
			case outside:
				return badInput("loss: --targets %s: element %d = %d, want 0 ≤ label < %d or the ignore index %d", f.targets, i, l, lay.Classes, s.IgnoreIndex)
			default:
				labels[i] = l
			}
		}
		s.IgnoreIndex = outside
	}
	out := allocOutputs[T](f, lay.Labels(), len(x))
	tot, err := focal.SoftmaxLoss(s, o, out, focal.SoftmaxInput[T, int64]{Logits: x, Layout: lay, Labels: labels, Weights: w})
	if err != nil {
		return coreError(f, err)
	}
	return emit(stdout, dst, f, tot, shape, tshape, out)
}

// coreError names the file or flag behind an error of the focal package.
func coreError(f lossFlags, err error) error {
	switch {
	case errors.Is(err, focal.ErrTarget), errors.Is(err, focal.ErrLabel):
		return badInput("loss: --targets %s: %s", f.targets, coreMessage(err))
	case errors.Is(err, focal.ErrWeight):
		return badInput("loss: --weights %s: %s", f.weights, coreMessage(err))
	case errors.Is(err, focal.ErrAlpha):
		return badInput("loss: --alpha %s: %s", quote.Clip(f.alpha), coreMessage(err))
	case errors.Is(err, focal.ErrParam):
		return badInput("loss: --kind %s / --param: %s", f.kind, coreMessage(err))
	case errors.Is(err, focal.ErrGamma):
		return badInput("loss: --gamma: %s", coreMessage(err))
	case errors.Is(err, focal.ErrSmoothing):
		return badInput("loss: --label-smoothing: %s", coreMessage(err))
	case errors.Is(err, focal.ErrLength), errors.Is(err, focal.ErrLayout):
		return badInput("loss: --logits %s / --targets %s: %s", f.logits, f.targets, coreMessage(err))
	}
	return fmt.Errorf("loss: %w", err)
}

func allocOutputs[T real](f lossFlags, nLoss, nLogits int) focal.Outputs[T] {
	var out focal.Outputs[T]
	if f.out != "" {
		out.Loss = make([]T, nLoss)
	}
	if f.grad != "" {
		out.Grad = make([]T, nLogits)
	}
	if f.hess != "" {
		out.Hess = make([]T, nLogits)
	}
	return out
}

// lossDest are the outputs of focal loss: nil for a flag not given.
type lossDest struct {
	plan             *output.Plan
	loss, grad, hess *output.Output
}

// emit writes the requested outputs, all or none, and prints the reduced
// loss when --out is not given.
func emit[T real](stdout io.Writer, dst *lossDest, f lossFlags, tot focal.Total, xshape, lshape []int, out focal.Outputs[T]) error {
	red := tot.Reduction
	reduced := tot.Value()
	write := func(o *output.Output, shape []int, v []T) error {
		if o == nil {
			return nil
		}
		return o.Write(func(w io.Writer) error { return npy.Write(w, shape, v) })
	}
	lossShape, loss := lshape, out.Loss
	if red != focal.None {
		lossShape, loss = nil, []T{T(reduced)}
	}
	err := write(dst.loss, lossShape, loss)
	if err == nil {
		err = write(dst.grad, xshape, out.Grad)
	}
	if err == nil {
		err = write(dst.hess, xshape, out.Hess)
	}
	if err == nil {
		err = dst.plan.Commit()
	}
	if err != nil {
		return fmt.Errorf("loss: %w", err)
	}
	if f.out == "" {
		return printValue[T](stdout, tot)
	}
	return nil
}

// printValue prints the reduced loss (the sum for none) in the logits'
// precision, like PyTorch would print it.
func printValue[T real](stdout io.Writer, tot focal.Total) error {
	bits := 64
	var zero T
	if _, ok := any(zero).(float32); ok {
		bits = 32
	}
	v := tot.Value()
	if tot.Reduction == focal.None {
		v = tot.Sum
	}
	_, err := fmt.Fprintln(stdout, strconv.FormatFloat(float64(T(v)), 'g', -1, bits))
	return err
}

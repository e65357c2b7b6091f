package focal

import (
	"fmt"

	"github.com/focalgo/focal/internal/kernel"
)

// Labels of SparseLoss rows that name no class.
const (
	// Background marks a row whose C outputs are all negatives (torchvision's
	// Matcher.BELOW_LOW_THRESHOLD). mmdet writes background as C instead:
	// map it to Background before calling.
	Background = -1
	// IgnoreLabel marks a row excluded from the loss, the counts and the
	// gradient (torchvision's Matcher.BETWEEN_THRESHOLDS).
	IgnoreLabel = -2
)

// SparseInput is the data of SparseLoss: the logits of a detection head,
// [N, C] row-major, and one label per row.
type SparseInput[T Float, L Int] struct {
	// Logits are N·C sigmoid logits, row n holding the C classes of one
	// anchor.
	Logits []T
	// Classes is C ≥ 1.
	Classes int
	// Labels[n] is row n's class in [0, C), Background or IgnoreLabel.
	Labels []L
}

// SparseLoss is the sigmoid focal loss of detection heads: it equals Loss
// with member s on the one-hot targets (targets[n·C + labels[n]] = 1, the
// rest 0), with IgnoreLabel rows ignored, without forming them. Mean
// divides by the number of elements of non-ignored rows; Positives by the
// number of rows with a class label.
//
// Destinations are nil or as long as the logits. Labels outside [0, C)
// that are neither Background nor IgnoreLabel return an error wrapping
// ErrLabel.
func SparseLoss[T Float, L Int](s Sigmoid, o Options, out Outputs[T], in SparseInput[T, L]) (Total, error) {
	if err := s.Validate(); err != nil {
		return Total{}, err
	}
	if err := o.validate(); err != nil {
		return Total{}, err
	}
	C := in.Classes
	if C < 1 {
		return Total{}, fmt.Errorf("%w: classes = %d (want ≥ 1)", ErrLayout, C)
	}
	if len(in.Logits) != len(in.Labels)*C {
		return Total{}, fmt.Errorf("%w: logits have length %d, want %d labels × %d classes = %d",
			ErrLength, len(in.Logits), len(in.Labels), C, len(in.Labels)*C)
	}
	if err := out.check(len(in.Logits), len(in.Logits)); err != nil {
		return Total{}, err
	}
	f := sparse[T, L]{in: in, out: out, sig: s.params()}
	f.sig.ClipHess, f.floor = o.clip()
	return run(f, len(in.Labels), C, o)
}

// sparse is the form of SparseLoss; its units are rows.
type sparse[T Float, L Int] struct {
	in    SparseInput[T, L]
	out   Outputs[T]
	sig   kernel.SigmoidParams
	floor float64
}

func (f *sparse[T, L]) check(_, lo, hi int) (count, pos int64, bad int) {
	C := int64(f.in.Classes)
	for n, l := range f.in.Labels[lo:hi] {
		switch v := int64(l); {
		case v == IgnoreLabel:
			continue
		case v == Background:
		case v >= 0 && v < C:
			pos++
		default:
			return 0, 0, lo + n
		}
		count += C
	}
	return count, pos, -1
}

func (f *sparse[T, L]) explain(bad int) error {
	return fmt.Errorf("%w: labels[%d] = %d (want 0 ≤ label < %d, Background = %d or IgnoreLabel = %d)",
		ErrLabel, bad, int64(f.in.Labels[bad]), f.in.Classes, Background, IgnoreLabel)
}

func (f *sparse[T, L]) setScale(scale float64) { f.sig.Scale = scale }

func (f *sparse[T, L]) compute(_, lo, hi int) float64 {
	a, b := lo*f.in.Classes, hi*f.in.Classes
	o := f.out
	sum := kernel.Sparse(&f.sig, sub(o.Loss, a, b), sub(o.Grad, a, b), sub(o.Hess, a, b), f.in.Logits[a:b], f.in.Classes, f.in.Labels[lo:hi])
	if f.floor > 0 && o.Hess != nil {
		for n, l := range f.in.Labels[lo:hi] {
			if int64(l) != IgnoreLabel {
				r := (lo + n) * f.in.Classes
				floorHessian(o.Hess[r:r+f.in.Classes], f.floor, []T(nil), nil)
			}
		}
	}
	return sum
}

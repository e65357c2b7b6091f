package focal

import (
	"fmt"

	"github.com/focalgo/focal/internal/kernel"
)

// Labels of SparseFocal rows that name no class.
const (
	// Background marks a row whose C outputs are all negatives (torchvision's
	// Matcher.BELOW_LOW_THRESHOLD). mmdet writes background as C instead:
	// map it to Background before calling.
	Background = -1
	// IgnoreLabel marks a row excluded from the loss, the counts and the
	// gradient (torchvision's Matcher.BETWEEN_THRESHOLDS).
	IgnoreLabel = kernel.SparseIgnore
)

// Int is the element type of integer labels.
type Int = kernel.Int

// SparseFocal is the sigmoid focal loss of detection heads: logits x are
// [N, C] row-major (len(x) = N·C) and labels[n] is row n's class in [0, C),
// Background or IgnoreLabel. It equals SigmoidFocal on the one-hot targets
// (targets[n·C + labels[n]] = 1, the rest 0), with IgnoreLabel rows masked,
// without forming them. Mean divides by the number of elements of non-ignored
// rows; Positives by the number of rows with a class label.
//
// Destinations are nil or of length len(x). Labels outside [0, C) that are
// neither Background nor IgnoreLabel return an error wrapping ErrLabel.
func SparseFocal[T Float, L Int](s Sigmoid, out Outputs[T], x []T, classes int, labels []L) (Total, error) {
	if err := s.validate(); err != nil {
		return Total{}, err
	}
	if classes < 1 {
		return Total{}, fmt.Errorf("%w: classes = %d (want ≥ 1)", ErrLayout, classes)
	}
	if len(x) != len(labels)*classes {
		return Total{}, fmt.Errorf("%w: logits have length %d, want %d labels × %d classes = %d",
			ErrLength, len(x), len(labels), classes, len(labels)*classes)
	}
	if err := checkOut(out, len(x), "one per logit"); err != nil {
		return Total{}, err
	}
	var t Total
	for n, l := range labels {
		switch v := int64(l); {
		case v == IgnoreLabel:
			continue
		case v == Background:
		case v >= 0 && v < int64(classes):
			t.Positives++
		default:
			return Total{}, fmt.Errorf("%w: labels[%d] = %d (want 0 ≤ label < %d, Background = %d or IgnoreLabel = %d)",
				ErrLabel, n, v, classes, Background, IgnoreLabel)
		}
		t.Count += int64(classes)
	}
	j := getJob[sparseJob[T, L]]()
	defer putJob(j)
	j.x, j.labels, j.out, j.classes = x, labels, out, classes
	defer j.clear()
	j.p = s.kernelParams()
	j.p.Scale = scale(s.Reduction, s.Normalizer, t)
	j.size, j.chunks = chunking(len(labels), classes)
	j.run()
	t.Sum = j.sumPartials()
	return t, nil
}

type sparseJob[T Float, L Int] struct {
	job
	size, classes int
	p             kernel.SigmoidParams
	x             []T
	labels        []L
	out           Outputs[T]
}

func (j *sparseJob[T, L]) init() { j.fn = j.chunk }

func (j *sparseJob[T, L]) clear() { j.x, j.labels, j.out = nil, nil, Outputs[T]{} }

func (j *sparseJob[T, L]) chunk(c int) {
	lo := c * j.size
	hi := min(lo+j.size, len(j.labels))
	a, b := lo*j.classes, hi*j.classes
	o := j.out
	j.partial[c] = kernel.Sparse(&j.p, sub(o.Loss, a, b), sub(o.Grad, a, b), sub(o.Hess, a, b), j.x[a:b], j.classes, j.labels[lo:hi])
}

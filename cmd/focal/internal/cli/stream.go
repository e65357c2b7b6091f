package cli

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/cmd/focal/internal/npy"
	"github.com/focalgo/focal/cmd/focal/internal/output"
	"github.com/focalgo/focal/cmd/focal/internal/quote"
)

// focal loss streams its inputs: it reads them a block at a time, computes
// each block on every core and writes the block's outputs into their staged
// files while the next block is read, so that its memory is a few blocks
// whatever the size of the arrays, and an array larger than memory works.
//
// The reduced loss and its derivatives need the reduction's divisor (the
// number of targets counted, or of positives) before the first gradient is
// written: when --grad or --hess is asked for with the mean or positives
// reduction, a first pass reads only the targets (and weights), checks them
// and counts; the second computes with Options.Normalizer set to that
// divisor, so that each block's gradient is its part of the whole one.
// Otherwise one pass does all. Either way nothing is committed before the
// last block is checked: a bad value in the last block leaves no output.
//
// Bit for bit: package focal splits a call into pieces of corePiece units
// (up to 256 of them) and adds the pieces' sums in order. The stream calls
// it once per such piece and merges the Totals in order, so the loss and
// the outputs equal the whole-array call's exactly for arrays of up to 256
// pieces (4 Mi elements for the sigmoid focal loss); beyond, the whole-array
// call takes longer pieces and the sums differ by float64 rounding only.
// The softmax with the class axis second is computed a block of whole
// samples per call: its sum is exact when the array is one block.

// streamBlock is the number of logits a block holds, about (at least one
// piece, or one sample with the class axis second). Tests lower it to
// exercise block boundaries.
var streamBlock = 1 << 20

// blocksInFlight is the number of blocks allocated: one being read, one
// computed, one written.
const blocksInFlight = 3

// corePiece returns the number of units (elements or label positions)
// package focal computes as one piece of a small call, each costing about
// cost elements: its chunking gives pieces of 16384 / cost units (cost 1
// for the vectorized sigmoid kernel, 2 for the other members' Go loop, C
// for a softmax position).
func corePiece(cost int) int { return max(1, 16384/max(1, cost)) }

// prepPiece is the number of label positions one worker converts at a time
// with the class axis second, where one call computes the whole block.
const prepPiece = 16384

// The forms of a streamed loss.
const (
	formElementwise = iota // one target per logit
	formClassLast          // softmax, rows of C logits
	formClassSecond        // softmax, [N, C, d…]
)

// streamed is one streamed run of focal loss with logits of type T.
type streamed[T real] struct {
	f    lossFlags
	o    focal.Options
	in   lossInputs
	form int

	fn   lossFn[T]      // the elementwise loss
	hard bool           // elementwise targets must be 0 or 1
	kind focal.Kind     // for messages about hard targets
	sm   *focal.Softmax // the softmax loss, its IgnoreIndex the core's
	// coreIgnore is what a label equal to --ignore-index becomes: the
	// ignore index, or one outside the classes when it is a class (PyTorch
	// ignores it all the same).
	coreIgnore     int64
	classes, inner int

	units, per   int // label positions (elements); logits per unit
	piece, block int // units per piece and per block
	xshape       []int
	lshape       []int // the per-element loss's shape

	xNative, tNative, wNative bool    // raw bytes usable as []T
	mapped                    [3]bool // logits, targets, weights: files mapped
	workers                   int
	scratch                   [][]float64 // per worker, one piece

	sinks []*sink // streamed outputs: loss (for none), grad, hess
}

// A sink is a streamed output: the staged file of a regular output, or an
// unnamed spool for a FIFO or a device, which gets the content at Commit,
// once every regular output is staged.
type sink struct {
	o      *output.Output
	w      io.Writer
	spool  *os.File
	which  int // sinkLoss, sinkGrad or sinkHess
	logits bool
}

const (
	sinkLoss = iota
	sinkGrad
	sinkHess
)

// newStreamed checks the shapes and dtypes of the inputs for the loss l,
// reading no data.
func newStreamed[T real](f lossFlags, o focal.Options, l lossKind, in lossInputs) (*streamed[T], error) {
	r := &streamed[T]{f: f, o: o, in: in, xshape: in.x.Shape, per: 1}
	var zero T
	xdt := "f8"
	if _, ok := any(zero).(float32); ok {
		xdt = "f4"
	}
	r.xNative, r.tNative = in.x.Native(xdt), in.t.Native(xdt)
	if in.w != nil {
		r.wNative = in.w.Native(xdt)
	}
	shape := in.x.Shape
	if l.softmax == nil {
		if !sameShape(in.t.Shape, shape) {
			return nil, badInput("loss: --targets %s: shape %v, want the logits' shape %v", f.targets, in.t.Shape, shape)
		}
		if in.w != nil && !sameShape(in.w.Shape, shape) {
			return nil, badInput("loss: --weights %s: shape %v, want the logits' shape %v", f.weights, in.w.Shape, shape)
		}
		r.form, r.units, r.lshape = formElementwise, in.x.Len(), shape
		cost := 2
		var m focal.Member = l.member
		if l.sigmoid != nil {
			cost, m = 1, *l.sigmoid
			r.fn = memberFn[T](*l.sigmoid)
		} else {
			if _, ok := l.member.(focal.Sigmoid); ok {
				cost = 1
			}
			r.fn = memberFn[T](l.member)
		}
		switch m.(type) {
		case focal.Asymmetric, focal.FLStar:
			r.hard = true
		}
		r.kind = m.Kind()
		r.piece = corePiece(cost)
		r.block = max(1, streamBlock/r.piece) * r.piece
		// Parameters are checked before any data is read.
		if _, err := r.fn(o, nil, nil, nil, nil, focal.Outputs[T]{}); err != nil {
			return nil, coreError(f, err)
		}
	} else {
		s := *l.softmax
		if len(shape) < 2 {
			return nil, badInput("loss: --logits %s: shape %v, want [N, C, d…] (or […, C] with --class-axis last) for --kind softmax", f.logits, shape)
		}
		var tshape []int
		if f.classAxis == "last" {
			r.form, r.classes = formClassLast, shape[len(shape)-1]
			tshape = append([]int(nil), shape[:len(shape)-1]...)
		} else {
			r.form, r.classes = formClassSecond, shape[1]
			tshape = append([]int{shape[0]}, shape[2:]...)
		}
		r.inner = 1
		for _, d := range shape[2:] {
			r.inner *= d
		}
		if len(s.Alpha) > 1 && len(s.Alpha) != r.classes {
			return nil, badInput("loss: --alpha %s: %d class weights for %d classes (want one value or %d)", quote.Clip(f.alpha), len(s.Alpha), r.classes, r.classes)
		}
		if !isInteger(in.t.Dtype) {
			return nil, badInput("loss: --targets %s: dtype %s, want integer class labels for --kind softmax", f.targets, in.t.Dtype)
		}
		if !sameShape(in.t.Shape, tshape) {
			return nil, badInput("loss: --targets %s: shape %v, want %v for logits %v (class axis %s)", f.targets, in.t.Shape, tshape, shape, f.classAxis)
		}
		if in.w != nil && !sameShape(in.w.Shape, tshape) {
			return nil, badInput("loss: --weights %s: shape %v, want the targets' shape %v", f.weights, in.w.Shape, tshape)
		}
		r.coreIgnore = int64(s.IgnoreIndex)
		if s.IgnoreIndex >= 0 && s.IgnoreIndex < r.classes {
			// The core reads an index inside [0, C) as none.
			r.coreIgnore = math.MinInt64
			s.IgnoreIndex = math.MinInt64
		}
		r.sm, r.per, r.lshape = &s, r.classes, tshape
		r.units = in.t.Len()
		if r.form == formClassLast {
			r.piece = corePiece(r.classes)
			r.block = max(1, streamBlock/(r.classes*r.piece)) * r.piece
		} else {
			r.piece = prepPiece
			r.block = max(1, streamBlock/(r.classes*r.inner)) * r.inner
		}
		empty := focal.SoftmaxInput[T, int64]{Layout: focal.Layout{Outer: 0, Classes: r.classes, Inner: 1}}
		if _, err := focal.SoftmaxLoss(s, o, focal.Outputs[T]{}, empty); err != nil {
			return nil, coreError(f, err)
		}
	}
	// Mapped files save a copy. Only where this package's goroutines alone
	// touch the data, to recover from the fault of a file that shrinks:
	// with the class axis second, package focal's workers read the logits.
	if r.form != formClassSecond {
		for i, s := range []*npy.Stream{in.x, in.t, in.w} {
			r.mapped[i] = s != nil && s.Map()
		}
	}
	r.workers = max(1, min(runtime.GOMAXPROCS(0), (min(r.block, r.units)+r.piece-1)/r.piece))
	r.scratch = make([][]float64, r.workers)
	for k := range r.scratch {
		r.scratch[k] = make([]float64, r.piece)
	}
	return r, nil
}

// isInteger reports whether an .npy dtype is an integer one.
func isInteger(dtype string) bool {
	switch dtype {
	case "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8":
		return true
	}
	return false
}

// streamLoss computes the loss with the inputs streamed, and writes or
// prints it.
func streamLoss[T real](stdout io.Writer, dst *lossDest, f lossFlags, o focal.Options, l lossKind, in lossInputs) error {
	r, err := newStreamed[T](f, o, l, in)
	if err != nil {
		return err
	}
	defer r.closeSinks()
	if (o.Reduction == focal.Mean || o.Reduction == focal.Positives) && (f.grad != "" || f.hess != "") {
		// The divisor first: a pass over the targets and weights only.
		for _, s := range []*npy.Stream{in.t, in.w} {
			if s != nil {
				if err := s.Spool(); err != nil {
					return fmt.Errorf("loss: %w", err)
				}
			}
		}
		count, pos, err := r.pass(true)
		if err != nil {
			return err
		}
		d := float64(max(1, count))
		if o.Reduction == focal.Positives {
			d = float64(max(1, pos))
		}
		r.o.Normalizer = d
		for _, s := range []*npy.Stream{in.t, in.w} {
			if s != nil {
				if err := s.Rewind(); err != nil {
					return fmt.Errorf("loss: %w", err)
				}
			}
		}
		runtime.GC() // the first pass's blocks are garbage: reuse their memory
	}
	if err := r.openSinks(dst); err != nil {
		return err
	}
	tot, err := r.compute()
	if err != nil {
		return err
	}
	return r.finish(stdout, dst, tot)
}

// openSinks stages the streamed outputs and writes their headers.
func (r *streamed[T]) openSinks(dst *lossDest) error {
	add := func(o *output.Output, which int, shape []int) error {
		if o == nil {
			return nil
		}
		s := &sink{o: o, which: which, logits: which != sinkLoss}
		if o.Special() {
			f, err := os.CreateTemp("", "focal-out-*")
			if err != nil {
				return fmt.Errorf("loss: %s %s: a temporary copy for the special file: %w", o.Flag(), o.Path(), err)
			}
			os.Remove(f.Name()) // unnamed: nothing to clean up
			s.spool, s.w = f, f
		} else {
			f, err := o.Create()
			if err != nil {
				return fmt.Errorf("loss: %w", err)
			}
			s.w = f
		}
		r.sinks = append(r.sinks, s)
		if err := npy.WriteHeader[T](s.w, shape); err != nil {
			return fmt.Errorf("loss: %s %s: %w", o.Flag(), o.Path(), err)
		}
		return nil
	}
	if r.o.Reduction == focal.None {
		if err := add(dst.loss, sinkLoss, r.lshape); err != nil {
			return err
		}
	}
	if err := add(dst.grad, sinkGrad, r.xshape); err != nil {
		return err
	}
	return add(dst.hess, sinkHess, r.xshape)
}

func (r *streamed[T]) closeSinks() {
	for _, s := range r.sinks {
		if s.spool != nil {
			s.spool.Close()
		}
	}
}

// finish writes the 0-d --out of a reduced loss, hands the spooled special
// outputs to the plan, commits, and prints the value without --out.
func (r *streamed[T]) finish(stdout io.Writer, dst *lossDest, tot focal.Total) error {
	if dst.loss != nil && r.o.Reduction != focal.None {
		v := []T{T(tot.Value())}
		if err := dst.loss.Write(func(w io.Writer) error { return npy.Write(w, nil, v) }); err != nil {
			return fmt.Errorf("loss: %w", err)
		}
	}
	for _, s := range r.sinks {
		if s.spool == nil {
			continue
		}
		spool := s.spool
		if err := s.o.Write(func(w io.Writer) error {
			if _, err := spool.Seek(0, io.SeekStart); err != nil {
				return err
			}
			_, err := io.Copy(w, spool)
			return err
		}); err != nil {
			return fmt.Errorf("loss: %w", err)
		}
	}
	if err := dst.plan.Commit(); err != nil {
		return fmt.Errorf("loss: %w", err)
	}
	if r.f.out == "" {
		return printValue[T](stdout, tot)
	}
	return nil
}

// A block is the data of units consecutive units, from first on, in the
// buffers one block holds.
type block[T real] struct {
	first, units     int
	xraw, traw, wraw []byte // the data: views of a mapped file, or the buffers
	xbuf, tbuf, wbuf []byte // for files read, not mapped
	x                []T    // decoded logits, when the raw ones are not T
	y                []T    // elementwise targets
	lab              []int64
	ign              []bool
	w                []T
	loss, grad, hess []T
	// Per piece: its Total, counts (first pass), whether a target is
	// ignored, and its error.
	tot      []focal.Total
	cnt, pos []int64
	ignored  []bool
	errs     []error
	total    focal.Total // class axis second: the block's call
	readErr  error
}

// aligned returns n bytes aligned for any element type.
func aligned(n int) []byte {
	if n == 0 {
		return nil
	}
	return npy.Bytes(make([]float64, (n+7)/8))[:n]
}

func (r *streamed[T]) newBlock(counting bool) *block[T] {
	n, in := r.block, r.in
	pieces := (n + r.piece - 1) / r.piece
	b := &block[T]{ign: make([]bool, n), w: nil,
		tot: make([]focal.Total, pieces), cnt: make([]int64, pieces), pos: make([]int64, pieces),
		ignored: make([]bool, pieces), errs: make([]error, pieces)}
	if !r.mapped[1] {
		b.tbuf = aligned(n * in.t.ElemSize())
	}
	if r.sm == nil {
		b.y = make([]T, n)
	} else {
		b.lab = make([]int64, n)
	}
	if in.w != nil {
		if !r.mapped[2] {
			b.wbuf = aligned(n * in.w.ElemSize())
		}
		b.w = make([]T, n)
	}
	if counting {
		return b
	}
	if !r.mapped[0] {
		b.xbuf = aligned(n * r.per * in.x.ElemSize())
	}
	if !r.xNative {
		b.x = make([]T, n*r.per)
	}
	for _, s := range r.sinks {
		switch s.which {
		case sinkLoss:
			b.loss = make([]T, n)
		case sinkGrad:
			b.grad = make([]T, n*r.per)
		case sinkHess:
			b.hess = make([]T, n*r.per)
		}
	}
	return b
}

// read reads the block's data.
func (r *streamed[T]) read(b *block[T], counting bool) error {
	in := r.in
	var err error
	if !counting {
		if b.xraw, err = in.x.Next(b.xbuf, b.units*r.per*in.x.ElemSize()); err != nil {
			return badInput("loss: --logits %v", err)
		}
	}
	if b.traw, err = in.t.Next(b.tbuf, b.units*in.t.ElemSize()); err != nil {
		return badInput("loss: --targets %v", err)
	}
	if in.w != nil {
		if b.wraw, err = in.w.Next(b.wbuf, b.units*in.w.ElemSize()); err != nil {
			return badInput("loss: --weights %v", err)
		}
	}
	return nil
}

// release gives back the mapped pages of the block and those before it:
// blocks are done in order.
func (r *streamed[T]) release(b *block[T], counting bool) {
	end := int64(b.first + b.units)
	if !counting {
		r.in.x.Release(end * int64(r.per*r.in.x.ElemSize()))
	}
	r.in.t.Release(end * int64(r.in.t.ElemSize()))
	if r.in.w != nil {
		r.in.w.Release(end * int64(r.in.w.ElemSize()))
	}
}

// pass runs one pass over the inputs: the counting pass (targets and
// weights only) returns the number of targets counted and of positives.
func (r *streamed[T]) pass(counting bool) (count, pos int64, err error) {
	_, count, pos, err = r.run(counting)
	return count, pos, err
}

// compute runs the computing pass and returns the merged Total.
func (r *streamed[T]) compute() (focal.Total, error) {
	tot, _, _, err := r.run(false)
	return tot, err
}

// run reads, computes and writes the blocks in a pipeline: a reader
// goroutine fills free blocks, this one computes them (on every core) in
// order, a writer goroutine writes their outputs and frees them. The first
// error in block order ends it.
func (r *streamed[T]) run(counting bool) (tot focal.Total, count, pos int64, err error) {
	free := make(chan *block[T], blocksInFlight)
	for range min(blocksInFlight, (r.units+r.block-1)/r.block) {
		free <- r.newBlock(counting)
	}
	filled := make(chan *block[T])
	stop := make(chan struct{})
	var once sync.Once
	var first error
	fail := func(e error) {
		once.Do(func() { first = e; close(stop) })
	}
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(filled)
		for start := 0; start < r.units; start += r.block {
			var b *block[T]
			select {
			case b = <-free:
			case <-stop:
				return
			}
			b.first, b.units = start, min(r.block, r.units-start)
			b.readErr = r.read(b, counting)
			select {
			case filled <- b:
			case <-stop:
				return
			}
			if b.readErr != nil {
				return
			}
		}
	})
	var toWrite chan *block[T]
	if !counting && len(r.sinks) > 0 {
		toWrite = make(chan *block[T])
		wg.Go(func() {
			for b := range toWrite {
				if !stopped() {
					if err := r.write(b); err != nil {
						fail(err)
					}
				}
				r.release(b, counting)
				free <- b
			}
		})
	}
	for b := range filled {
		if stopped() {
			free <- b
			continue
		}
		if b.readErr != nil {
			fail(b.readErr)
			continue
		}
		if e := r.computeBlock(b, counting); e != nil {
			fail(e)
			free <- b
			continue
		}
		pieces := (b.units + r.piece - 1) / r.piece
		for p := range pieces {
			count += b.cnt[p]
			pos += b.pos[p]
			if r.form != formClassSecond {
				tot = tot.Merge(b.tot[p])
			}
		}
		if r.form == formClassSecond {
			tot = tot.Merge(b.total)
		}
		if toWrite != nil {
			toWrite <- b
		} else {
			r.release(b, counting)
			free <- b
		}
	}
	if toWrite != nil {
		close(toWrite)
	}
	wg.Wait()
	return tot, count, pos, first
}

// write appends the block's outputs to their files.
func (r *streamed[T]) write(b *block[T]) error {
	for _, s := range r.sinks {
		var v []T
		switch s.which {
		case sinkLoss:
			v = b.loss[:b.units]
		case sinkGrad:
			v = b.grad[:b.units*r.per]
		case sinkHess:
			v = b.hess[:b.units*r.per]
		}
		if err := npy.WriteValues(s.w, v); err != nil {
			return fmt.Errorf("loss: %s %s: %w", s.o.Flag(), s.o.Path(), err)
		}
	}
	return nil
}

// computeBlock converts, checks and computes the block's pieces on every
// core, and returns the error of the first bad piece.
func (r *streamed[T]) computeBlock(b *block[T], counting bool) error {
	pieces := (b.units + r.piece - 1) / r.piece
	var next atomic.Int64
	var wg sync.WaitGroup
	for k := range min(r.workers, pieces) {
		scratch := r.scratch[k]
		wg.Go(func() {
			debug.SetPanicOnFault(true)
			for {
				p := int(next.Add(1) - 1)
				if p >= pieces {
					return
				}
				b.errs[p] = r.guardedPiece(b, p, scratch, counting)
			}
		})
	}
	wg.Wait()
	for _, e := range b.errs[:pieces] {
		if e != nil {
			return e
		}
	}
	if counting || r.form != formClassSecond {
		return nil
	}
	// The class axis second: one call over the block's whole samples.
	x, err := r.logits(b, 0, b.units)
	if err != nil {
		return err
	}
	n := b.units
	var w []T
	if r.in.w != nil {
		if w = b.w[:n]; r.wNative {
			w = npy.Elements[T](b.wraw[:n*r.in.w.ElemSize()])
		}
	}
	tot, err := focal.SoftmaxLoss(*r.sm, r.o, r.outputs(b, 0, n), focal.SoftmaxInput[T, int64]{
		Logits: x, Layout: focal.ClassSecond(n/r.inner, r.classes, r.inner), Labels: b.lab[:n], Weights: w})
	if err != nil {
		return coreError(r.f, shiftIndex(err, b.first))
	}
	b.total = tot
	return nil
}

// logits returns the logits of the units [lo, hi) of the block as T.
func (r *streamed[T]) logits(b *block[T], lo, hi int) ([]T, error) {
	size := r.in.x.ElemSize()
	raw := b.xraw[lo*r.per*size : hi*r.per*size]
	if r.xNative {
		return npy.Elements[T](raw), nil
	}
	x := b.x[lo*r.per : hi*r.per]
	if err := npy.Decode(r.in.x, x, raw, (b.first+lo)*r.per); err != nil {
		return nil, badInput("loss: --logits %v", err)
	}
	return x, nil
}

// outputs returns the block's destinations for the units [lo, hi).
func (r *streamed[T]) outputs(b *block[T], lo, hi int) focal.Outputs[T] {
	var out focal.Outputs[T]
	if b.loss != nil {
		out.Loss = b.loss[lo:hi]
	}
	if b.grad != nil {
		out.Grad = b.grad[lo*r.per : hi*r.per]
	}
	if b.hess != nil {
		out.Hess = b.hess[lo*r.per : hi*r.per]
	}
	return out
}

// guardedPiece is doPiece on a goroutine with debug.SetPanicOnFault: a
// memory fault in a mapped input, which has shrunk since it was mapped, is
// that input's error.
func (r *streamed[T]) guardedPiece(b *block[T], p int, scratch []float64, counting bool) (err error) {
	defer func() {
		e := recover()
		if e == nil {
			return
		}
		if f, ok := e.(interface{ Addr() uintptr }); ok {
			for _, in := range []struct {
				flag, path string
				s          *npy.Stream
			}{{"--logits", r.f.logits, r.in.x}, {"--targets", r.f.targets, r.in.t}, {"--weights", r.f.weights, r.in.w}} {
				if in.s != nil && in.s.Holds(f.Addr()) {
					err = badInput("loss: %s %s: the file shrank while being read", in.flag, in.path)
					return
				}
			}
		}
		panic(e)
	}()
	return r.doPiece(b, p, scratch, counting)
}

// doPiece converts and checks the targets and weights of piece p of the
// block and, in the counting pass, counts them, else computes the piece
// (with the class axis second the block's call does).
func (r *streamed[T]) doPiece(b *block[T], p int, scratch []float64, counting bool) error {
	lo := p * r.piece
	hi := min(lo+r.piece, b.units)
	first := b.first + lo
	tsize := r.in.t.ElemSize()
	traw := b.traw[lo*tsize : hi*tsize]
	if r.sm == nil && !counting {
		// The common case first: the targets go to the core as they are,
		// and it checks them. A complaint of the core sends the piece the
		// careful way, which finds the ignored elements and words an error
		// as the whole-array path does.
		if y, ok := r.fastTargets(traw, b.y[lo:hi]); ok {
			w, err := r.prepWeights(b, lo, hi, nil, false, scratch, first)
			if err != nil {
				return err
			}
			x, err := r.logits(b, lo, hi)
			if err != nil {
				return err
			}
			tot, err := r.fn(r.o, x, y, w, nil, r.outputs(b, lo, hi))
			if err == nil {
				b.tot[p] = tot
				return nil
			}
			if !errors.Is(err, focal.ErrTarget) && !errors.Is(err, focal.ErrWeight) {
				return coreError(r.f, shiftIndex(err, first))
			}
		}
	}
	ign := b.ign[lo:hi]
	var y []T
	var ignored bool
	var err error
	if r.sm == nil {
		y, ignored, err = r.prepTargets(traw, b.y[lo:hi], ign, scratch, first)
	} else {
		ignored, err = r.prepLabels(traw, b.lab[lo:hi], ign, first)
	}
	if err != nil {
		return err
	}
	if !ignored {
		ign = nil
	}
	w, err := r.prepWeights(b, lo, hi, ign, true, scratch, first)
	if err != nil {
		return err
	}
	if counting {
		var lab []int64
		if r.sm != nil {
			lab = b.lab[lo:hi]
		}
		b.cnt[p], b.pos[p] = r.count(y, lab, ign)
		return nil
	}
	if r.form == formClassSecond {
		return nil
	}
	x, err := r.logits(b, lo, hi)
	if err != nil {
		return err
	}
	var tot focal.Total
	if r.sm == nil {
		tot, err = r.fn(r.o, x, y, w, ign, r.outputs(b, lo, hi))
	} else {
		tot, err = focal.SoftmaxLoss(*r.sm, r.o, r.outputs(b, lo, hi), focal.SoftmaxInput[T, int64]{
			Logits: x, Layout: focal.ClassLast(hi-lo, r.classes), Labels: b.lab[lo:hi], Weights: w})
	}
	if err != nil {
		return coreError(r.f, shiftIndex(err, first))
	}
	b.tot[p] = tot
	return nil
}

// count returns the number of units of a piece the mean divides by (those
// not ignored: ign marks them, nil for none) and of positives among them,
// as package focal counts them: elementwise targets y > 0, softmax labels
// lab other than the background class.
func (r *streamed[T]) count(y []T, lab []int64, ign []bool) (count, pos int64) {
	if r.sm != nil {
		bg := int64(r.sm.Background)
		for i, l := range lab {
			if ign == nil || !ign[i] {
				count++
				if l != bg {
					pos++
				}
			}
		}
		return count, pos
	}
	for i, v := range y {
		if ign == nil || !ign[i] {
			count++
			if v > 0 {
				pos++
			}
		}
	}
	return count, pos
}

// fastTargets returns one piece of elementwise targets as T, unchecked: a
// view of raw, or converted from bytes. It applies when no valid target
// can equal the ignore index and the member takes soft targets, and for
// the dtypes that need no care to convert; ok is false otherwise.
func (r *streamed[T]) fastTargets(raw []byte, y []T) (t []T, ok bool) {
	if ii := r.f.ignoreIndex; ii == 0 || ii == 1 || r.hard {
		return nil, false
	}
	switch dt := r.in.t.Dtype; {
	case r.tNative:
		return npy.Elements[T](raw), true
	case dt == "b1":
		for i, c := range raw {
			y[i] = 0
			if c != 0 { // NumPy reads any non-zero byte as True
				y[i] = 1
			}
		}
		return y, true
	case dt == "u1":
		for i, c := range raw {
			y[i] = T(c)
		}
		return y, true
	}
	return nil, false
}

// prepTargets converts one piece of elementwise targets, whose first
// element is element first of the array, into y: an element equal to the
// ignore index is marked in ign (its target 0), every other must be in
// [0, 1] (0 or 1 for a member that wants hard targets). It returns y and
// whether an element is ignored.
func (r *streamed[T]) prepTargets(raw []byte, y []T, ign []bool, scratch []float64, first int) ([]T, bool, error) {
	if r.tNative {
		ignored, err := targetLoop(r, npy.Elements[T](raw), y, ign, first)
		return y, ignored, err
	}
	e := scratch[:len(y)]
	if err := npy.Decode(r.in.t, e, raw, first); err != nil {
		return nil, false, badInput("loss: --targets %v", err)
	}
	ignored, err := targetLoop(r, e, y, ign, first)
	return y, ignored, err
}

func targetLoop[T real, S float32 | float64](r *streamed[T], src []S, y []T, ign []bool, first int) (bool, error) {
	ii := float64(r.f.ignoreIndex)
	ignored := false
	for i, e := range src {
		v := T(e)
		if math.IsInf(float64(v), 0) && !math.IsInf(float64(e), 0) {
			return false, badInput("loss: --targets %s: element %d = %v overflows the logits' dtype", r.f.targets, first+i, e)
		}
		if float64(v) == ii {
			ign[i], y[i], ignored = true, 0, true
			continue
		}
		if !(v >= 0 && v <= 1) {
			return false, badInput("loss: --targets %s: element %d = %v, want 0 ≤ target ≤ 1 (or the ignore index %d)", r.f.targets, first+i, v, r.f.ignoreIndex)
		}
		if r.hard && v != 0 && v != 1 {
			return false, coreError(r.f, fmt.Errorf("%w: targets[%d] = %v (%s wants y ∈ {0, 1})", focal.ErrTarget, first+i, v, r.kind))
		}
		ign[i], y[i] = false, v
	}
	return ignored, nil
}

// prepLabels decodes one piece of softmax labels: a label equal to the
// ignore index is marked in ign and becomes the core's ignore index, every
// other must be a class. It reports whether a label is ignored.
func (r *streamed[T]) prepLabels(raw []byte, lab []int64, ign []bool, first int) (bool, error) {
	if err := npy.Decode(r.in.t, lab, raw, first); err != nil {
		return false, badInput("loss: --targets %v", err)
	}
	ii, c := int64(r.f.ignoreIndex), int64(r.classes)
	ignored := false
	for i, l := range lab {
		if l == ii {
			ign[i], lab[i], ignored = true, r.coreIgnore, true
			continue
		}
		if l < 0 || l >= c {
			return false, coreError(r.f, fmt.Errorf("%w: labels[%d] = %d (want 0 ≤ label < %d or the ignore index %d)",
				focal.ErrLabel, first+i, l, c, ii))
		}
		ign[i] = false
	}
	return ignored, nil
}

// prepWeights returns the weights of the units [lo, hi) of the block as
// T: a view of the raw ones, or converted (each must fit T). With check,
// those of units not ignored (ign marks them; nil for none) must also be
// finite and ≥ 0; else package focal checks them.
func (r *streamed[T]) prepWeights(b *block[T], lo, hi int, ign []bool, check bool, scratch []float64, first int) ([]T, error) {
	if r.in.w == nil {
		return nil, nil
	}
	size := r.in.w.ElemSize()
	raw := b.wraw[lo*size : hi*size]
	if r.wNative {
		w := npy.Elements[T](raw)
		if check {
			return w, weightLoop(r, w, nil, ign, first)
		}
		return w, nil
	}
	e := scratch[:hi-lo]
	if err := npy.Decode(r.in.w, e, raw, first); err != nil {
		return nil, badInput("loss: --weights %v", err)
	}
	w := b.w[lo:hi]
	if !check {
		ign = nil
	}
	return w, weightLoop(r, e, w, ign, first)
}

// weightLoop checks the weights src, which must fit T and, for the units
// not ignored, be finite and ≥ 0, and converts them into w (unless w is
// nil: src are T).
func weightLoop[T real, S float32 | float64](r *streamed[T], src []S, w []T, ign []bool, first int) error {
	for i, e := range src {
		v := T(e)
		if math.IsInf(float64(v), 0) && !math.IsInf(float64(e), 0) {
			return badInput("loss: --weights %s: element %d = %v overflows the logits' dtype", r.f.weights, first+i, e)
		}
		if (ign == nil || !ign[i]) && !(v >= 0 && float64(v) <= math.MaxFloat64) {
			return coreError(r.f, fmt.Errorf("%w: weights[%d] = %v (want finite ≥ 0)", focal.ErrWeight, first+i, v))
		}
		if w != nil {
			w[i] = v
		}
	}
	return nil
}

// shifted is an error of package focal about an element of a piece,
// reworded with the element's index in the whole array.
type shifted struct {
	msg string
	err error
}

func (e *shifted) Error() string { return e.msg }
func (e *shifted) Unwrap() error { return e.err }

var elementIndex = regexp.MustCompile(`\b(targets|weights|labels)\[(\d+)\]`)

// shiftIndex adds off to the element index an error of package focal
// names, if it names one.
func shiftIndex(err error, off int) error {
	if off == 0 || !(errors.Is(err, focal.ErrTarget) || errors.Is(err, focal.ErrWeight) || errors.Is(err, focal.ErrLabel)) {
		return err
	}
	msg := err.Error()
	m := elementIndex.FindStringSubmatchIndex(msg)
	if m == nil {
		return err
	}
	i, perr := strconv.Atoi(msg[m[4]:m[5]])
	if perr != nil {
		return err
	}
	return &shifted{msg: msg[:m[4]] + strconv.Itoa(i+off) + msg[m[5]:], err: err}
}

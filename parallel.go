package focal

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Work above a size threshold is split into chunks whose boundaries depend
// only on the number of elements, never on GOMAXPROCS: each chunk's partial
// sum is kept in its own slot and the slots are added in chunk order, so a
// result is the same bit for bit whatever the number of goroutines.
const (
	minChunk  = 1 << 14 // elements per chunk, at least
	maxChunks = 256     // slots for partial sums
)

// chunking returns the chunk size and count for n units of work, where one
// unit costs about cost elements.
func chunking(n, cost int) (size, count int) {
	size = max(1, minChunk/max(1, cost))
	if n > size*maxChunks {
		size = (n + maxChunks - 1) / maxChunks
	}
	return size, (n + size - 1) / size
}

// A job runs fn(chunk) for chunk in [0, chunks) on the worker pool and the
// calling goroutine. Jobs are pooled, with fn bound once, so a call
// allocates nothing in the steady state.
type job struct {
	chunks  int
	next    atomic.Int64
	wg      sync.WaitGroup
	fn      func(chunk int) // set by the owner before run
	partial [maxChunks]float64
}

func (j *job) work() {
	for {
		c := int(j.next.Add(1) - 1)
		if c >= j.chunks {
			return
		}
		j.fn(c)
	}
}

var (
	workerOnce sync.Once
	workCh     chan *job
)

func startWorkers() {
	workCh = make(chan *job)
	for range max(1, runtime.NumCPU()-1) {
		go func() {
			for j := range workCh {
				j.work()
				j.wg.Done()
			}
		}()
	}
}

// run executes j.fn over j.chunks chunks, in parallel when there are at
// least two chunks and GOMAXPROCS allows it.
func (j *job) run() {
	j.next.Store(0)
	helpers := min(runtime.GOMAXPROCS(0), j.chunks) - 1
	if helpers > 0 {
		workerOnce.Do(startWorkers)
	}
	for range helpers {
		j.wg.Add(1)
		select {
		case workCh <- j:
		default:
			// All workers are busy (concurrent calls): do it ourselves.
			j.wg.Done()
		}
	}
	j.work()
	j.wg.Wait()
}

// sumPartials adds the first n partial sums in chunk order.
func (j *job) sumPartials() float64 {
	var s float64
	for _, v := range j.partial[:j.chunks] {
		s += v
	}
	return s
}

// jobKey[J] is a distinct, allocation-free map key for each job type.
type jobKey[J any] struct{}

var pools sync.Map // jobKey[J] → *sync.Pool of *J

// initer is a pointer to a job type J whose init binds its chunk function.
type initer[J any] interface {
	*J
	init()
}

// getJob returns a pooled *J, initialised the first time. (A method rather
// than a func argument: a generic function value would allocate per call.)
func getJob[J any, P initer[J]]() P {
	v, ok := pools.Load(jobKey[J]{})
	if !ok {
		v, _ = pools.LoadOrStore(jobKey[J]{}, &sync.Pool{New: func() any {
			j := P(new(J))
			j.init()
			return j
		}})
	}
	return v.(*sync.Pool).Get().(P)
}

// putJob returns j to its pool.
func putJob[J any](j *J) {
	v, _ := pools.Load(jobKey[J]{})
	v.(*sync.Pool).Put(j)
}

// A form is one kind of fused pass (element-wise, sparse labels, softmax)
// over units of work (elements, rows, label positions): how a range of
// units is checked and counted, and how it is computed once the gradient
// scale is known. Every form runs on the one two-pass driver below, which
// holds the form in its pooled job: the methods have pointer receivers so
// that the kernel parameters a form passes by pointer live there, not in a
// copy moved to the heap on every call.
type form interface {
	// check validates the units [lo, hi), chunk c, and returns the number
	// of units counted by Mean, the number of positives, and the index of
	// the first bad unit, or −1.
	check(c, lo, hi int) (count, pos int64, bad int)
	// setScale sets the factor of the gradient and Hessian; the driver
	// calls it once, between the passes.
	setScale(scale float64)
	// compute writes the outputs of the units [lo, hi), chunk c (what
	// check found of the same chunk holds), their gradient and Hessian
	// scaled, and returns the sum of their losses.
	compute(c, lo, hi int) float64
	// explain returns the error for the bad unit found by check, naming
	// the argument, the index and what was wanted.
	explain(bad int) error
}

// formPtr is a pointer to a form type F.
type formPtr[F any] interface {
	*F
	form
}

const (
	phaseCheck = iota
	phaseCompute
)

// driver runs a form's two passes in chunks on the worker pool.
type driver[F any, P formPtr[F]] struct {
	job
	f        F
	units    int
	size     int
	phase    int
	cnt, pos [maxChunks]int64
	bad      [maxChunks]int
}

func (d *driver[F, P]) init() { d.fn = d.chunk }

func (d *driver[F, P]) chunk(c int) {
	lo := c * d.size
	hi := min(lo+d.size, d.units)
	if d.phase == phaseCheck {
		d.cnt[c], d.pos[c], d.bad[c] = P(&d.f).check(c, lo, hi)
		return
	}
	d.partial[c] = P(&d.f).compute(c, lo, hi)
}

// run runs f over units units, each costing about cost elements: pass 1
// checks and counts every unit; if one is bad it returns the form's
// explanation of the first and nothing is written, else pass 2 computes
// with the gradient scale that o gives for the counts, and the Total is
// returned.
func run[F any, P formPtr[F]](f F, units, cost int, o Options) (Total, error) {
	d := getJob[driver[F, P]]()
	defer putJob(d)
	d.f = f
	defer func() { var zero F; d.f = zero }() // drop references to caller memory
	d.units = units
	d.size, d.chunks = chunking(units, cost)

	d.phase = phaseCheck
	d.run()
	t := Total{Reduction: o.Reduction, Normalizer: o.Normalizer}
	for c := range d.chunks {
		if d.bad[c] >= 0 {
			return Total{}, P(&d.f).explain(d.bad[c])
		}
		t.Count += d.cnt[c]
		t.Positives += d.pos[c]
	}

	scale := 1.0
	if o.Reduction == Mean || o.Reduction == Positives {
		scale = 1 / t.divisor()
	}
	P(&d.f).setScale(scale)
	d.phase = phaseCompute
	d.run()
	t.Sum = d.sumPartials()
	return t, nil
}

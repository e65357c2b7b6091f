package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// A stage is one part of a pipelined loop's work on the step at idx: it
// reads what the stages before it left in area, the step's frame area,
// and leaves its own results there. L makes its labels unique (a stage
// is emitted more than once).
type stage func(idx, area reg.Register, L func(string) string)

// pipeline emits a software-pipelined loop over the steps idx = 0, step,
// 2·step, … < n (n a multiple of step): the stages of one step run in
// successive iterations, each iteration running stage s for the step
// len(stages) − s ahead, then last for the step at i with its area. The
// stages of different steps are independent, so the out-of-order core
// overlaps their chains of dependent operations: a float64 lane's
// exp → log1p → division chain is long enough that one step's chain
// alone leaves the core mostly idle, and more than the core's scheduler
// holds when written as one piece.
//
// Every step gets a frame area of size bytes; the len(stages) + 1 areas
// are taken in turn (pointers rotated by XCHGQ). Stages of steps at or
// beyond n are skipped: no stage reads beyond n. i holds the index of
// the step last works on; name prefixes the labels.
func pipeline(name string, i, n reg.Register, step, size int, stages []stage, last func(area reg.Register)) {
	L := func(s string) string { return name + s }
	frame := AllocLocal((len(stages) + 1) * size)
	areas := make([]reg.Register, len(stages)+1)
	for t := range areas {
		areas[t] = GP64()
		LEAQ(frame.Offset(t*size), areas[t])
	}
	XORQ(i, i)
	CMPQ(i, n)
	JGE(LabelRef(L("pipedone")))
	// The prologue: step t gets its first len(stages) − t stages.
	k := GP64()
	for t := range stages {
		lbl := L(fmt.Sprint("pre", t))
		idx := i
		if t > 0 {
			idx = k
			LEAQ(Mem{Base: i, Disp: t * step}, k)
			CMPQ(k, n)
			JGE(LabelRef(lbl))
		}
		for s := range len(stages) - t {
			stages[s](idx, areas[t], func(l string) string { return L(fmt.Sprint(l, "pre", t)) })
		}
		Label(lbl)
	}
	Label(L("pipeloop"))
	for s, st := range stages {
		d := len(stages) - s
		lbl := L(fmt.Sprint("skip", s))
		LEAQ(Mem{Base: i, Disp: d * step}, k)
		CMPQ(k, n)
		JGE(LabelRef(lbl))
		st(k, areas[d], L)
		Label(lbl)
	}
	last(areas[0])
	for t := range stages {
		XCHGQ(areas[t], areas[t+1])
	}
	ADDQ(U32(step), i)
	CMPQ(i, n)
	JL(LabelRef(L("pipeloop")))
	Label(L("pipedone"))
}

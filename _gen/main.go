// Command _gen writes the amd64 assembly of package
// github.com/focalgo/focal/internal/kernel with avo, for AVX-512 and
// AVX2+FMA: the sigmoid focal-loss kernel for float32 and float64 data
// (float64 lanes, sigmoid.go) and its float32-lane form for hard targets
// (sigmoid32.go), the target check (targets.go), the softmax row loops
// (softmax.go), and the vector exp, log and log1p they are built from
// (math.go; exported to the tests). Constants go into per-instruction-set
// tables read as broadcast memory operands (vec.go).
//
// Run it through go generate in internal/kernel:
//
//	go generate ./internal/kernel
package main

import (
	. "github.com/mmcloughlin/avo/build"
)

func main() {
	ConstraintExpr("!purego")
	for _, avx512 := range []bool{true, false} {
		a := newISA(avx512)
		a.sigmoid(false)
		a.sigmoid(true)
		a.targets(false)
		a.targets(true)
		a.softmaxRows(false)
		a.softmaxRows(true)
		a.mathFuncs()
		a.emitConsts()
	}
	for _, avx512 := range []bool{true, false} {
		f := newF32(avx512)
		f.sigmoidHard32(false)
		f.sigmoidHard32(true)
		f.mathFuncs32()
		f.emitConsts()
	}
	Generate()
}

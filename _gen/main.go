// Command _gen writes the amd64 assembly of package
// github.com/focalgo/focal/internal/kernel with avo: the sigmoid focal-loss
// kernel and the target check for float32 and float64 data on AVX-512 and
// AVX2+FMA, and the
// vector exp, log and log1p it is built from (exported to the tests).
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
		f.sigmoidHard32()
		f.emitConsts()
	}
	Generate()
}

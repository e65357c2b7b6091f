//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

//go:generate env GOWORK=off go run -C ../../_gen . -dir ../internal/kernel

// levels are the CPU levels of amd64, lowest first, with the GODEBUG
// settings (honoured by golang.org/x/sys/cpu) that take each away.
var levels = []level{
	{impl: AVX2, below: Generic, off: "cpu.avx2=off"},
	{impl: AVX512, below: AVX2, off: "cpu.avx512f=off"},
}

// init offers AVX2 on CPUs with AVX, AVX2, FMA and POPCNT, and AVX-512 on
// those that also have AVX-512 F, DQ and VL (the AVX-512 code uses some of
// the former, and a GODEBUG=cpu.avx2=off must not leave it on).
// TestRequiredISAs checks the generated code against these sets.
func init() {
	x := cpu.X86
	has := x.HasAVX && x.HasAVX2 && x.HasFMA && x.HasPOPCNT
	if has {
		tables = append(tables, &avx2)
	}
	if has && x.HasAVX512F && x.HasAVX512DQ && x.HasAVX512VL {
		tables = append(tables, &avx512)
	}
	if len(tables) > 0 {
		active = tables[len(tables)-1]
	}
}

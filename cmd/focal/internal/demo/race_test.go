//go:build race

package demo

// raceEnabled is true under the race detector, which turns on checkptr;
// GoMLX compute v0.1.2's pure-Go matmul (dot/matmul/nosimd_small.go:119)
// fails checkptr ("pointer arithmetic result points to invalid
// allocation"), so tests that execute graphs are skipped then.
const raceEnabled = true

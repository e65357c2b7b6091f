package kernel

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time of the calling thread (0 where it cannot
// tell): on a shared machine a benchmark's time on the CPU varies far
// less than its wall time.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build !linux

package kernel

import "time"

// threadCPU returns 0: this system's thread CPU time is not read.
func threadCPU() time.Duration { return 0 }

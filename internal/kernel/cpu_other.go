//go:build !amd64 || purego

package kernel

// levels is empty: without assembly there is no CPU level above Generic.
var levels []level

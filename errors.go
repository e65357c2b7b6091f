package focal

import "errors"

// Sentinel errors. Every error returned by this package wraps one of them
// (test with errors.Is) and names the argument and, for data, the first
// offending index.
var (
	ErrLength     = errors.New("focal: length mismatch")
	ErrTarget     = errors.New("focal: target out of range")
	ErrLabel      = errors.New("focal: label out of range")
	ErrWeight     = errors.New("focal: invalid weight")
	ErrAlpha      = errors.New("focal: invalid alpha")
	ErrGamma      = errors.New("focal: invalid gamma")
	ErrSmoothing  = errors.New("focal: invalid label smoothing")
	ErrLayout     = errors.New("focal: invalid layout")
	ErrReduction  = errors.New("focal: invalid reduction")
	ErrNormalizer = errors.New("focal: invalid normalizer")
	ErrParam      = errors.New("focal: invalid parameter")
)

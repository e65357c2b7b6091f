// Package exitcode maps command errors to process exit statuses: 2 for bad
// input (a flag, an argument or a file the user gave), 1 for anything else.
package exitcode

import "errors"

// inputError marks an error as the user's input being bad.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

// Input marks err as bad user input (exit status 2). Input(nil) is nil.
func Input(err error) error {
	if err == nil {
		return nil
	}
	return inputError{err}
}

// IsInput reports whether err, or an error it wraps, was marked by Input.
func IsInput(err error) bool {
	var ie inputError
	return errors.As(err, &ie)
}

// Code returns the exit status for err: 0 for nil, 2 for bad input, else 1.
func Code(err error) int {
	switch {
	case err == nil:
		return 0
	case IsInput(err):
		return 2
	}
	return 1
}

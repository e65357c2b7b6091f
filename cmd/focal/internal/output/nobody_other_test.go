//go:build !unix

package output

import "testing"

// rerunAsNobody skips a test of permissions run as an administrator.
func rerunAsNobody(t *testing.T) { t.Skip("no user nobody to run as") }

// Package quote quotes values the user typed, or read from a file, in error
// messages. A value is shortened to its first Max characters, so that a
// 10000-item list or a line of binary garbage cannot turn the command's
// one-line error into a wall of text.
package quote

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Max is the number of characters of a value that an error message quotes.
const Max = 60

// Clip returns s quoted as by %q when it has at most Max characters; else
// its first Max characters quoted with a trailing "…", followed by the
// length of s: "1,1,1,…" (20001 bytes).
func Clip(s string) string {
	if utf8.RuneCountInString(s) <= Max {
		return strconv.Quote(s)
	}
	cut, n := 0, 0
	for cut < len(s) && n < Max {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
		n++
	}
	q := strconv.Quote(s[:cut])
	return fmt.Sprintf("%s…\" (%d bytes)", q[:len(q)-1], len(s))
}

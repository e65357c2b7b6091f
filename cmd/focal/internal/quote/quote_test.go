package quote

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClipQuotesShortValuesWhole(t *testing.T) {
	for _, s := range []string{"", "0,0.5,1", "γ = 2", "tab\there", strings.Repeat("x", Max), strings.Repeat("γ", Max)} {
		if got, want := Clip(s), quoted(s); got != want {
			t.Errorf("Clip(%q) = %s, want %s", s, got, want)
		}
	}
}

func quoted(s string) string { return `"` + strings.NewReplacer("\t", `\t`).Replace(s) + `"` }

func TestClipShortensLongValuesToAPrefixAndTheLength(t *testing.T) {
	long := strings.Repeat("1,", 10000) + "1"
	got := Clip(long)
	if want := `"` + long[:Max] + `…" (20001 bytes)`; got != want {
		t.Errorf("Clip of a 20001-byte list = %s, want %s", got, want)
	}
	// A prefix of multi-byte characters is cut between characters, never
	// inside one.
	g := Clip(strings.Repeat("γ", 100))
	if !utf8.ValidString(g) || !strings.HasPrefix(g, `"`+strings.Repeat("γ", Max)+`…"`) {
		t.Errorf("Clip of 100 γ = %s", g)
	}
	// Bytes that are not UTF-8 are escaped, as %q does.
	b := Clip(strings.Repeat("\xff", 100))
	if !strings.HasPrefix(b, `"\xff`) || len(b) > 8*Max {
		t.Errorf("Clip of 100 0xff bytes = %s", b)
	}
}

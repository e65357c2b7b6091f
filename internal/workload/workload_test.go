package workload

import (
	"errors"
	"slices"
	"testing"
)

// TestTimesPaired: every call of fn follows one of ref, warm-up included;
// only the timed ones are returned; an error stops it.
func TestTimesPaired(t *testing.T) {
	var calls []string
	fn := func() error { calls = append(calls, "fn"); return nil }
	ref := func() error { calls = append(calls, "ref"); return nil }
	ts, refs, err := TimesPaired(fn, ref, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 || len(refs) != 3 {
		t.Errorf("%d times and %d reference times, want 3 and 3", len(ts), len(refs))
	}
	want := slices.Repeat([]string{"ref", "fn"}, 5)
	if !slices.Equal(calls, want) {
		t.Errorf("calls %v, want %v", calls, want)
	}

	bad := errors.New("bad")
	n := 0
	_, _, err = TimesPaired(func() error { n++; return bad }, ref, 0, 3)
	if !errors.Is(err, bad) || n != 1 {
		t.Errorf("error %v after %d calls, want %v after 1", err, n, bad)
	}
}

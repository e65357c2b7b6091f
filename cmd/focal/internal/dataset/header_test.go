package dataset

import (
	"errors"
	"strings"
	"testing"
)

func TestColumnNamedTwiceIsRefused(t *testing.T) {
	rows := "1,2,3,0\n4,5,6,1\n"
	for _, tc := range []struct {
		name, header, want string
	}{
		{"a feature twice", "a,a,b,label", `"a" appears twice in the header (columns 1 and 2)`},
		{"the label twice", "a,label,b,label", `"label" appears twice in the header (columns 2 and 4)`},
		{"after trimming spaces", "a, b ,b,label", `"b" appears twice in the header (columns 2 and 3)`},
		{"two unnamed columns", ",a,,label", `"" appears twice in the header (columns 1 and 3)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, "dup.csv", tc.header+"\n"+rows)
			for _, read := range []struct {
				what string
				f    func() error
			}{
				{"Load", func() error { _, err := Load(p, "label"); return err }},
				{"ReadCSV", func() error { _, err := ReadCSV(p, "label"); return err }},
				{"LoadFeatures", func() error { _, err := LoadFeatures(p, []string{"a", "b"}); return err }},
				{"ReadCSVFeatures", func() error { _, _, err := ReadCSVFeatures(p, []string{"a"}); return err }},
			} {
				err := read.f()
				if !errors.Is(err, ErrDuplicate) || !strings.HasPrefix(err.Error(), p+": ") || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: error %v, want ErrDuplicate naming %s and saying %s", read.what, err, p, tc.want)
				}
			}
		})
	}
}

func TestModelNamingAFeatureTwiceIsRefused(t *testing.T) {
	p := write(t, "ok.csv", "a,b,label\n1,2,0\n")
	_, err := LoadFeatures(p, []string{"a", "b", "a"})
	if err == nil || !strings.Contains(err.Error(), `feature "a" twice (features 1 and 3)`) {
		t.Errorf("features a, b, a: error %v, want one naming \"a\" twice", err)
	}
}

func TestCSVErrorsQuoteAShortPrefixOfALongName(t *testing.T) {
	long := strings.Repeat("n", 10000)
	for _, tc := range []struct {
		name, content, label string
	}{
		{"long column name, label missing", long + ",x\n1,2\n", "label"},
		{"long label flag", "x,label\n1,2\n", long},
		{"long cell", "x,label\n" + long + ",0\n", "label"},
		{"many columns, label missing", strings.Repeat("col,", 3000) + "x\n", "label"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, "long.csv", tc.content)
			_, err := ReadCSV(p, tc.label)
			if err == nil || len(err.Error()) > len(p)+400 {
				t.Errorf("error of %d bytes, want a short one: %.300v…", len(err.Error()), err)
			}
		})
	}
}

func TestCSVWithoutALabelColumnNameIsAnError(t *testing.T) {
	p := write(t, "ok.csv", "a,b\n1,2\n3,4\n")
	for _, load := range []func() error{
		func() error { _, err := ReadCSV(p, ""); return err },
		func() error { _, err := Load(p, ""); return err },
	} {
		if err := load(); !errors.Is(err, ErrNoColumn) || !strings.Contains(err.Error(), "label column") {
			t.Errorf("label \"\": error %v, want ErrNoColumn asking for the label column", err)
		}
	}
	// A set without classes (as an empty label once gave) is not a panic.
	if err := CheckClasses(&Set{N: 2}, "x.csv"); !errors.Is(err, ErrOneClass) {
		t.Errorf("CheckClasses without classes: %v", err)
	}
}

func TestHeaderErrorsSayWhatIsWrongWithTheHeader(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		{"blank header line", "   \n1,2\n", "the header line is blank"},
		{"semicolons", "a;b;label\n1;2;0\n", `the separator must be a comma, not ";"`},
		{"tabs", "a\tb\tlabel\n1\t2\t0\n", `the separator must be a comma, not "\t"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, "h.csv", tc.content)
			_, err := ReadCSV(p, "label")
			if !errors.Is(err, ErrNoColumn) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want ErrNoColumn saying %q", err, tc.want)
			}
		})
	}
}

package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFilesAreTheFilesLoadReads(t *testing.T) {
	images := write(t, "t10k-images-idx3-ubyte.gz", "")
	labels := filepath.Join(filepath.Dir(images), "t10k-labels-idx1-ubyte.gz")
	os.WriteFile(labels, nil, 0o644)
	for _, c := range []struct {
		spec string
		want []string
	}{
		{"", nil},
		{"data.csv", []string{"data.csv"}},
		{"x.npy,y.npy", []string{"x.npy", "y.npy"}},
		{images, []string{images, labels}},
		{images + ",other", []string{images, "other"}},
	} {
		if got := Files(c.spec); !slices.Equal(got, c.want) {
			t.Errorf("Files(%q) = %q, want %q", c.spec, got, c.want)
		}
	}
}

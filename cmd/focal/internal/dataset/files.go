package dataset

import "strings"

// Files returns the files that Load reads for spec: the features file and
// the labels file, named or found by the MNIST naming. An empty spec has
// none.
func Files(spec string) []string {
	if spec == "" {
		return nil
	}
	xPath, yPath, _ := strings.Cut(spec, ",")
	if yPath == "" {
		yPath = idxLabelsPath(xPath)
	}
	if yPath == "" {
		return []string{xPath}
	}
	return []string{xPath, yPath}
}

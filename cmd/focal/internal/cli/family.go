package cli

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/focalgo/focal"
	"github.com/focalgo/focal/cmd/focal/internal/quote"
)

// familyKinds lists the focal-family kinds for help texts.
func familyKinds() string {
	var names []string
	for _, k := range focal.Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// parseParams parses --param name=value pairs (booleans as 0 or 1) for
// kind k, checking each name against k.Params().
func parseParams(cmd string, k focal.Kind, pairs []string) (map[string]float64, error) {
	params := map[string]float64{}
	for _, pv := range pairs {
		name, val, ok := strings.Cut(pv, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, badInput("%s: --param %s: want name=value", cmd, quote.Clip(pv))
		}
		if !slices.ContainsFunc(k.Params(), func(p string) bool { return strings.EqualFold(p, name) }) {
			return nil, badInput("%s: --param %s: %s has no parameter %s (want one of %s)", cmd, quote.Clip(pv), k, quote.Clip(name), strings.Join(k.Params(), ", "))
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || math.IsNaN(v) {
			return nil, badInput("%s: --param %s: %s is not a number", cmd, quote.Clip(pv), quote.Clip(val))
		}
		params[name] = v
	}
	return params, nil
}

// hasParam reports whether kind k takes the parameter name.
func hasParam(k focal.Kind, name string) bool {
	return slices.Contains(k.Params(), name)
}

// newMember builds the member of kind k, naming the flag behind a bad
// parameter.
func newMember(cmd string, k focal.Kind, params map[string]float64) (focal.Member, error) {
	m, err := focal.NewMember(k, params)
	if err == nil {
		err = m.Validate()
	}
	if err != nil {
		return nil, badInput("%s: --kind %s: %s", cmd, k, coreMessage(err))
	}
	return m, nil
}

// coreMessage is the message of an error of the focal package without its
// "focal: " prefix: Main puts that in front of the whole line, once.
func coreMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "focal: ")
}

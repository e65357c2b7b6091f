package focalloss

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"strconv"
	"strings"
	"testing"
)

// The README's "With GoMLX" program is ExampleBinaryFocal, which go test
// runs: its main is the example's body (up to the expected output), and it
// imports exactly the packages that body names, plus the pure-Go backend.
// A README edited without the example, or the other way round, fails here.
func TestReadmeProgramIsTheExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("example_trainer_test.go")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	i := strings.Index(section, "## With GoMLX")
	if i < 0 {
		t.Fatal(`README.md has no "## With GoMLX" section`)
	}
	section = section[i:]
	start := strings.Index(section, "```go\npackage main\n")
	if start < 0 {
		t.Fatal("the With GoMLX section has no Go program")
	}
	prog := section[start+len("```go\n"):]
	prog = prog[:strings.Index(prog, "```")]

	body := between(t, string(src), "func ExampleBinaryFocal() {\n", "\t// Output:\n")
	mainBody := between(t, prog, "func main() {\n", "\n}\n") + "\n"
	if mainBody != body {
		t.Errorf("the README's main differs from ExampleBinaryFocal's body:\n--- README\n%s--- example\n%s", mainBody, body)
	}

	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", prog, 0)
	if err != nil {
		t.Fatalf("the README program does not parse: %v", err)
	}
	imported := map[string]bool{}
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		if im.Name != nil && im.Name.Name == "_" {
			if p != "github.com/gomlx/compute/gobackend" {
				t.Errorf("the README program imports %s for its side effects only", p)
			}
			continue
		}
		imported[path.Base(p)] = true
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && imported[id.Name] {
				used[id.Name] = true
			}
		}
		return true
	})
	for name := range imported {
		if !used[name] {
			t.Errorf("the README program imports %s without using it", name)
		}
	}
}

// between returns the text of s after the first from, up to the next to.
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	i := strings.Index(s, from)
	if i < 0 {
		t.Fatalf("no %q", from)
	}
	s = s[i+len(from):]
	j := strings.Index(s, to)
	if j < 0 {
		t.Fatalf("no %q after %q", to, from)
	}
	return s[:j]
}

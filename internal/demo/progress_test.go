package demo

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run whose stderr is not a terminal (a log file, CI) says what it is
// doing: a line with the plan, then one line per finished loss, and no
// progress-bar redraws.
func TestProgressIsOneLinePerLossWhenStderrIsNotATerminal(t *testing.T) {
	skipUnderRace(t)
	cmd := NewCommand()
	var stdout, stderr bytes.Buffer
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs([]string{"--steps", "3", "--size", "32", "--batch", "2", "--eval", "4", "--panels", "0",
		"--fashion", "", "--out", filepath.Join(t.TempDir(), "out"), "--json"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("demo: %v\n%s", err, stderr.String())
	}
	if strings.ContainsAny(stderr.String(), "\r\x1b") {
		t.Errorf("stderr has carriage returns or escape sequences (a progress bar): %q", stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if len(lines) != 1+len(Losses) {
		t.Fatalf("stderr has %d lines, want a plan and one per loss (%d):\n%s", len(lines), 1+len(Losses), stderr.String())
	}
	if !strings.Contains(lines[0], fmt.Sprintf("%d losses", len(Losses))) || !strings.Contains(lines[0], "3 steps") {
		t.Errorf("plan line %q: want the number of losses and steps", lines[0])
	}
	for i, l := range Losses {
		if line := lines[1+i]; !strings.Contains(line, l.Name) || !strings.Contains(line, "3 steps") {
			t.Errorf("line %d %q: want loss %s and its 3 steps", 1+i, line, l.Name)
		}
	}
	if !bytes.HasPrefix(stdout.Bytes(), []byte("{")) {
		t.Errorf("stdout does not start with the JSON results: %.80q", stdout.String())
	}
}

func TestQuietRunPrintsNothingToStderr(t *testing.T) {
	skipUnderRace(t)
	cmd := NewCommand()
	var stdout, stderr bytes.Buffer
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs([]string{"--steps", "2", "--size", "32", "--batch", "1", "--eval", "2", "--panels", "0",
		"--fashion", "", "--out", filepath.Join(t.TempDir(), "out"), "--json", "-q"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if stderr.Len() != 0 {
		t.Errorf("-q, yet stderr got %q", stderr.String())
	}
}

// The default output directory is inside the clone when the demo runs from
// there, as the README shows: git must not see it.
func TestDefaultOutputDirectoryIsIgnoredByGit(t *testing.T) {
	out := NewCommand().Flags().Lookup("out").DefValue
	f, err := os.Open(filepath.Join("..", "..", ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		switch strings.TrimSpace(sc.Text()) {
		case out, out + "/", "/" + out, "/" + out + "/":
			return
		}
	}
	t.Errorf(".gitignore has no line for the demo's default --out %s", out)
}

// Package output writes a command's output files: all of them or none,
// never over one of the command's inputs nor two over one file, and through
// to what each path names.
//
// A command declares its inputs and outputs in a Plan and checks it before
// it computes anything, then writes each output and commits them together:
//
//	plan := output.NewPlan()
//	defer plan.Abort()
//	plan.Input("--logits", logits)
//	out := plan.Output("--out", outPath)
//	if err := plan.Check(); err != nil {
//		return err // bad destination or aliasing: exit status 2
//	}
//	… compute …
//	if err := out.Write(func(w io.Writer) error { … }); err != nil {
//		return err
//	}
//	return plan.Commit()
//
// What an output path names decides how it is written:
//
//   - A regular file, or a name that does not exist yet in an existing
//     directory: the content goes to a temporary file beside it
//     (".NAME.tmpNNN"), which Commit syncs and renames over it. A replaced
//     file keeps its permission bits (and its owner and group where the
//     process may set them); a new file gets 0666 less the umask, like
//     os.Create.
//   - A symbolic link: the file the chain of links ends at is written as
//     above, and the links stay. A dangling link gets its target created,
//     as a shell's > would.
//   - A FIFO or a device: written directly, opened write-only, without a
//     temporary. What a reader has taken cannot be taken back, so Write
//     leaves it to Commit, after every regular output is staged and before
//     the renames (the only step left that can fail, rarely).
//   - A directory, a socket, or a path ending in a separator: refused.
//
// Check refuses, with an error marked by exitcode.Input (exit status 2)
// that names the flag and the path: such destinations, a destination whose
// directory does not exist or may not be written, and an output that names
// the same file as an input or as another output (os.SameFile once links
// are followed; for files that do not exist yet, the same directory and
// name).
//
// Commit renames the temporaries over their targets. Before the first
// rename it keeps a backup of each file that a later failure would leave
// replaced (a hard link, or the file renamed aside where the file system
// has no hard links); if a rename fails, the renames before it are undone
// from the backups, so every target is as it was. Abort, on every other
// exit path, removes the temporaries and the directories the plan made.
//
// While a plan has files on disk (temporaries, backups, directories it
// made), a SIGINT, SIGTERM or SIGHUP removes them, once a commit in
// progress has finished or been undone, so that every target is all old
// or all new; then it ends the process by the same signal, as if it had
// not been caught (a shell reports status 130 for SIGINT, 143 for
// SIGTERM). A signal the process was started ignoring stays ignored.
package output

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/focalgo/focal/cmd/focal/internal/exitcode"
)

// A Plan is the set of files one run of a command reads and writes. Its
// methods are not safe for concurrent use.
type Plan struct {
	inputs  []*input
	dirs    []*Dir
	outputs []*Output
	checked bool
	// made are the directories the plan created, in creation order;
	// removed again (when empty) by Abort.
	made []string
	// done is set by a successful Commit or by Abort: the plan is over.
	done bool
}

// NewPlan returns an empty plan.
func NewPlan() *Plan { return new(Plan) }

// input is a file the command reads.
type input struct {
	flag, path string
	t          target // resolved by Check; t.info nil if it does not exist
}

// Input declares that the command reads path, given with flag. An empty
// path is ignored, so optional flags can be declared unconditionally. An
// input that does not exist is not an error here: reading it will say so.
func (p *Plan) Input(flag, path string) {
	declare(&p.inputs, path, &input{flag: flag, path: path})
}

// declare adds v, declared with path, to list and returns it; but an empty
// path, an optional flag not given, is ignored: declare returns nil.
func declare[T any](list *[]*T, path string, v *T) *T {
	if path == "" {
		return nil
	}
	*list = append(*list, v)
	return v
}

// An Output is one file a plan writes.
type Output struct {
	plan       *Plan
	flag, path string
	dir        *Dir // the directory output it is inside, or nil

	t       target // what path names, as of the last check
	special bool   // a FIFO or a device: written through, no temporary
	checked bool

	file *os.File              // the temporary, or the opened special file
	tmp  string                // the temporary's path while it exists
	fill func(io.Writer) error // a special file's content, written by Commit
}

// Output declares that the command writes path, given with flag, and
// returns it for writing. An empty path is ignored (the result is nil), so
// optional flags can be declared unconditionally.
func (p *Plan) Output(flag, path string) *Output {
	return declare(&p.outputs, path, &Output{plan: p, flag: flag, path: path})
}

// Flag returns the flag the output was given with.
func (o *Output) Flag() string { return o.flag }

// Path returns the output's path as given.
func (o *Output) Path() string { return o.path }

// Special reports whether the output names a FIFO or a device, as of the
// last check: such an output is written through rather than staged, so a
// streaming writer that must not send it anything before the work is
// known to succeed gives it its content through Write (run by Commit)
// instead of Create.
func (o *Output) Special() bool { return o.special }

// A Dir is a directory a plan writes files into. If it does not exist, the
// first file staged in it creates it, with its missing parents (like mkdir
// -p, 0777 less the umask); Abort removes what it created.
type Dir struct {
	plan       *Plan
	flag, path string
	t          target   // what path names, as of the last check
	missing    []string // directories to create, outermost first
	checked    bool
}

// Dir declares that the command writes files into the directory path,
// given with flag. An empty path is ignored (the result is nil).
func (p *Plan) Dir(flag, path string) *Dir {
	return declare(&p.dirs, path, &Dir{plan: p, flag: flag, path: path})
}

// Path returns the directory's path as given.
func (d *Dir) Path() string { return d.path }

// Output declares the file name (a base name, without separators) inside
// the directory and returns it for writing. Declared after Check, it is
// checked by its Create or Write.
func (d *Dir) Output(name string) *Output {
	o := &Output{plan: d.plan, flag: d.flag, path: filepath.Join(d.path, name), dir: d}
	d.plan.outputs = append(d.plan.outputs, o)
	return o
}

// Check resolves every input and checks every destination declared so
// far, before anything is computed or written. Its errors are the user's
// (exitcode.Input): see the package documentation for what it refuses.
func (p *Plan) Check() error {
	for _, in := range p.inputs {
		in.t = resolveInput(in.path)
	}
	for _, d := range p.dirs {
		if err := p.checkDir(d); err != nil {
			return err
		}
	}
	for _, o := range p.outputs {
		if err := p.checkOutput(o); err != nil {
			return err
		}
	}
	p.checked = true
	return nil
}

// Create stages the output and returns the file to write its content to:
// the temporary for a regular file, the file itself (opened write-only;
// for a FIFO this waits for a reader) for a special one. The plan owns the
// file: write to it, do not close it. The output is checked again first,
// as the file system may have changed since Check.
//
// A streaming writer that produces several outputs together uses Create;
// it should create special files last, as what it writes to them is not
// undone if a later output fails.
func (o *Output) Create() (*os.File, error) {
	if err := o.begin(); err != nil {
		return nil, err
	}
	if o.special {
		f, err := os.OpenFile(o.t.path, os.O_WRONLY, 0)
		if err != nil {
			return nil, o.fail(err)
		}
		o.file = f
		return f, nil
	}
	return o.stage()
}

// Write gives the output the content fill writes. A regular file is
// staged now; a special file's fill is kept and run by Commit, after every
// regular output is staged. An error of fill is returned with the flag and
// the path.
func (o *Output) Write(fill func(w io.Writer) error) error {
	if err := o.begin(); err != nil {
		return err
	}
	if o.special {
		o.fill = fill
		return nil
	}
	f, err := o.stage()
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		return o.fail(err)
	}
	return nil
}

// begin checks that o can be staged now.
func (o *Output) begin() error {
	p := o.plan
	switch {
	case p.done:
		return fmt.Errorf("%s %s: output plan already committed or aborted", o.flag, o.path)
	case o.file != nil || o.fill != nil:
		return fmt.Errorf("%s %s: written twice", o.flag, o.path)
	}
	if o.dir != nil && !o.dir.checked {
		if err := p.checkDir(o.dir); err != nil {
			return err
		}
	}
	if !p.checked {
		// Outputs are checked against every input: resolve them now.
		for _, in := range p.inputs {
			in.t = resolveInput(in.path)
		}
		p.checked = true
	}
	if err := p.checkOutput(o); err != nil {
		return err
	}
	if o.dir != nil {
		return p.makeDir(o.dir)
	}
	return nil
}

// Commit writes the special outputs, then renames every staged temporary
// over its target, all or none (see the package documentation). Outputs
// never created are left alone. On an error the plan is aborted.
func (p *Plan) Commit() error {
	if p.done {
		return errors.New("output plan already committed or aborted")
	}
	var staged []*Output
	for _, o := range p.outputs {
		if o.file != nil && !o.special {
			if err := o.finish(); err != nil {
				p.Abort()
				return err
			}
			staged = append(staged, o)
		}
	}
	for _, o := range p.outputs {
		if o.special {
			if err := o.writeThrough(); err != nil {
				p.Abort()
				return err
			}
		}
	}
	return p.swap(staged)
}

// Abort removes every temporary and every directory the plan made, and
// ends the plan. It does nothing after a successful Commit, so it can be
// deferred right after NewPlan.
func (p *Plan) Abort() {
	mu.Lock()
	defer mu.Unlock()
	p.abortLocked(true)
}

// fail returns err with the output's flag and path; errors that say the
// destination is missing or not writable are the user's.
func (o *Output) fail(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	err = fmt.Errorf("%s %s: %w", o.flag, o.path, err)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return exitcode.Input(err)
	}
	return err
}

// badf returns a user error (exit status 2) about flag and path.
func badf(flag, path, format string, args ...any) error {
	return exitcode.Input(fmt.Errorf("%s %s: "+format, append([]any{flag, path}, args...)...))
}

package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/focalgo/focal/cmd/focal/internal/train"
)

// newProgress returns how focal train shows its progress: a progress bar
// per loss on stderr when stdout is a terminal; one line per finished loss
// on stderr when only stderr is one (the table or JSON going to a file or
// a pipe); nothing otherwise, so that logs and tests stay clean.
func newProgress(stdout, stderr io.Writer) train.Progress {
	switch {
	case isTerminal(stdout):
		return &barProgress{w: stderr}
	case isTerminal(stderr):
		return &lineProgress{w: stderr}
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// barProgress draws a progress bar for the run in progress.
type barProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (p *barProgress) Started(r train.RunInfo) {
	desc := r.Loss
	if r.Runs > 1 {
		desc = fmt.Sprintf("[%d/%d] %s, seed %d", r.Index+1, r.Runs, r.Loss, r.Seed)
	}
	p.bar = progressbar.NewOptions(r.Total, progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(desc), progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond))
}

func (p *barProgress) Stepped(s train.Step) {
	if p.bar != nil {
		p.bar.Set(s.Done)
	}
}

func (p *barProgress) Finished(*train.Result) {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}

// lineProgress prints one line per finished run.
type lineProgress struct {
	w    io.Writer
	info train.RunInfo
}

func (p *lineProgress) Started(r train.RunInfo) { p.info = r }
func (p *lineProgress) Stepped(train.Step)      {}

func (p *lineProgress) Finished(res *train.Result) {
	fmt.Fprintf(p.w, "[%d/%d] %s, seed %d: %s after %d steps (kept step %d), %.1fs\n",
		p.info.Index+1, p.info.Runs, p.info.Loss, p.info.Seed, res.Stop, res.Steps, res.BestStep, res.Seconds)
}

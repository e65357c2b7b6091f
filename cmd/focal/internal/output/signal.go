package output

import (
	"os"
	"os/signal"
	"sync"
)

// caught are the signals that end a process with a plan's files on disk
// removed.
var caught = []os.Signal{os.Interrupt, sigTERM, sigHUP}

var (
	// mu guards every plan's files on disk and live: staging, commit,
	// abort and the signal handler take it.
	mu sync.Mutex
	// live are the plans with files on disk; while there are any, the
	// signals of caught are delivered to sigs.
	live     = map[*Plan]bool{}
	sigs     chan os.Signal
	sigsOnce sync.Once
)

// enterLocked marks p as having files on disk. mu is held.
func (p *Plan) enterLocked() {
	if live[p] {
		return
	}
	if len(live) == 0 {
		sigsOnce.Do(func() {
			sigs = make(chan os.Signal, 1)
			go cleanUpOnSignal()
		})
		for _, s := range caught {
			// A signal the process was started ignoring (nohup, a
			// background job) stays ignored: Notify would undo that.
			if !signal.Ignored(s) {
				signal.Notify(sigs, s)
			}
		}
	}
	live[p] = true
}

// leaveLocked marks p as having no files on disk. mu is held.
func (p *Plan) leaveLocked() {
	if !live[p] {
		return
	}
	delete(live, p)
	if len(live) == 0 {
		signal.Stop(sigs)
	}
}

// cleanUpOnSignal removes the files of every live plan when a signal of
// caught arrives, and ends the process by that signal. It keeps mu, so
// that no rename starts after the clean-up.
func cleanUpOnSignal() {
	s := <-sigs
	mu.Lock()
	for p := range live {
		// The files may be in use by another goroutine: remove them,
		// leave closing to the end of the process.
		p.abortLocked(false)
	}
	reraise(s)
}

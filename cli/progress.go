package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progressEvery is how often progress is written as plain lines when stderr
// is not a terminal (a log file, a pipe, CI).
const progressEvery = 10 * time.Second

// progress reports long work on stderr: on a terminal, a one-line bar
// redrawn in place; otherwise a plain line every progressEvery (work that
// ends sooner writes none), and a last line when any was written.
type progress struct {
	w       io.Writer
	label   string
	term    bool
	last    time.Time
	start   time.Time
	written bool // a plain line was written
}

func newProgress(label string) *progress {
	p := &progress{w: os.Stderr, label: label, start: time.Now()}
	p.last = p.start
	if st, err := os.Stderr.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
		p.term = true
	}
	return p
}

// update reports done of total; extra names the unit ("steps", "files").
func (p *progress) update(done, total int, extra string) {
	if total <= 0 {
		return
	}
	now := time.Now()
	if !p.term {
		if done < total && now.Sub(p.last) < progressEvery || done >= total && !p.written {
			return
		}
		p.last, p.written = now, true
		fmt.Fprintf(p.w, "%s: %d/%d %s (%.0f%%, %.0fs)\n", p.label, done, total, extra, 100*float64(done)/float64(total), now.Sub(p.start).Seconds())
		return
	}
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	k := min(done, total) * width / total
	bar := strings.Repeat("=", k) + strings.Repeat(" ", width-k)
	fmt.Fprintf(p.w, "\r%s [%s] %d/%d %s", p.label, bar, done, total, extra)
	if done >= total {
		fmt.Fprintf(p.w, " (%.1fs)\n", now.Sub(p.start).Seconds())
	}
}

// cells reports done of total benchmark cells.
func (p *progress) cells(done, total int) { p.update(done, total, "cells") }

package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a one-line bar on stderr when stderr is a terminal, and
// stays silent otherwise (logs and pipes get the summary only).
type progress struct {
	w     io.Writer
	label string
	on    bool
	last  time.Time
	start time.Time
}

func newProgress(label string) *progress {
	p := &progress{w: os.Stderr, label: label, start: time.Now()}
	if st, err := os.Stderr.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
		p.on = true
	}
	return p
}

// update redraws the bar at most ten times a second, and always at the end.
func (p *progress) update(done, total int, extra string) {
	if !p.on || total <= 0 {
		return
	}
	if done < total && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	k := done * width / total
	bar := strings.Repeat("=", k) + strings.Repeat(" ", width-k)
	fmt.Fprintf(p.w, "\r%s [%s] %d/%d %s", p.label, bar, done, total, extra)
	if done >= total {
		fmt.Fprintf(p.w, " (%.1fs)\n", time.Since(p.start).Seconds())
	}
}

package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressPlainLines(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, label: "work", start: time.Now(), last: time.Now()}
	for i := 1; i <= 10; i++ {
		p.update(i, 10, "steps")
	}
	if buf.Len() != 0 {
		t.Errorf("quick work wrote %q", buf.String())
	}
	p.last = time.Now().Add(-2 * progressEvery)
	p.update(3, 10, "steps")
	p.update(4, 10, "steps")
	p.update(10, 10, "steps")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "work: 3/10 steps (30%") || !strings.HasPrefix(lines[1], "work: 10/10 steps (100%") {
		t.Errorf("plain progress lines %q", lines)
	}
	var term bytes.Buffer
	q := &progress{w: &term, label: "bar", term: true, start: time.Now()}
	q.update(5, 10, "files")
	q.update(10, 10, "files")
	if !strings.Contains(term.String(), "\rbar [") || !strings.HasSuffix(term.String(), "s)\n") {
		t.Errorf("terminal bar %q", term.String())
	}
}

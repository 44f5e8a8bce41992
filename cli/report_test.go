package cli

import (
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/music"
)

func TestPrintReport(t *testing.T) {
	r := &music.BuildReport{Files: 9, Used: 4, Windows: 12, Duplicates: 1, Kept: [3]int{8, 1, 2},
		SkipCounts: map[music.SkipKind]int{"corrupt": 5}}
	for _, p := range []string{"a.mid", "b.mid", "c.mid", "d.mid", "e.mid"} {
		r.Skipped = append(r.Skipped, music.SkippedFile{Path: p, Reason: "no MThd header"})
	}
	for _, c := range []struct {
		o         reportOptions
		want, not []string
	}{
		{reportOptions{}, []string{"skip c.mid: no MThd header", "… and 2 more (--list-skipped lists all)", "11 kept (train 8, validation 1, test 2)"}, []string{"d.mid"}},
		{reportOptions{ListSkipped: true, Splits: trainAndValidation}, []string{"skip e.mid: no MThd header", "11 kept (train 8, validation 3)\n"}, []string{"more", "test"}},
		{reportOptions{Splits: noSplit}, []string{"skip a.mid", "11 kept\n"}, []string{"train", "validation"}},
	} {
		var b strings.Builder
		printReport(&b, r, c.o)
		for _, w := range c.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%+v: no %q in\n%s", c.o, w, b.String())
			}
		}
		for _, w := range c.not {
			if strings.Contains(b.String(), w) {
				t.Errorf("%+v: %q in\n%s", c.o, w, b.String())
			}
		}
	}
}

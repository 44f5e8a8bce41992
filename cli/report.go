package cli

import (
	"fmt"
	"io"
	"sort"

	"github.com/musicvae-go/mvae/music"
)

// splitView is how a command uses the splits of the windows it read, and so
// how its report counts them.
type splitView int

const (
	// threeSplits: train, validation and test (data build).
	threeSplits splitView = iota
	// trainAndValidation: the validation and test parts both validate (finetune).
	trainAndValidation
	// noSplit: every window is used alike (evaluate).
	noSplit
)

// reportOptions choose what printReport says.
type reportOptions struct {
	// ListSkipped lists every skipped file; else the first few, and
	// the command's --list-skipped lists the rest.
	ListSkipped bool
	Splits      splitView
}

// skipExamples is how many skipped files a report lists without --list-skipped.
const skipExamples = 3

// printReport writes what reading MIDI files into windows found: files
// used and skipped (counts per reason and the reasons of the files), and
// the windows kept, as the command uses them.
func printReport(w io.Writer, r *music.BuildReport, o reportOptions) {
	fmt.Fprintf(w, "files: %d found, %d used, %d skipped\n", r.Files, r.Used, len(r.Skipped))
	kinds := make([]string, 0, len(r.SkipCounts))
	for k := range r.SkipCounts {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "  skipped, %s: %d\n", k, r.SkipCounts[music.SkipKind(k)])
	}
	for i, s := range r.Skipped {
		if !o.ListSkipped && i == skipExamples {
			fmt.Fprintf(w, "  … and %d more (--list-skipped lists all)\n", len(r.Skipped)-skipExamples)
			break
		}
		fmt.Fprintf(w, "  skip %s: %s\n", s.Path, s.Reason)
	}
	kept := r.Kept[0] + r.Kept[1] + r.Kept[2]
	fmt.Fprintf(w, "windows: %d read, %d duplicates dropped, %d kept", r.Windows, r.Duplicates, kept)
	switch o.Splits {
	case threeSplits:
		fmt.Fprintf(w, " (train %d, validation %d, test %d)\n", r.Kept[0], r.Kept[1], r.Kept[2])
	case trainAndValidation:
		fmt.Fprintf(w, " (train %d, validation %d)\n", r.Kept[0], r.Kept[1]+r.Kept[2])
	default:
		fmt.Fprintln(w)
	}
	if r.SplitByInfo > 0 && o.Splits != noSplit {
		fmt.Fprintf(w, "split: %d files by info.csv, %d by path hash\n", r.SplitByInfo, r.SplitByHash)
	}
}

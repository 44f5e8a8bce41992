package music

import (
	"errors"
	"fmt"
)

// SkipKind groups the reasons a file gives no windows, for the counts a
// dataset build prints.
type SkipKind string

const (
	SkipCorrupt       SkipKind = "corrupt or unreadable MIDI"
	SkipTimeSignature SkipKind = "time signature other than 4/4"
	SkipNoDrums       SkipKind = "no drum notes on channel 10"
	SkipNoNotes       SkipKind = "no notes in range"
	SkipNoWindow      SkipKind = "no window with a hit or onset"
	SkipTooLong       SkipKind = "too long"
	SkipTempo         SkipKind = "tempo change (Magenta models)"
	SkipOutOfRange    SkipKind = "note out of the model's range"
	SkipPolyphony     SkipKind = "polyphonic melody (Magenta models)"
)

// SkipError says why a file gives no windows. Path is set once the file is
// known.
type SkipError struct {
	Path   string
	Kind   SkipKind
	Reason string
}

func (e *SkipError) Error() string {
	if e.Path == "" {
		return e.Reason
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Reason)
}

// withPath names the file in a *SkipError, or wraps another error.
func withPath(err error, path string) error {
	var se *SkipError
	if errors.As(err, &se) {
		c := *se
		c.Path = path
		return &c
	}
	return fmt.Errorf("%s: %w", path, err)
}

// KindOf returns the skip kind of err, or "" for other errors.
func KindOf(err error) SkipKind {
	var se *SkipError
	if errors.As(err, &se) {
		return se.Kind
	}
	return ""
}

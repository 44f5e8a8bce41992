package music

import (
	"errors"
	"fmt"
)

// SongWindows returns every window of a song (spec §1): `bars` bars starting
// at every bar line, from bar 0 to the last full window, leaving out windows
// without any hit (drums, groove) or onset (melody). Duplicates are kept;
// melody windows list channel by channel, ascending. A song whose time
// signature changes is split at the changes: each 4/4 stretch (stretches44)
// is read as a file of its own, its windows listed in order after the
// previous stretch's; the other stretches are left out.
func SongWindows(s *Song, o Options) (*Windows, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	if o.Magenta != nil {
		return magentaSongWindows(s, o)
	}
	parts, other := s.stretches44()
	if len(parts) == 0 {
		return nil, timeSignatureSkip(other, "only 4/4 is supported, and the file has no 4/4 stretch")
	}
	w := &Windows{T: o.Steps(), D: o.Representation.Depth()}
	if len(parts) == 1 && parts[0].start == 0 && parts[0].end < 0 {
		if _, err := stretchWindows(s, o, -1, w); err != nil {
			return nil, err
		}
		return w, nil
	}
	// Each 4/4 stretch is read as a file of its own: its notes from its
	// start, its windows within its whole bars.
	var first error
	for _, p := range parts {
		maxBars := -1
		if p.end >= 0 {
			maxBars = int((p.end - p.start) / int64(4*s.TicksPerQuarter))
		}
		if maxBars == 0 {
			continue
		}
		_, err := stretchWindows(s.slice(p.start, p.end), o, maxBars, w)
		var se *SkipError
		switch {
		case err == nil:
		case errors.As(err, &se):
			if se.Kind == SkipTooLong {
				return nil, err
			}
			if first == nil {
				first = err
			}
		default:
			return nil, err
		}
	}
	if w.N == 0 {
		why := fmt.Sprintf("no %d-bar window with a hit or onset in its 4/4 stretches", o.Bars)
		if first != nil {
			why += " (" + first.Error() + ")"
		}
		return nil, timeSignatureSkip(other, why)
	}
	return w, nil
}

// stretchWindows appends to w the windows of a 4/4 song (spec §1): `bars`
// bars starting at every bar line, from bar 0 to the last full window (and
// within maxBars bars when maxBars ≥ 0), leaving out windows without any hit
// (drums, groove) or onset (melody). Duplicates are kept; melody windows list
// channel by channel, ascending. It returns the bars the song spans.
func stretchWindows(s *Song, o Options, maxBars int, w *Windows) (int, error) {
	T, D := o.Steps(), o.Representation.Depth()
	n0 := w.N
	buf := make([]float32, T*D)
	bars := 0
	limit := func(b int) int {
		if maxBars >= 0 {
			return min(b, maxBars)
		}
		return b
	}
	switch o.Representation {
	case Groove, Drums:
		r, err := drumRollOf(s, o.drumMap())
		if err != nil {
			return 0, err
		}
		bars = limit(r.steps / StepsPerBar)
		for b := 0; b+o.Bars <= bars; b++ {
			var any bool
			if o.Representation == Groove {
				any = r.encodeGroove(buf, b*StepsPerBar, T)
			} else {
				any = r.encodeDrums(buf, b*StepsPerBar, T)
			}
			if any {
				w.add(buf)
			}
		}
	case Melody:
		chans := melodyChannels(s, o.Channel)
		found := false
		for _, ch := range chans {
			roll, err := melodyRoll(s, ch)
			if err != nil {
				return 0, err
			}
			if roll == nil {
				continue
			}
			found = true
			rb := limit(len(roll) / StepsPerBar)
			bars = max(bars, rb)
			for b := 0; b+o.Bars <= rb; b++ {
				clear(buf)
				any := false
				for t := 0; t < T; t++ {
					tok := roll[b*StepsPerBar+t]
					if tok >= 2 {
						any = true
					}
					buf[t*D+tok] = 1
				}
				if any {
					w.add(buf)
				}
			}
		}
		if !found {
			return 0, noMelodyError(o.Channel)
		}
	}
	if w.N == n0 {
		return bars, &SkipError{Kind: SkipNoWindow, Reason: fmt.Sprintf("no %d-bar window with a hit or onset (the file spans %d bar(s))", o.Bars, bars)}
	}
	return bars, nil
}

// FileWindows reads a MIDI file and returns its windows. Errors name the file;
// a file the spec skips gives a *SkipError saying why.
func FileWindows(path string, o Options) (*Windows, error) {
	s, err := ReadMIDIFile(path)
	if err != nil {
		return nil, err
	}
	w, err := SongWindows(s, o)
	if err != nil {
		return nil, withPath(err, path)
	}
	return w, nil
}

package music

import "fmt"

// SongWindows returns every window of a song (spec §1): `bars` bars starting
// at every bar line, from bar 0 to the last full window, leaving out windows
// without any hit (drums, groove) or onset (melody). Duplicates are kept;
// melody windows list channel by channel, ascending.
func SongWindows(s *Song, o Options) (*Windows, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	if o.Magenta != nil {
		return magentaSongWindows(s, o)
	}
	if err := s.check44(); err != nil {
		return nil, err
	}
	T, D := o.Steps(), o.Representation.Depth()
	w := &Windows{T: T, D: D}
	buf := make([]float32, T*D)
	bars := 0
	switch o.Representation {
	case Groove, Drums:
		r, err := drumRollOf(s, o.drumMap())
		if err != nil {
			return nil, err
		}
		bars = r.steps / StepsPerBar
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
				return nil, err
			}
			if roll == nil {
				continue
			}
			found = true
			bars = max(bars, len(roll)/StepsPerBar)
			for b := 0; b*StepsPerBar+T <= len(roll); b++ {
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
			return nil, noMelodyError(o.Channel)
		}
	}
	if w.N == 0 {
		return nil, &SkipError{Kind: SkipNoWindow, Reason: fmt.Sprintf("no %d-bar window with a hit or onset (the file spans %d bar(s))", o.Bars, bars)}
	}
	return w, nil
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

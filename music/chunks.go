package music

import (
	"fmt"
	"slices"
)

// SongChunks cuts the drum part of a song into consecutive windows of
// o.Bars bars, from bar 0 to the bar of the last hit (the last window
// padded with silence): [N, T, D] of groove or drums, empty windows kept,
// so that the windows one after the other are the whole part. It is what a
// whole file is humanized or tapped through (SongWindows gives the
// overlapping windows at every bar line instead).
//
// With taps, every note of the song, on any channel, is a hit of class 0:
// a tapped rhythm, whose timing and loudness alone count. Magenta models
// (o.Magenta) read the drums as their converter does (magentawindows.go).
func SongChunks(s *Song, o Options, taps bool) (*Windows, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	if o.Representation != Groove && o.Representation != Drums {
		return nil, fmt.Errorf("only drums are cut into consecutive windows, not %s", o.Representation)
	}
	T, D := o.Steps(), o.Representation.Depth()
	w := &Windows{T: T, D: D}
	buf := make([]float32, T*D)
	chunks := func(steps int) int { return (steps + T - 1) / T }
	if c := o.Magenta; c != nil {
		q, err := MagentaSequenceOf(s)
		if err != nil {
			return nil, err
		}
		if taps {
			q.Notes = slices.Clone(q.Notes)
			for i := range q.Notes {
				q.Notes[i].IsDrum, q.Notes[i].Pitch = true, int(c.DrumMap.OutputPitch(0))
			}
		}
		l := newDrumLine(q, c)
		if l.last < 0 {
			return nil, &SkipError{Kind: SkipNoDrums, Reason: "no drum notes on channel 10 in the model's drum map"}
		}
		for k := range chunks(l.last + 1) {
			clear(buf)
			l.window(buf, k*T, T)
			w.add(buf)
		}
		return w, nil
	}
	if err := s.check44(); err != nil {
		return nil, err
	}
	m := o.drumMap()
	if taps {
		t := *s
		t.Notes = slices.Clone(s.Notes)
		for i := range t.Notes {
			t.Notes[i].Channel, t.Notes[i].Pitch = 9, m.OutputPitch(0)
		}
		s = &t
	}
	r, err := drumRollOf(s, m)
	if err != nil {
		return nil, err
	}
	n := chunks(r.steps)
	pad := n*T - r.steps
	r.hit = append(r.hit, make([][NumDrumClasses]bool, pad)...)
	r.vel = append(r.vel, make([][NumDrumClasses]float32, pad)...)
	r.off = append(r.off, make([][NumDrumClasses]float32, pad)...)
	r.steps = n * T
	for k := range n {
		if o.Representation == Groove {
			r.encodeGroove(buf, k*T, T)
		} else {
			r.encodeDrums(buf, k*T, T)
		}
		w.add(buf)
	}
	return w, nil
}

// FileChunks reads a MIDI file and returns SongChunks of it; errors name the
// file.
func FileChunks(path string, o Options, taps bool) (*Windows, error) {
	s, err := ReadMIDIFile(path)
	if err != nil {
		return nil, err
	}
	w, err := SongChunks(s, o, taps)
	if err != nil {
		return nil, withPath(err, path)
	}
	return w, nil
}

package music

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"

	"gitlab.com/gomidi/midi/v2/smf"
)

// Note is one note of a MIDI file, in ticks.
type Note struct {
	Track    int   // index of the track that holds the note-on
	Index    int   // index of the note-on event in its track
	Channel  uint8 // 0-based: drums are channel 9
	Pitch    uint8
	Velocity uint8
	Start    int64 // tick of the note-on
	End      int64 // tick of its note-off, the next strike of the pitch, or the end of its track
}

// TimeSignature is one time signature meta event.
type TimeSignature struct {
	Tick        int64
	Numerator   int
	Denominator int // 1 << exponent; 0 when the exponent is absurd
}

// Song is what mvae reads from a Standard MIDI File.
type Song struct {
	TicksPerQuarter int
	Format          int
	TimeSignatures  []TimeSignature
	// Notes in file order: by Start, then track, then position in the track.
	Notes []Note

	// What magenta.js's reader needs (magentaseq.go): each track's channel
	// messages in order, and the tempo meta events.
	raw    [][]rawEvent
	tempos []rawTempo
}

// rawEvent is one channel message of a track: status is its status byte
// (kind in the high nibble, channel in the low), a and b its data bytes.
type rawEvent struct {
	tick         int64
	status, a, b uint8
}

// rawTempo is a Set Tempo meta event: microseconds a quarter note (0 when
// the event is malformed).
type rawTempo struct {
	tick  int64
	usPQN uint32
}

// ReadMIDIFile reads a Standard MIDI File. Errors name the file.
func ReadMIDIFile(path string) (*Song, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxMIDIFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > MaxMIDIFileSize {
		return nil, &SkipError{Path: path, Kind: SkipCorrupt, Reason: fmt.Sprintf("larger than %d MiB; not a MIDI file mvae reads", MaxMIDIFileSize>>20)}
	}
	s, err := ParseMIDI(data)
	if err != nil {
		return nil, withPath(err, path)
	}
	return s, nil
}

// ParseMIDI reads a Standard MIDI File from memory. It never panics: corrupt
// data gives a *SkipError of kind SkipCorrupt.
func ParseMIDI(data []byte) (song *Song, err error) {
	norm, format, tpq, err := normalize(data)
	if err != nil {
		return nil, &SkipError{Kind: SkipCorrupt, Reason: err.Error()}
	}
	if format == 2 {
		return nil, &SkipError{Kind: SkipCorrupt, Reason: "SMF format 2 (independent sequences) is not supported"}
	}
	defer func() {
		// normalize has checked the structure; this is a last line of defence.
		if r := recover(); r != nil {
			song, err = nil, &SkipError{Kind: SkipCorrupt, Reason: fmt.Sprintf("MIDI reader failed: %v", r)}
		}
	}()
	f, err := smf.ReadFrom(bytes.NewReader(norm))
	if err != nil {
		return nil, &SkipError{Kind: SkipCorrupt, Reason: err.Error()}
	}
	song = &Song{TicksPerQuarter: tpq, Format: format}
	for ti, tr := range f.Tracks {
		if err := song.addTrack(ti, tr); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(song.Notes, func(a, b int) bool {
		na, nb := &song.Notes[a], &song.Notes[b]
		if na.Start != nb.Start {
			return na.Start < nb.Start
		}
		if na.Track != nb.Track {
			return na.Track < nb.Track
		}
		return na.Index < nb.Index
	})
	return song, nil
}

// addTrack pairs the note-ons and note-offs of one track. A note ends at its
// note-off (or note-on with velocity 0) of the same channel and pitch, at the
// next strike of that pitch on that channel, or at the end of its track.
// Notes are paired within a track, as pretty_midi (and so note_seq) does.
func (s *Song) addTrack(ti int, tr smf.Track) error {
	type key struct{ ch, pitch uint8 }
	open := map[key]int{} // index into s.Notes
	var tick int64
	var raw []rawEvent
	defer func() { s.raw = append(s.raw, raw) }()
	for ei, ev := range tr {
		tick += int64(ev.Delta)
		m := ev.Message
		if b := m.Bytes(); len(b) > 0 && b[0] >= 0x80 && b[0] < 0xF0 {
			e := rawEvent{tick: tick, status: b[0]}
			if len(b) > 1 {
				e.a = b[1]
			}
			if len(b) > 2 {
				e.b = b[2]
			}
			raw = append(raw, e)
		}
		var ch, pitch, vel uint8
		switch {
		case m.GetNoteStart(&ch, &pitch, &vel):
			k := key{ch, pitch}
			if j, ok := open[k]; ok {
				s.Notes[j].End = tick
			}
			open[k] = len(s.Notes)
			s.Notes = append(s.Notes, Note{Track: ti, Index: ei, Channel: ch, Pitch: pitch, Velocity: vel, Start: tick, End: -1})
		case m.GetNoteEnd(&ch, &pitch):
			k := key{ch, pitch}
			if j, ok := open[k]; ok {
				s.Notes[j].End = tick
				delete(open, k)
			}
		case m.Is(smf.MetaTempoMsg):
			// FF 51 03 tt tt tt; usPQN 0 marks a malformed one (the spec's
			// reading ignores tempo, magenta.js's refuses it).
			t := rawTempo{tick: tick}
			if b := m.Bytes(); len(b) == 6 && b[2] == 3 {
				t.usPQN = uint32(b[3])<<16 | uint32(b[4])<<8 | uint32(b[5])
			}
			s.tempos = append(s.tempos, t)
		case m.Is(smf.MetaTimeSigMsg):
			b := m.Bytes()
			// FF 58 04 nn dd cc bb: the normalized form always has a 1-byte length.
			if len(b) != 7 || b[2] != 4 {
				return &SkipError{Kind: SkipCorrupt, Reason: fmt.Sprintf("malformed time signature meta event in track %d", ti)}
			}
			ts := TimeSignature{Tick: tick, Numerator: int(b[3])}
			if b[4] < 16 {
				ts.Denominator = 1 << b[4]
			}
			s.TimeSignatures = append(s.TimeSignatures, ts)
		}
	}
	for _, j := range open {
		s.Notes[j].End = tick
	}
	return nil
}

package music

import (
	"fmt"
	"math"
	"sort"
)

// MagentaNote is one note of the NoteSequence magenta.js 1.23.1 builds from a
// MIDI file (midiToSequenceProto, through @tonejs/midi 2.0), quantized by
// quantizeNoteSequence(ns, 4).
type MagentaNote struct {
	Pitch    int
	Velocity int // floor(v/127 * 128): magenta.js's, 128 for a MIDI velocity of 127
	Program  int // the program of the note's (program, channel) track
	Channel  int // 0-based
	IsDrum   bool
	// Start and End are in seconds, from the file's tempo map as
	// @tonejs/midi computes it (float64, the same operations in the same order).
	Start, End float64
	// StartStep and EndStep are floor(seconds * stepsPerSecond + 0.5), the end
	// at least one step after the start.
	StartStep, EndStep int
}

// MagentaSequence is the quantized NoteSequence of a MIDI file as magenta.js
// sees it: Notes in its order (track by track, each track's notes by onset).
type MagentaSequence struct {
	QPM        float64 // tempos[0].qpm, or 120
	Notes      []MagentaNote
	TotalSteps int // totalQuantizedSteps
}

// StepSeconds is the length of a step in seconds, (60/qpm)/4, as magenta.js's
// GrooveConverter computes it.
func (q *MagentaSequence) StepSeconds() float64 { return (60. / q.QPM) / StepsPerQuarter }

// MagentaSequenceOf builds the NoteSequence magenta.js would read from s:
//
//   - tracks split by (program, channel) as @tonejs/midi does, a note-on
//     paired with the first later note-off (or note-on of velocity 0) of its
//     pitch in its track; a note-on never released is dropped;
//   - onsets and ends in seconds from the tempo map, velocities floor(v/127·128);
//   - quantized as quantizeNoteSequence(ns, 4): one tempo only (a change of
//     tempo is an error, as magenta.js throws), steps floor(t·4·qpm/60 + 0.5).
//
// Time signatures follow quantizeNoteSequence too: one signature
// throughout (any, not only the spec's 4/4; none is 4/4), a first one after
// the start only if it is 4/4. Windows still start every 16 steps.
func MagentaSequenceOf(s *Song) (*MagentaSequence, error) {
	if err := s.magentaTimeSignature(); err != nil {
		return nil, err
	}
	ppq := float64(s.TicksPerQuarter)
	tempos, err := s.magentaTempos()
	if err != nil {
		return nil, err
	}
	toSec := func(t int64) float64 {
		// Header.ticksToSeconds: the last tempo at or before t, else 120 qpm.
		i := sort.Search(len(tempos), func(i int) bool { return tempos[i].tick > t }) - 1
		if i < 0 {
			return (60. / 120) * (float64(t) / ppq)
		}
		tp := tempos[i]
		return tp.time + (60/tp.bpm)*(float64(t-tp.tick)/ppq)
	}
	qpm := 120.0
	if len(tempos) > 0 {
		// assertSingleTempo: an implicit change from 120, or any change, throws.
		if tempos[0].time != 0 && tempos[0].bpm != 120 {
			return nil, &SkipError{Kind: SkipTempo, Reason: fmt.Sprintf("a tempo change from the implicit 120 qpm to %v qpm at %v seconds; magenta.js quantizes one tempo only", tempos[0].bpm, tempos[0].time)}
		}
		for _, tp := range tempos[1:] {
			if tp.bpm != tempos[0].bpm {
				return nil, &SkipError{Kind: SkipTempo, Reason: fmt.Sprintf("a tempo change from %v qpm to %v qpm at %v seconds; magenta.js quantizes one tempo only", tempos[0].bpm, tp.bpm, tp.time)}
			}
		}
		qpm = tempos[0].bpm
	}
	sps := StepsPerQuarter * qpm / 60.0
	step := func(sec float64) (int, error) {
		v := math.Floor(sec*sps + 0.5)
		if v > MaxSteps {
			return 0, &SkipError{Kind: SkipTooLong, Reason: fmt.Sprintf("a note at %.1f seconds, past the %d bars mvae reads", sec, MaxSteps/StepsPerBar)}
		}
		return int(v), nil
	}
	q := &MagentaSequence{QPM: qpm}
	totalTime := 0.0
	for ti, tr := range splitTracks(s.raw) {
		notes := tr.notes()
		if ti == 0 && tr.file == 0 && s.Format == 1 {
			// Midi: a format-1 file's first track goes when its duration is 0.
			d := 0.0
			for _, n := range notes {
				d = math.Max(d, toSec(n.on)+(toSec(n.off)-toSec(n.on)))
			}
			if d == 0 {
				continue
			}
		}
		for _, n := range notes {
			start := toSec(n.on)
			end := start + (toSec(n.off) - start)
			mn := MagentaNote{Pitch: int(n.pitch), Velocity: int(math.Floor(float64(n.vel) / 127 * 128)),
				Program: int(tr.program), Channel: int(tr.channel), IsDrum: tr.channel == 9, Start: start, End: end}
			if mn.StartStep, err = step(start); err != nil {
				return nil, err
			}
			if mn.EndStep, err = step(end); err != nil {
				return nil, err
			}
			if mn.EndStep == mn.StartStep {
				mn.EndStep++
			}
			q.Notes = append(q.Notes, mn)
			totalTime = math.Max(totalTime, end)
		}
	}
	q.TotalSteps, _ = step(totalTime)
	for _, n := range q.Notes {
		q.TotalSteps = max(q.TotalSteps, n.EndStep)
	}
	return q, nil
}

// magentaTimeSignature applies quantizeNoteSequence's rules: the signatures
// sorted by time, an implicit change from 4/4 at the start or any change
// later is an error, and the signature must have a power-of-two denominator
// and a numerator above 0.
func (s *Song) magentaTimeSignature() error {
	ts := append([]TimeSignature(nil), s.TimeSignatures...)
	if len(ts) == 0 {
		return nil
	}
	sort.SliceStable(ts, func(a, b int) bool { return ts[a].Tick < ts[b].Tick })
	first := ts[0]
	name := func(t TimeSignature) string {
		if t.Denominator == 0 {
			return fmt.Sprintf("%d/?", t.Numerator)
		}
		return fmt.Sprintf("%d/%d", t.Numerator, t.Denominator)
	}
	bad := func(f string, a ...any) error {
		return &SkipError{Kind: SkipTimeSignature, Reason: fmt.Sprintf(f, a...) + "; magenta.js quantizes one time signature only"}
	}
	if first.Tick != 0 && (first.Numerator != 4 || first.Denominator != 4) {
		return bad("an implicit change from 4/4 to %s at tick %d", name(first), first.Tick)
	}
	for _, t := range ts[1:] {
		if t.Numerator != first.Numerator || t.Denominator != first.Denominator {
			return bad("a change from %s to %s at tick %d", name(first), name(t), t.Tick)
		}
	}
	if first.Denominator == 0 || first.Numerator == 0 {
		return &SkipError{Kind: SkipTimeSignature, Reason: fmt.Sprintf("time signature %s: magenta.js needs a numerator above 0 and a power-of-two denominator", name(first))}
	}
	return nil
}

type magentaTempo struct {
	tick      int64
	bpm, time float64
}

// magentaTempos are the tempo events sorted by tick with their times, as
// @tonejs/midi's Header.update computes them.
func (s *Song) magentaTempos() ([]magentaTempo, error) {
	ts := make([]magentaTempo, 0, len(s.tempos))
	for _, t := range s.tempos {
		if t.usPQN == 0 {
			return nil, &SkipError{Kind: SkipCorrupt, Reason: fmt.Sprintf("a malformed tempo event (or a tempo of 0 µs a quarter) at tick %d", t.tick)}
		}
		ts = append(ts, magentaTempo{tick: t.tick, bpm: 60000000 / float64(t.usPQN)})
	}
	sort.SliceStable(ts, func(a, b int) bool { return ts[a].tick < ts[b].tick })
	ppq := float64(s.TicksPerQuarter)
	cur, lastBeats := 0.0, 0.0
	for i := range ts {
		last := ts[0].bpm
		if i > 0 {
			last = ts[i-1].bpm
		}
		beats := float64(ts[i].tick)/ppq - lastBeats
		ts[i].time = (60/last)*beats + cur
		cur = ts[i].time
		lastBeats += beats
	}
	return ts, nil
}

// tonejsTrack is one track of @tonejs/midi after splitTracks: the channel
// messages of one (program, channel) pair of one file track.
type tonejsTrack struct {
	file             int // the file track it comes from
	program, channel uint8
	events           []rawEvent
}

// splitTracks splits each file track by (program, channel), the program being
// the channel's last program change in that file track (0 before any), in the
// order the pairs first appear.
func splitTracks(raw [][]rawEvent) []*tonejsTrack {
	var out []*tonejsTrack
	for f, tr := range raw {
		var program [16]uint8
		idx := map[[2]uint8]int{}
		for _, e := range tr {
			ch := e.status & 0x0F
			if e.status>>4 == 0xC {
				program[ch] = e.a
			}
			k := [2]uint8{program[ch], ch}
			i, ok := idx[k]
			if !ok {
				i = len(out)
				idx[k] = i
				out = append(out, &tonejsTrack{file: f, program: program[ch], channel: ch})
			}
			out[i].events = append(out[i].events, e)
		}
	}
	return out
}

type tonejsNote struct {
	pitch, vel uint8
	on, off    int64
}

// notes pairs each note-on with the first note-off of its pitch at or after
// it that no earlier note-on took, in note-on order; unpaired note-ons are
// dropped (Track's constructor).
func (t *tonejsTrack) notes() []tonejsNote {
	var offs [128][]int64
	for _, e := range t.events {
		if k := e.status >> 4; k == 0x8 || k == 0x9 && e.b == 0 {
			offs[e.a&0x7F] = append(offs[e.a&0x7F], e.tick)
		}
	}
	var next [128]int // offs[p][:next[p]] are taken or before every later note-on
	var out []tonejsNote
	for _, e := range t.events {
		if e.status>>4 != 0x9 || e.b == 0 {
			continue
		}
		p := e.a & 0x7F
		for next[p] < len(offs[p]) && offs[p][next[p]] < e.tick {
			next[p]++
		}
		if next[p] == len(offs[p]) {
			continue
		}
		out = append(out, tonejsNote{pitch: p, vel: e.b, on: e.tick, off: offs[p][next[p]]})
		next[p]++
	}
	return out
}

package music

import (
	"fmt"
	"io"
	"math"
	"sort"

	"gitlab.com/gomidi/midi/v2"
	"gitlab.com/gomidi/midi/v2/smf"
)

// WriteOptions choose how tensors become a Standard MIDI File. The zero
// value of every field but Representation is a sensible default.
type WriteOptions struct {
	Representation Representation
	DrumMap        *DrumMap // nil: GM
	BPM            float64  // tempo in quarter notes a minute, above 0 and at most MaxBPM; 0: 120
	Name           string   // track name; "": "mvae " and the representation
	// Loop is how many times the window is played, one after the other
	// (0 or 1: once); the file lasts Loop times the window's bars.
	Loop int
	// Quantize writes groove hits on their steps at velocity 100: the
	// velocities and offsets of the window are dropped. Other
	// representations have neither, and ignore it.
	Quantize bool
	// Program is the General MIDI program of a melody (and of a trio's
	// melody), numbered 1 to 128 as the GM tables print them (1: Acoustic
	// Grand Piano, 34: Electric Bass (finger)); 0 writes no program change
	// (a player's default, piano). Drum representations refuse it.
	Program int
	// Magenta, when set, writes as this magenta.js converter's
	// toNoteSequence does (magentawrite.go); DrumMap is then ignored.
	Magenta *MagentaConverter
}

// Bounds of WriteOptions.
const (
	MaxBPM  = 1000 // the fastest tempo mvae writes
	MaxLoop = 1024 // the most repeats of a window in one file
)

// Check validates the options; an error names the field in words.
func (o WriteOptions) Check() error {
	if _, err := ParseRepresentation(string(o.Representation)); err != nil {
		return err
	}
	if !(o.BPM >= 0 && o.BPM <= MaxBPM) { // NaN fails both
		return fmt.Errorf("tempo %v bpm: want above 0 and at most %d", o.BPM, MaxBPM)
	}
	if o.Loop < 0 || o.Loop > MaxLoop {
		return fmt.Errorf("loop %d: want 1 to %d repeats", o.Loop, MaxLoop)
	}
	if o.Program < 0 || o.Program > 128 {
		return fmt.Errorf("program %d: want a General MIDI program from 1 to 128", o.Program)
	}
	if o.Program != 0 && (o.Representation == Groove || o.Representation == Drums) {
		return fmt.Errorf("a program is for melodies: %s play on the drum channel (10)", o.Representation)
	}
	return nil
}

// tempo is o.BPM, or 120.
func (o WriteOptions) tempo() float64 {
	if o.BPM == 0 {
		return 120
	}
	return o.BPM
}

// repeats is o.Loop, at least 1.
func (o WriteOptions) repeats() int { return max(o.Loop, 1) }

// FileTicks is the length in ticks of the file WindowToMIDI writes for a
// window of T steps: every repeat of the window, to its last bar line.
func (o WriteOptions) FileTicks(T int) int64 {
	return int64(o.repeats()) * int64(T) * outTicksPerQuarter / StepsPerQuarter
}

// FileSeconds is the length in seconds of that file.
func (o WriteOptions) FileSeconds(T int) float64 {
	return float64(o.FileTicks(T)) / outTicksPerQuarter * 60 / o.tempo()
}

// OutTicksPerQuarter is the resolution of the files mvae writes.
const OutTicksPerQuarter = outTicksPerQuarter

// outTicksPerQuarter is the resolution of the files mvae writes.
const outTicksPerQuarter = 480

// Default velocity for categorical drums and melodies, as note_seq writes them.
const defaultVelocity = 100

type outEvent struct {
	tick  int64
	on    bool
	ch    uint8
	pitch uint8
	vel   uint8
}

// program is a program change written at tick 0.
type program struct{ ch, number uint8 }

// WindowToMIDI writes one window [T, D] (T*D values) as a Standard MIDI File
// of one track, ready for a DAW's loop: drums on channel 10 at the map's
// output pitches with a 16th-note duration; groove velocities and offsets
// applied to the timing (none with o.Quantize); melodies on channel 1 with
// velocity 100, one note at a time, on o.Program. The track carries its name,
// a 4/4 time signature and the tempo, plays the window o.Loop times, and ends
// on the last bar line (FileTicks): a note that would sound past a repeat's
// end is cut there, one that would start before 0 starts at 0. With
// o.Magenta, or for a trio, the notes are those of magenta.js's
// toNoteSequence (magentaEvents). x is not modified.
func WindowToMIDI(w io.Writer, x []float32, o WriteOptions) error {
	if err := o.Check(); err != nil {
		return err
	}
	if o.Magenta != nil && o.Magenta.Representation() != o.Representation {
		return fmt.Errorf("a magenta.js %s writes %s, not %s", o.Magenta.Type, o.Magenta.Representation(), o.Representation)
	}
	D := o.Representation.Depth()
	if len(x)%D != 0 {
		panic(fmt.Sprintf("music: window of %d values is not a multiple of D=%d", len(x), D))
	}
	T := len(x) / D
	m := o.DrumMap
	if m == nil {
		m = GM
	}
	if o.Quantize && o.Representation == Groove {
		x = quantizeGroove(x)
	}
	stepTicks := float64(outTicksPerQuarter) / StepsPerQuarter
	var evs []outEvent
	var programs []program
	if o.Magenta != nil || o.Representation == Trio {
		evs, programs = magentaEvents(x, T, o)
	}
	drum := func(t, class int, vel uint8, offset float64) {
		tick := int64(math.Round((float64(t) + offset/2) * stepTicks))
		tick = max(tick, 0)
		p := m.OutputPitch(class)
		evs = append(evs,
			outEvent{tick: tick, on: true, ch: 9, pitch: p, vel: vel},
			outEvent{tick: tick + int64(stepTicks), ch: 9, pitch: p})
	}
	switch o.Representation {
	case Groove:
		if o.Magenta != nil {
			break
		}
		C := NumDrumClasses
		for t := 0; t < T; t++ {
			row := x[t*D : (t+1)*D]
			for c := 0; c < C; c++ {
				if row[c] < 0.5 {
					continue
				}
				v := int(math.Round(float64(row[C+c]) * 127))
				v = min(max(v, 1), 127)
				off := math.Max(-1, math.Min(1, float64(row[2*C+c])))
				drum(t, c, uint8(v), off)
			}
		}
	case Drums:
		if o.Magenta != nil {
			break
		}
		for t := 0; t < T; t++ {
			k := argmax(x[t*D : (t+1)*D])
			for c := 0; c < NumDrumClasses; c++ {
				if k&(1<<c) != 0 {
					drum(t, c, defaultVelocity, 0)
				}
			}
		}
	case Melody:
		if o.Magenta != nil {
			break
		}
		cur := -1
		start := 0
		end := func(t int) {
			if cur >= 0 {
				evs = append(evs,
					outEvent{tick: int64(start) * int64(stepTicks), on: true, ch: 0, pitch: uint8(cur), vel: defaultVelocity},
					outEvent{tick: int64(t) * int64(stepTicks), ch: 0, pitch: uint8(cur)})
			}
			cur = -1
		}
		for t := 0; t < T; t++ {
			k := argmax(x[t*D : (t+1)*D])
			switch {
			case k == MelodyNoteOff:
				end(t)
			case k >= 2:
				end(t)
				cur, start = k-2+MinMelodyPitch, t
			}
		}
		end(T)
	}
	if o.Program != 0 {
		programs = setProgram(programs, 0, uint8(o.Program-1))
	}
	evs = loopEvents(evs, int64(T)*int64(stepTicks), o.repeats())
	// Note-offs before note-ons on the same tick, so a re-strike sounds.
	sort.SliceStable(evs, func(a, b int) bool {
		if evs[a].tick != evs[b].tick {
			return evs[a].tick < evs[b].tick
		}
		return !evs[a].on && evs[b].on
	})
	var tr smf.Track
	name := o.Name
	if name == "" {
		name = "mvae " + string(o.Representation)
	}
	tr.Add(0, smf.MetaTrackSequenceName(name))
	tr.Add(0, smf.MetaMeter(4, 4))
	tr.Add(0, smf.MetaTempo(o.tempo()))
	for _, p := range programs {
		tr.Add(0, midi.ProgramChange(p.ch, p.number))
	}
	var last int64
	for _, e := range evs {
		var msg midi.Message
		if e.on {
			msg = midi.NoteOn(e.ch, e.pitch, e.vel)
		} else {
			msg = midi.NoteOff(e.ch, e.pitch)
		}
		tr.Add(uint32(e.tick-last), msg)
		last = e.tick
	}
	tr.Close(uint32(o.FileTicks(T) - last))
	f := smf.NewSMF1()
	f.TimeFormat = smf.MetricTicks(outTicksPerQuarter)
	if err := f.Add(tr); err != nil {
		return err
	}
	_, err := f.WriteTo(w)
	return err
}

func argmax(x []float32) int {
	k := 0
	for i, v := range x {
		if v > x[k] {
			k = i
		}
	}
	return k
}

// quantizeGroove returns a copy of the groove window x with every hit at
// velocity 100 and offset 0.
func quantizeGroove(x []float32) []float32 {
	const C = NumDrumClasses
	q := append([]float32(nil), x...)
	for r := 0; r+3*C <= len(q); r += 3 * C {
		for c := 0; c < C; c++ {
			q[r+C+c] = defaultVelocity / 127.0
			q[r+2*C+c] = 0
		}
	}
	return q
}

// setProgram sets the program of channel ch in ps, adding it when missing.
func setProgram(ps []program, ch, number uint8) []program {
	for i := range ps {
		if ps[i].ch == ch {
			ps[i].number = number
			return ps
		}
	}
	return append([]program{{ch, number}}, ps...)
}

// loopEvents clamps the notes of one window of length ticks into
// [0, length] and repeats them n times, one after the other. evs holds
// notes as pairs: a note-on, then its note-off. A note left without length
// is dropped.
func loopEvents(evs []outEvent, length int64, n int) []outEvent {
	out := make([]outEvent, 0, len(evs)*n)
	for i := 0; i+1 < len(evs); i += 2 {
		on, off := evs[i], evs[i+1]
		if !on.on || off.on {
			panic("music: events are not note-on, note-off pairs")
		}
		on.tick = min(max(on.tick, 0), length)
		off.tick = min(max(off.tick, 0), length)
		if off.tick <= on.tick {
			continue
		}
		out = append(out, on, off)
	}
	one := len(out)
	for k := 1; k < n; k++ {
		for _, e := range out[:one] {
			e.tick += int64(k) * length
			out = append(out, e)
		}
	}
	return out
}

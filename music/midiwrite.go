package music

import (
	"fmt"
	"io"
	"math"
	"sort"

	"gitlab.com/gomidi/midi/v2"
	"gitlab.com/gomidi/midi/v2/smf"
)

// WriteOptions choose how tensors become a Standard MIDI File.
type WriteOptions struct {
	Representation Representation
	DrumMap        *DrumMap // nil: GM
	BPM            float64  // 0: 120
	Name           string   // track name, optional
	// Magenta, when set, writes as this magenta.js converter's
	// toNoteSequence does (magentawrite.go); DrumMap is then ignored.
	Magenta *MagentaConverter
}

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

// WindowToMIDI writes one window [T, D] (T*D values) as a Standard MIDI File:
// drums on channel 10 at the map's output pitches with a 16th-note duration;
// groove velocities and offsets applied to the timing; melodies on channel 1
// with velocity 100. The file carries a 4/4 time signature and the tempo.
// With o.Magenta, or for a trio, the notes are those of magenta.js's
// toNoteSequence (magentaEvents).
func WindowToMIDI(w io.Writer, x []float32, o WriteOptions) error {
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
	bpm := o.BPM
	if bpm <= 0 {
		bpm = 120
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
	// Note-offs before note-ons on the same tick, so a re-strike sounds.
	sort.SliceStable(evs, func(a, b int) bool {
		if evs[a].tick != evs[b].tick {
			return evs[a].tick < evs[b].tick
		}
		return !evs[a].on && evs[b].on
	})
	var tr smf.Track
	if o.Name != "" {
		tr.Add(0, smf.MetaTrackSequenceName(o.Name))
	}
	tr.Add(0, smf.MetaMeter(4, 4))
	tr.Add(0, smf.MetaTempo(bpm))
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
	tr.Close(0)
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

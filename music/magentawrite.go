package music

import "math"

// MagentaVelocity is the velocity of melodies and categorical drums a Magenta
// model writes: magenta.js's toNoteSequence leaves it unset, and its
// sequenceProtoToMidi writes DEFAULT_VELOCITY, 80.
const MagentaVelocity = 80

// Channels and programs of a trio, as TrioConverter.toNoteSequence and
// sequenceProtoToMidi write them: melody program 0 on channel 1, bass
// program 32 on channel 2, drums on channel 10 (0-based 0, 1, 9).
const (
	TrioMelodyChannel = 0
	TrioBassChannel   = 1
	TrioBassProgram   = 32
	DrumChannel       = 9
)

// magentaEvents are the notes of a window [T, D] written as a magenta.js
// converter's toNoteSequence writes them, in steps of outTicksPerQuarter/4
// ticks (the tempo is the file's):
//
//   - melody: a note from each onset to the next onset or note off, or the
//     end of the window; pitch = token − 2 + minPitch;
//   - drums: for each class of the token, its first pitch, one step long;
//   - groove: where hit > 0.5, the class's first pitch with velocity
//     clip(round(v·127), 1, 127) (magenta.js clips to 0; a MIDI note-on of
//     velocity 0 is a note-off), from (s − clip(o/2, ±0.5)) steps (o > 0:
//     early), one step long, a start before 0 moved to 0;
//   - trio: the melody, the bass and the drums as above.
//
// A window of Representation Trio without a converter is written with
// magenta.js's default trio (pitches 21..108, the options' drum map).
func magentaEvents(x []float32, T int, o WriteOptions) ([]outEvent, []program) {
	c := o.Magenta
	if c == nil {
		m := o.DrumMap
		if m == nil {
			m = Magenta
		}
		part := &MagentaConverter{Type: MelodyConverter, MinPitch: MinMelodyPitch, MaxPitch: MaxMelodyPitch}
		c = &MagentaConverter{Type: TrioConverter, Mel: part, Bass: part, DrumMap: m}
	}
	D := o.Representation.Depth()
	stepTicks := int64(outTicksPerQuarter / StepsPerQuarter)
	var evs []outEvent
	note := func(ch, pitch, vel uint8, on, off int64) {
		evs = append(evs, outEvent{tick: on, on: true, ch: ch, pitch: pitch, vel: vel}, outEvent{tick: off, ch: ch, pitch: pitch})
	}
	melody := func(off, ch int, lo int) {
		cur, start := -1, 0
		end := func(t int) {
			if cur >= 0 {
				note(uint8(ch), uint8(cur), MagentaVelocity, int64(start)*stepTicks, int64(t)*stepTicks)
			}
			cur = -1
		}
		for t := 0; t < T; t++ {
			k := argmax(x[t*D+off : t*D+off+Melody.Depth()])
			switch {
			case k == MelodyNoteOff:
				end(t)
			case k >= 2:
				end(t)
				cur, start = k-2+lo, t
			}
		}
		end(T)
	}
	drums := func(off int) {
		for t := 0; t < T; t++ {
			k := argmax(x[t*D+off : t*D+off+Drums.Depth()])
			for d := 0; d < NumDrumClasses; d++ {
				if k&(1<<d) != 0 {
					on := int64(t) * stepTicks
					note(DrumChannel, c.DrumMap.OutputPitch(d), MagentaVelocity, on, on+stepTicks)
				}
			}
		}
	}
	var programs []program
	switch c.Type {
	case MelodyConverter:
		melody(0, 0, c.MinPitch)
	case DrumsConverter:
		drums(0)
	case GrooveConverter:
		const C = NumDrumClasses
		for t := 0; t < T; t++ {
			row := x[t*D : (t+1)*D]
			for d := 0; d < C; d++ {
				if !(row[d] > 0.5) {
					continue
				}
				v := min(max(math.Round(float64(row[C+d])*127), 1), 127)
				if math.IsNaN(v) {
					v = 1
				}
				o := math.Max(-0.5, math.Min(0.5, float64(row[2*C+d])/2))
				if math.IsNaN(o) {
					o = 0
				}
				on := int64(math.Round((float64(t) - o) * float64(stepTicks)))
				note(DrumChannel, c.DrumMap.OutputPitch(d), uint8(v), max(on, 0), max(on+stepTicks, 0))
			}
		}
	case TrioConverter:
		M := Melody.Depth()
		melody(0, TrioMelodyChannel, c.Mel.MinPitch)
		melody(M, TrioBassChannel, c.Bass.MinPitch)
		drums(2 * M)
		programs = []program{{TrioMelodyChannel, 0}, {TrioBassChannel, TrioBassProgram}}
	}
	return evs, programs
}

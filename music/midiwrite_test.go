package music

import (
	"bytes"
	"math"
	"testing"
)

// writeSong writes x with o and reads the file back.
func writeSong(t *testing.T, x []float32, o WriteOptions) (*Song, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := WindowToMIDI(&buf, x, o); err != nil {
		t.Fatal(err)
	}
	s, err := ParseMIDI(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return s, buf.Bytes()
}

// endOfTrack is the tick of the first track's end-of-track event.
func endOfTrack(t *testing.T, data []byte) int64 {
	t.Helper()
	s, err := ParseMIDI(data)
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	for _, e := range s.raw[0] {
		last = max(last, e.tick)
	}
	// The reader keeps channel messages only: walk the bytes for FF 2F.
	f := data[14+8:]
	var tick int64
	for i := 0; i < len(f); {
		d, n := 0, 0
		for {
			b := f[i+n]
			d = d<<7 | int(b&0x7F)
			n++
			if b < 0x80 {
				break
			}
		}
		i += n
		tick += int64(d)
		switch st := f[i]; {
		case st == 0xFF:
			if f[i+1] == 0x2F {
				if tick < last {
					t.Errorf("end of track at %d before the last event at %d", tick, last)
				}
				return tick
			}
			i += 3 + int(f[i+2])
		case st >= 0xC0 && st < 0xE0:
			i += 2
		default:
			i += 3
		}
	}
	t.Fatal("no end of track")
	return 0
}

func grooveWindow(T int) []float32 {
	const C = NumDrumClasses
	x := make([]float32, T*3*C)
	for t := 0; t < T; t += 2 {
		row := x[t*3*C:]
		row[0], row[C], row[2*C] = 1, 0.3, -0.8 // kick early
	}
	last := x[(T-1)*3*C:]
	last[2], last[C+2], last[2*C+2] = 1, 0.9, 1 // a late hat on the last step
	return x
}

func TestWriteLastsItsBars(t *testing.T) {
	T := 2 * StepsPerBar
	mel := make([]float32, T*Melody.Depth())
	for t := 0; t < T; t++ {
		mel[t*Melody.Depth()+2+60-MinMelodyPitch] = 1 // a new C4 every step
	}
	for _, tc := range []struct {
		rep Representation
		x   []float32
	}{{Groove, grooveWindow(T)}, {Melody, mel}} {
		for _, loop := range []int{0, 1, 3} {
			o := WriteOptions{Representation: tc.rep, Loop: loop, BPM: 90}
			s, data := writeSong(t, tc.x, o)
			want := int64(max(loop, 1)) * 2 * 4 * OutTicksPerQuarter
			if got := endOfTrack(t, data); got != want || o.FileTicks(T) != want {
				t.Errorf("%s loop %d: end of track at %d, FileTicks %d, want %d", tc.rep, loop, got, o.FileTicks(T), want)
			}
			if got, want := o.FileSeconds(T), float64(max(loop, 1))*8*60/90.0; math.Abs(got-want) > 1e-9 {
				t.Errorf("%s loop %d: %v seconds, want %v", tc.rep, loop, got, want)
			}
			for _, n := range s.Notes {
				if n.Start < 0 || n.End > want || n.End <= n.Start {
					t.Errorf("%s loop %d: note %+v outside [0, %d]", tc.rep, loop, n, want)
				}
			}
			if s.BPM() != 90 {
				t.Errorf("tempo %v, want 90", s.BPM())
			}
			if len(s.TimeSignatures) != 1 || s.TimeSignatures[0] != (TimeSignature{0, 4, 4}) {
				t.Errorf("time signatures %+v", s.TimeSignatures)
			}
			one, _ := writeSong(t, tc.x, WriteOptions{Representation: tc.rep})
			if len(s.Notes) != max(loop, 1)*len(one.Notes) {
				t.Errorf("%s loop %d: %d notes, one window has %d", tc.rep, loop, len(s.Notes), len(one.Notes))
			}
		}
	}
}

func TestWriteQuantize(t *testing.T) {
	T := StepsPerBar
	x := grooveWindow(T)
	keep := append([]float32(nil), x...)
	s, _ := writeSong(t, x, WriteOptions{Representation: Groove, Quantize: true})
	for i := range x {
		if x[i] != keep[i] {
			t.Fatal("the window was modified")
		}
	}
	step := int64(OutTicksPerQuarter / StepsPerQuarter)
	for _, n := range s.Notes {
		if n.Velocity != 100 || n.Start%step != 0 {
			t.Errorf("quantized note %+v: want velocity 100 on a step", n)
		}
	}
	loose, _ := writeSong(t, x, WriteOptions{Representation: Groove})
	if loose.Notes[0].Velocity == 100 || loose.Notes[1].Start%step == 0 {
		t.Errorf("without Quantize the groove should keep its velocities and offsets: %+v", loose.Notes[:2])
	}
}

func TestWriteProgram(t *testing.T) {
	T := StepsPerBar
	x := make([]float32, T*Melody.Depth())
	for t := 0; t < T; t++ {
		x[t*Melody.Depth()] = 1
	}
	x[2+60-MinMelodyPitch] = 1
	s, _ := writeSong(t, x, WriteOptions{Representation: Melody, Program: 34})
	var got []rawEvent
	for _, e := range s.raw[0] {
		if e.status&0xF0 == 0xC0 {
			got = append(got, e)
		}
	}
	if len(got) != 1 || got[0].status != 0xC0 || got[0].a != 33 {
		t.Errorf("program changes %+v, want one of program 33 (GM 34) on channel 1", got)
	}
	for _, bad := range []WriteOptions{
		{Representation: Groove, Program: 1},
		{Representation: Melody, Program: 129},
		{Representation: Melody, Program: -1},
		{Representation: Melody, BPM: math.NaN()},
		{Representation: Melody, BPM: -1},
		{Representation: Melody, BPM: MaxBPM + 1},
		{Representation: Melody, Loop: -1},
		{Representation: Melody, Loop: MaxLoop + 1},
	} {
		if err := WindowToMIDI(&bytes.Buffer{}, x, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func TestSongBPM(t *testing.T) {
	tempo := func(tick int64, us int) tev { return meta(tick, 0x51, byte(us>>16), byte(us>>8), byte(us)) }
	for _, tc := range []struct {
		tracks [][]tev
		want   float64
	}{
		{[][]tev{{on(0, 9, 36, 100), off(10, 9, 36)}}, 120},
		{[][]tev{{tempo(0, 600000), on(0, 9, 36, 100), tempo(960, 500000)}}, 100},
		{[][]tev{{tempo(480, 400000)}, {tempo(0, 1000000)}}, 60},
	} {
		s, err := ParseMIDI(smfBytes(1, 480, tc.tracks...))
		if err != nil {
			t.Fatal(err)
		}
		if got := s.BPM(); got != tc.want {
			t.Errorf("BPM %v, want %v", got, tc.want)
		}
	}
}

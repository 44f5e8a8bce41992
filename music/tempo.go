package music

import "math"

// DefaultBPM is the tempo of a MIDI file without a tempo event.
const DefaultBPM = 120

// BPM is the song's first tempo in quarter notes a minute: that of the
// earliest valid Set Tempo event of any track, DefaultBPM when there is none.
// A tempo that rounds outside (0, MaxBPM] is clamped into it, so that a file
// written at the song's tempo is always valid.
func (s *Song) BPM() float64 {
	first := -1
	for i, t := range s.tempos {
		if t.usPQN != 0 && (first < 0 || t.tick < s.tempos[first].tick) {
			first = i
		}
	}
	if first < 0 {
		return DefaultBPM
	}
	bpm := 60e6 / float64(s.tempos[first].usPQN)
	bpm = math.Round(bpm*1000) / 1000 // 120.000048 (500000 µs rounded) is 120
	return min(max(bpm, 0.001), MaxBPM)
}

// FileBPM reads the first tempo of a MIDI file (Song.BPM). Errors name the
// file.
func FileBPM(path string) (float64, error) {
	s, err := ReadMIDIFile(path)
	if err != nil {
		return 0, err
	}
	return s.BPM(), nil
}

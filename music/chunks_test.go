package music

import (
	"encoding/json"
	"testing"
)

// TestSongChunks: a 5-bar drum part in 2-bar windows is 3 windows (the last
// padded), the empty middle one kept; with taps, notes on any channel count.
func TestSongChunks(t *testing.T) {
	const tpq = 96 // a step is 24 ticks
	step := func(s int) int64 { return int64(s) * 24 }
	var tr []tev
	// A kick on step 0 (bar 0) and a snare on step 66 (bar 4, 3rd step), a piano
	// note on step 20 (channel 1).
	tr = append(tr, on(step(0), 9, 36, 100), off(step(1), 9, 36),
		on(step(20), 0, 60, 80), off(step(21), 0, 60),
		on(step(66), 9, 38, 64), off(step(67), 9, 38))
	s, err := ParseMIDI(smfBytes(0, tpq, tr))
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Representation: Groove, Bars: 2, Channel: -1}
	w, err := SongChunks(s, o, false)
	if err != nil {
		t.Fatal(err)
	}
	if w.N != 3 || w.T != 32 || w.D != 27 {
		t.Fatalf("%d windows of [%d, %d], want 3 of [32, 27]", w.N, w.T, w.D)
	}
	hits := func(w *Windows) (out []int) {
		for i := 0; i < w.N*w.T; i++ {
			for c := 0; c < NumDrumClasses; c++ {
				if w.Data[i*w.D+c] == 1 {
					out = append(out, i*10+c)
				}
			}
		}
		return out
	}
	if got, _ := json.Marshal(hits(w)); string(got) != "[0,661]" { // step 0 kick, step 66 snare
		t.Errorf("hits (step*10+class) %s", got)
	}
	tw, err := SongChunks(s, o, true)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(hits(tw)); tw.N != 3 || string(got) != "[0,200,660]" {
		t.Errorf("taps: %d windows, hits %s", tw.N, got)
	}
	if _, err := SongChunks(s, Options{Representation: Melody, Bars: 2, Channel: -1}, false); err == nil {
		t.Error("a melody cut into chunks: no error")
	}
}

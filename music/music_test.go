package music

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

func mustSong(t *testing.T, data []byte) *Song {
	t.Helper()
	s, err := ParseMIDI(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func grooveAt(w *Windows, win, step, col int) float32 {
	return w.Window(win)[step*w.D+col]
}

func TestGrooveQuantisation(t *testing.T) {
	// 96 ticks a quarter: a step is 24 ticks, half a step 12.
	tr := []tev{
		on(0, 9, 36, 127),   // kick, step 0, offset 0
		on(5, 9, 42, 64),    // hat, step 0, offset 5/12
		on(12, 9, 38, 100),  // snare exactly half way: step 1, offset -1
		on(30, 9, 39, 50),   // snare (gm 39), step 1, offset 0.5 -> loses the tie? no: 50 < 100
		on(47, 9, 46, 90),   // open hat step 2, offset -1/12
		on(48, 9, 99, 90),   // pitch outside the map: dropped
		on(100, 1, 36, 90),  // not the drum channel
		on(24*20, 9, 51, 1), // ride on step 20 -> roll of 2 bars
	}
	s := mustSong(t, smfBytes(0, 96, tr))
	w, err := SongWindows(s, Options{Representation: Groove, Bars: 1})
	if err != nil {
		t.Fatal(err)
	}
	if w.N != 2 || w.T != 16 || w.D != 27 {
		t.Fatalf("got %d windows of %dx%d", w.N, w.T, w.D)
	}
	check := func(win, step, col int, want float64) {
		t.Helper()
		if got := grooveAt(w, win, step, col); math.Abs(float64(got)-want) > 1e-7 {
			t.Errorf("window %d step %d col %d = %v, want %v", win, step, col, got, want)
		}
	}
	check(0, 0, 0, 1)
	check(0, 0, 9, 1)
	check(0, 0, 18, 0)
	check(0, 0, 2, 1)
	check(0, 0, 11, 64.0/127)
	check(0, 0, 20, 5.0/12)
	check(0, 1, 1, 1)
	check(0, 1, 10, 100.0/127)
	check(0, 1, 19, -1)
	check(0, 2, 3, 1)
	check(0, 2, 21, -1.0/12)
	check(1, 4, 8, 1)
	check(1, 4, 17, 1.0/127)
	// Nothing else is set in window 0.
	n := 0
	for _, v := range w.Window(0) {
		if v != 0 {
			n++
		}
	}
	if n != 4*3-1 { // kick offset 0
		t.Errorf("window 0 has %d non-zero values", n)
	}
}

func TestGrooveTieKeepsFirst(t *testing.T) {
	tr := []tev{on(0, 9, 38, 80), on(3, 9, 40, 80), on(4, 9, 37, 90), on(24*16, 9, 36, 10)}
	s := mustSong(t, smfBytes(0, 96, tr))
	w, err := SongWindows(s, Options{Representation: Groove, Bars: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 37 (side stick, snare class) has the highest velocity: its offset is kept.
	if v, o := grooveAt(w, 0, 0, 10), grooveAt(w, 0, 0, 19); v != float32(90.0/127) || o != float32(4.0/12) {
		t.Errorf("velocity %v offset %v", v, o)
	}
	tr = []tev{on(0, 9, 38, 80), on(3, 9, 40, 80), on(24*16, 9, 36, 10)}
	w, _ = SongWindows(mustSong(t, smfBytes(0, 96, tr)), Options{Representation: Groove, Bars: 1})
	if o := grooveAt(w, 0, 0, 19); o != 0 {
		t.Errorf("tie kept the later note: offset %v", o)
	}
}

func TestDrumsOneHotAndRolandMap(t *testing.T) {
	tr := []tev{on(0, 9, 36, 100), on(0, 9, 42, 100), on(24, 9, 58, 100)}
	s := mustSong(t, smfBytes(0, 96, tr))
	w, err := SongWindows(s, Options{Representation: Drums, Bars: 1, DrumMap: Roland})
	if err != nil {
		t.Fatal(err)
	}
	x := w.Window(0)
	if x[0*512+(1|4)] != 1 || x[1*512+(1<<4)] != 1 || x[2*512+0] != 1 {
		t.Error("wrong one-hot classes")
	}
	sum := float32(0)
	for _, v := range x {
		sum += v
	}
	if sum != 16 {
		t.Errorf("one-hot rows sum to %v, want 16", sum)
	}
	// 58 is a low tom in roland, a crash in gm.
	w, _ = SongWindows(s, Options{Representation: Drums, Bars: 1, DrumMap: GM})
	if w.Window(0)[1*512+(1<<7)] != 1 {
		t.Error("gm map: 58 should be a crash")
	}
}

func TestWindowsHopOneBarAndSkipEmpty(t *testing.T) {
	// Hits in bars 0, 1 and 3; bar 2 empty: 1-bar windows 0,1,3; 2-bar windows 0-1, 1-2, 2-3.
	tr := []tev{on(0, 9, 36, 100), on(96*4, 9, 36, 100), on(96*12, 9, 36, 100)}
	s := mustSong(t, smfBytes(0, 96, tr))
	for bars, want := range map[int]int{1: 3, 2: 3, 3: 2, 4: 1} {
		w, err := SongWindows(s, Options{Representation: Groove, Bars: bars})
		if err != nil {
			t.Fatal(err)
		}
		if w.N != want {
			t.Errorf("%d bars: %d windows, want %d", bars, w.N, want)
		}
	}
	_, err := SongWindows(s, Options{Representation: Groove, Bars: 5})
	if KindOf(err) != SkipNoWindow {
		t.Errorf("5 bars: want no-window skip, got %v", err)
	}
}

func TestTimeSignatures(t *testing.T) {
	hits := []tev{on(0, 9, 36, 100)}
	ok := smfBytes(1, 96, []tev{timeSig(0, 4, 2)}, hits)
	if _, err := SongWindows(mustSong(t, ok), Options{Representation: Groove, Bars: 1}); err != nil {
		t.Errorf("4/4: %v", err)
	}
	for _, ts := range []tev{timeSig(0, 3, 2), timeSig(0, 4, 3)} {
		f := smfBytes(1, 96, []tev{timeSig(0, 4, 2), ts}, hits)
		_, err := SongWindows(mustSong(t, f), Options{Representation: Groove, Bars: 1})
		if KindOf(err) != SkipTimeSignature {
			t.Errorf("%v: want a time-signature skip, got %v", ts, err)
		}
	}
	// 4/4 for 2 bars, then 6/8: the 4/4 bars are read.
	f := smfBytes(1, 96, []tev{timeSig(0, 4, 2), timeSig(96*8, 6, 3)}, hits)
	if w, err := SongWindows(mustSong(t, f), Options{Representation: Groove, Bars: 1}); err != nil || w.N != 1 {
		t.Errorf("4/4 then 6/8: want the 4/4 bar's window, got %v", err)
	}
	// Hits only in the 3/4 stretch: a time-signature skip.
	f = smfBytes(1, 96, []tev{timeSig(0, 4, 2), timeSig(96*4, 3, 2)}, []tev{on(96*5, 9, 36, 100)})
	if _, err := SongWindows(mustSong(t, f), Options{Representation: Groove, Bars: 1}); KindOf(err) != SkipTimeSignature {
		t.Errorf("hits only in 3/4: want a time-signature skip, got %v", err)
	}
	bad := smfBytes(0, 96, []tev{meta(0, 0x58, 4, 2)}, hits)
	if _, err := ParseMIDI(bad); KindOf(err) != SkipCorrupt {
		t.Errorf("short time signature: want corrupt, got %v", err)
	}
	// A key signature with an invalid mode byte is ignored: it says nothing mvae reads.
	key := smfBytes(0, 96, append([]tev{meta(0, 0x59, 0, 7)}, hits...))
	if _, err := SongWindows(mustSong(t, key), Options{Representation: Groove, Bars: 1}); err != nil {
		t.Errorf("bad key signature: %v", err)
	}
}

func TestNoDrums(t *testing.T) {
	s := mustSong(t, smfBytes(0, 96, []tev{on(0, 0, 60, 100), off(24, 0, 60)}))
	_, err := SongWindows(s, Options{Representation: Groove, Bars: 1})
	if KindOf(err) != SkipNoDrums {
		t.Errorf("want no-drums skip, got %v", err)
	}
}

func melodyTokens(t *testing.T, w *Windows, win int) []int {
	t.Helper()
	out := make([]int, w.T)
	for s := 0; s < w.T; s++ {
		out[s] = argmax(w.Window(win)[s*w.D : (s+1)*w.D])
		if w.Window(win)[s*w.D+out[s]] != 1 {
			t.Fatalf("step %d is not one-hot", s)
		}
	}
	return out
}

func TestMelody(t *testing.T) {
	p := func(pitch int) int { return 2 + pitch - 21 }
	tr := []tev{
		on(0, 0, 60, 100), off(48, 0, 60), // C4 steps 0-2: ends step 2 -> note off at 2
		on(48, 0, 64, 100), on(48, 0, 67, 90), // chord on step 2: highest (67) wins
		off(60, 0, 67), // 67 ends at tick 60: step floor(2.5+.5)=3
		off(70, 0, 64),
		on(96, 0, 62, 100), on(120, 0, 62, 100), // re-strike: first ends at 120 (step 5)
		on(130, 0, 10, 100), // below 21: dropped
		off(144, 0, 62),
		on(180, 0, 72, 100), off(181, 0, 72), // 1-tick note: still one step long
	}
	s := mustSong(t, smfBytes(0, 96, tr))
	w, err := SongWindows(s, Options{Representation: Melody, Bars: 1, Channel: -1})
	if err != nil {
		t.Fatal(err)
	}
	got := melodyTokens(t, w, 0)
	want := make([]int, 16)
	want[0] = p(60)
	want[2] = p(67) // onset wins over the note-off of 60 on the same step
	want[3] = 1
	want[4] = p(62)
	want[5] = p(62)
	want[6] = 1
	want[8] = p(72) // tick 180: step floor(7.5+.5) = 8
	want[9] = 1
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tokens %v, want %v", got, want)
		}
	}
}

func TestMelodyEndOfTrackAndChannels(t *testing.T) {
	// Channel 2 holds a note never released: it ends with its track at tick 96*5.
	a := []tev{on(0, 2, 60, 100), {96 * 5, []byte{0xFF, 0x01, 0}}}
	b := []tev{on(0, 1, 70, 100), on(0, 9, 36, 100), off(24, 1, 70), on(96*6, 1, 71, 100)}
	s := mustSong(t, smfBytes(1, 96, a, b))
	w, err := SongWindows(s, Options{Representation: Melody, Bars: 2, Channel: -1})
	if err != nil {
		t.Fatal(err)
	}
	if w.N != 2 {
		t.Fatalf("%d windows, want one per channel", w.N)
	}
	if tok := melodyTokens(t, w, 0); tok[0] != 2+70-21 || tok[1] != 1 {
		t.Errorf("channel 1 first: %v", tok[:4])
	}
	if tok := melodyTokens(t, w, 1); tok[0] != 2+60-21 || tok[20] != 1 {
		t.Errorf("channel 2 second, released at step 20: %v", tok)
	}
	w, err = SongWindows(s, Options{Representation: Melody, Bars: 2, Channel: 2})
	if err != nil || w.N != 1 {
		t.Fatalf("--channel 2: %v %v", w, err)
	}
}

func TestCorruptMIDI(t *testing.T) {
	good := smfBytes(0, 96, []tev{on(0, 9, 36, 100), on(24, 9, 38, 100)})
	cases := map[string][]byte{
		"empty":        {},
		"not midi":     []byte("RIFF....WAVEfmt "),
		"truncated":    good[:len(good)-6],
		"header only":  good[:14],
		"smpte":        append(append([]byte{}, good[:12]...), append([]byte{0xE7, 0x28}, good[14:]...)...),
		"bad status":   smfBytes(0, 96, []tev{{0, []byte{0xF4, 1, 2}}}),
		"meta too big": smfBytes(0, 96, []tev{{0, []byte{0xFF, 0x01, 0x8F, 0xFF, 0xFF, 0x7F}}}),
		"data first":   smfBytes(0, 96, []tev{{0, []byte{0x40, 0x40}}}),
		"zero tpq":     smfBytes(0, 0, []tev{on(0, 9, 36, 100)}),
	}
	for name, data := range cases {
		_, err := ParseMIDI(data)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if KindOf(err) != SkipCorrupt {
			t.Errorf("%s: kind %q (%v)", name, KindOf(err), err)
		}
	}
}

func TestRunningStatusAfterMeta(t *testing.T) {
	// 99 24 64 | meta | 26 64: running status kept across a meta event, as players do.
	tr := []tev{{0, []byte{0x99, 36, 100}}, meta(0, 0x01, 'x'), {24, []byte{38, 100}}}
	s := mustSong(t, smfBytes(0, 96, tr))
	if len(s.Notes) != 2 || s.Notes[1].Pitch != 38 || s.Notes[1].Channel != 9 {
		t.Fatalf("notes %+v", s.Notes)
	}
}

func TestMissingEndOfTrack(t *testing.T) {
	data := smfBytes(0, 96, []tev{on(0, 9, 36, 100), on(24, 9, 38, 100)})
	data = data[:len(data)-4] // drop 00 FF 2F 00
	data[21] -= 4             // the track length
	s := mustSong(t, data)
	if len(s.Notes) != 2 {
		t.Fatalf("notes %+v", s.Notes)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	for _, rep := range []Representation{Groove, Drums, Melody} {
		for _, m := range []*DrumMap{GM, Roland} {
			var tr []tev
			if rep == Melody {
				tr = []tev{on(0, 0, 60, 100), off(48, 0, 60), on(96, 0, 67, 100), on(120, 0, 69, 100), off(400, 0, 69)}
			} else {
				// Offsets that survive 480 ticks a quarter (1/60 of a half step).
				tr = []tev{on(0, 9, 36, 100), on(13, 9, 42, 33), on(96*2-6, 9, 38, 127), on(96*3, 9, 45, 64), on(96*3+11, 9, 51, 7)}
				for i := range tr {
					tr[i].b[1] = m.OutputPitch(m.Class(tr[i].b[1]))
				}
			}
			s := mustSong(t, smfBytes(0, 480, tr))
			o := Options{Representation: rep, Bars: 1, DrumMap: m, Channel: -1}
			w, err := SongWindows(s, o)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WindowToMIDI(&buf, w.Window(0), WriteOptions{Representation: rep, DrumMap: m}); err != nil {
				t.Fatal(err)
			}
			w2, err := SongWindows(mustSong(t, buf.Bytes()), o)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range w.Window(0) {
				if d := math.Abs(float64(v - w2.Window(0)[i])); d > 1e-6 {
					t.Fatalf("%s/%s: value %d: %v became %v", rep, m.Name, i, v, w2.Window(0)[i])
				}
			}
		}
	}
}

func TestSkipErrorNamesFile(t *testing.T) {
	_, err := FileWindows("testdata/does-not-exist.mid", Options{Representation: Groove, Bars: 1})
	if err == nil {
		t.Fatal("no error")
	}
	var se *SkipError
	if errors.As(err, &se) {
		t.Fatal("a missing file is an I/O error, not a skip")
	}
}

// TestTimeSignatureStretches: a song is split at its time signature changes,
// each 4/4 stretch read from its own start, within its whole bars.
func TestTimeSignatureStretches(t *testing.T) {
	const Q = 96 // ticks a quarter; a 4/4 bar is 384
	var hits []tev
	for q := int64(0); q < 40; q++ {
		hits = append(hits, on(q*Q, 9, 36, byte(20+q)))
	}
	// 4/4 for 2 bars, 3/4 for 3 bars (9 quarters), 4/4 from quarter 17 on
	// (off the first stretch's bar lines), 5/4 and 4/4 on one tick (4/4 holds).
	f := smfBytes(1, Q, []tev{timeSig(0, 4, 2), timeSig(8*Q, 3, 2), timeSig(17*Q, 5, 2), timeSig(17*Q, 4, 2)}, hits)
	s := mustSong(t, f)
	parts, other := s.stretches44()
	if len(parts) != 2 || parts[0] != (stretch{0, 8 * Q}) || parts[1] != (stretch{17 * Q, -1}) || other == nil || other.Numerator != 3 {
		t.Fatalf("stretches %v, first other %+v", parts, other)
	}
	w, err := SongWindows(s, Options{Representation: Groove, Bars: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Bars 0 and 1, then the 23 quarters from 17 to 39: 5 whole bars and the
	// bar of the last hit.
	if w.N != 2+6 {
		t.Fatalf("%d windows, want 8", w.N)
	}
	// The third window starts at quarter 17: its first kick has velocity 37.
	if got := w.Window(2)[NumDrumClasses]; math.Abs(float64(got)-37.0/127) > 1e-6 {
		t.Errorf("third window's first velocity %v, want 37/127", got)
	}
}

func TestCheck44(t *testing.T) {
	hits := []tev{on(0, 9, 36, 100)}
	for _, tc := range []struct {
		sigs []tev
		ok   bool
	}{
		{nil, true},
		{[]tev{timeSig(0, 4, 2)}, true},
		{[]tev{timeSig(0, 4, 2), timeSig(96*8, 3, 2)}, false},
		{[]tev{timeSig(0, 6, 3)}, false},
	} {
		err := mustSong(t, smfBytes(1, 96, tc.sigs, hits)).check44()
		if (err == nil) != tc.ok || err != nil && KindOf(err) != SkipTimeSignature {
			t.Errorf("%v: %v", tc.sigs, err)
		}
	}
}

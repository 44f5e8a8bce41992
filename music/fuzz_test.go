package music

import (
	"bytes"
	"testing"
)

// FuzzParseMIDI feeds arbitrary bytes through the whole reading path: the
// structure check, gomidi, note pairing and all three representations. It
// must never panic, and what it accepts must give well-formed windows.
// Seeds: testdata/fuzz/FuzzParseMIDI (committed) plus the files below.
func FuzzParseMIDI(f *testing.F) {
	f.Add(smfBytes(0, 96, []tev{on(0, 9, 36, 100), on(24, 9, 38, 90), off(48, 9, 36)}))
	f.Add(smfBytes(1, 480, []tev{timeSig(0, 4, 2), meta(0, 0x59, 0, 7)}, []tev{on(0, 0, 60, 100), off(480, 0, 60), on(0, 9, 42, 1)}))
	f.Add(smfBytes(1, 220, []tev{timeSig(0, 3, 2)}, []tev{on(0, 9, 36, 100)}))
	f.Add(smfBytes(0, 96, []tev{{0, []byte{0x99, 36, 100}}, meta(0, 0x01, 'x'), {24, []byte{38, 100}}}))
	f.Add([]byte("MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x04\x00\xf4\x00\x00"))
	// Cut short (the hostile-input harness has these too).
	f.Add([]byte("MThd\x00\x00\x00\x06\x00\x00"))
	f.Add([]byte("MThd\x00\x00\x10\x00\x00\x00\x00\x01\x00\x60"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseMIDI(data)
		if err != nil {
			if KindOf(err) == "" {
				t.Fatalf("error without a skip kind: %v", err)
			}
			return
		}
		for _, rep := range []Representation{Groove, Drums, Melody} {
			w, err := SongWindows(s, Options{Representation: rep, Bars: 1, Channel: -1})
			if err != nil {
				if KindOf(err) == "" {
					t.Fatalf("%s: error without a skip kind: %v", rep, err)
				}
				continue
			}
			if len(w.Data) != w.N*w.T*w.D {
				t.Fatalf("%s: %d values for %d windows", rep, len(w.Data), w.N)
			}
			var buf bytes.Buffer
			if err := WindowToMIDI(&buf, w.Window(0), WriteOptions{Representation: rep}); err != nil {
				t.Fatal(err)
			}
			if _, err := ParseMIDI(buf.Bytes()); err != nil {
				t.Fatalf("%s: what mvae writes does not read back: %v", rep, err)
			}
		}
	})
}

package music

import (
	"bytes"
	"testing"
)

// FuzzParseMIDI feeds arbitrary bytes through the whole reading path: the
// structure check, gomidi, note pairing, all three representations and
// magenta.js's reading through four converters. It
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
	f.Add(smfBytes(1, 96, []tev{meta(0, 0x51, 7, 0xA1, 0x20)}, []tev{{0, []byte{0xC1, 33}}, on(0, 1, 40, 127), on(5, 9, 36, 100), off(30, 1, 40)}))
	var magenta []*MagentaConverter
	for _, js := range []string{
		`{"type":"MelodyConverter","args":{"numSteps":16,"minPitch":21,"maxPitch":108}}`,
		`{"type":"DrumsConverter","args":{"numSteps":16}}`,
		`{"type":"GrooveConverter","args":{"numSteps":16,"tapify":true}}`,
		`{"type":"TrioConverter","args":{"numSteps":16,"melArgs":{"minPitch":21,"maxPitch":108},"bassArgs":{"minPitch":21,"maxPitch":108},"drumsArgs":{}}}`,
	} {
		c, err := ParseMagentaConverter([]byte(js))
		if err != nil {
			f.Fatal(err)
		}
		magenta = append(magenta, c)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseMIDI(data)
		if err != nil {
			if KindOf(err) == "" {
				t.Fatalf("error without a skip kind: %v", err)
			}
			return
		}
		opts := []Options{}
		for _, rep := range []Representation{Groove, Drums, Melody} {
			opts = append(opts, Options{Representation: rep, Bars: 1, Channel: -1})
		}
		for _, c := range magenta {
			opts = append(opts, Options{Representation: c.Representation(), Bars: 1, Channel: -1, Magenta: c})
		}
		for _, o := range opts {
			rep := o.Representation
			w, err := SongWindows(s, o)
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
			if err := WindowToMIDI(&buf, w.Window(0), WriteOptions{Representation: rep, Magenta: o.Magenta}); err != nil {
				t.Fatal(err)
			}
			if _, err := ParseMIDI(buf.Bytes()); err != nil {
				t.Fatalf("%s: what mvae writes does not read back: %v", rep, err)
			}
		}
	})
}

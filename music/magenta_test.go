package music

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The converters of model.TinyFamilies (music knows no model: the same specs).
var tinyConverters = map[string]string{
	"mel_2bar":             `{"type":"MelodyConverter","args":{"numSteps":32,"minPitch":21,"maxPitch":108}}`,
	"drums_2bar":           `{"type":"DrumsConverter","args":{"numSteps":32}}`,
	"groove_4bar":          `{"type":"GrooveConverter","args":{"numSteps":64}}`,
	"groove_2bar_humanize": `{"type":"GrooveConverter","args":{"numSteps":32,"humanize":true}}`,
	"tap2drum_2bar":        `{"type":"GrooveConverter","args":{"numSteps":32,"tapify":true}}`,
	"mel_hier":             `{"type":"MelodyConverter","args":{"numSteps":64,"minPitch":21,"maxPitch":108,"numSegments":4}}`,
	"trio_hier":            `{"type":"TrioConverter","args":{"numSteps":32,"numSegments":2,"melArgs":{"minPitch":21,"maxPitch":108},"bassArgs":{"minPitch":21,"maxPitch":108},"drumsArgs":{}}}`,
}

func mustConverter(t *testing.T, js string) *MagentaConverter {
	t.Helper()
	c, err := ParseMagentaConverter([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func magentaOptions(c *MagentaConverter) Options {
	return Options{Representation: c.Representation(), Bars: c.Bars(), Channel: -1, Magenta: c}
}

func TestParseMagentaConverter(t *testing.T) {
	want := map[string]struct {
		rep Representation
		in  EncoderInput
	}{
		"mel_2bar": {Melody, AsTokens}, "drums_2bar": {Drums, Roll}, "groove_4bar": {Groove, AsTokens},
		"groove_2bar_humanize": {Groove, Humanize}, "tap2drum_2bar": {Groove, Tapify}, "mel_hier": {Melody, AsTokens},
		"trio_hier": {Trio, AsTokens},
	}
	for name, js := range tinyConverters {
		c := mustConverter(t, js)
		if c.Representation() != want[name].rep || c.EncoderInput() != want[name].in {
			t.Errorf("%s: %s with input %q, want %s with %q", name, c.Representation(), c.EncoderInput(), want[name].rep, want[name].in)
		}
	}
	c := mustConverter(t, tinyConverters["mel_2bar"])
	if !c.IgnorePolyphony || c.MinPitch != 21 || c.MaxPitch != 108 || c.NumSteps != 32 || c.NumSegments != 0 {
		t.Errorf("melody defaults: %+v", c)
	}
	c = mustConverter(t, tinyConverters["trio_hier"])
	if c.Mel.NumSteps != 32 || c.Bass.MinPitch != 21 || c.DrumMap != Magenta || c.NumSegments != 2 {
		t.Errorf("trio: %+v", c)
	}
	c = mustConverter(t, `{"type":"GrooveConverter","args":{"numSteps":16,"pitchClasses":[[36],[38],[42],[46],[45],[48],[50],[49],[51,36]]}}`)
	if c.DrumMap.Class(36) != 8 || c.DrumMap.OutputPitch(8) != 51 || c.DrumMap.Class(35) != -1 {
		t.Errorf("pitchClasses: 36 is class %d (want 8, the later class), class 8 written as %d", c.DrumMap.Class(36), c.DrumMap.OutputPitch(8))
	}
	for js, msg := range map[string]string{
		`{"type":"MultitrackConverter","args":{"numSteps":512}}`:                                   "not a converter mvae reads",
		`{"type":"MelodyConverter","args":{"numSteps":30,"minPitch":21,"maxPitch":108}}`:           "numSteps",
		`{"type":"MelodyConverter","args":{"numSteps":32,"minPitch":48,"maxPitch":84}}`:            "48..84",
		`{"type":"MelodyConverter","args":{"numSteps":32}}`:                                        "minPitch and maxPitch",
		`{"type":"DrumsConverter","args":{"numSteps":32,"bogus":1}}`:                               "bogus",
		`{"type":"GrooveConverter","args":{"numSteps":32,"stepsPerQuarter":24}}`:                   "stepsPerQuarter",
		`{"type":"GrooveConverter","args":{"numSteps":32,"pitchClasses":[[36]]}}`:                  "1 classes",
		`{"type":"TrioConverter","args":{"numSteps":32,"melArgs":{"minPitch":21,"maxPitch":108}}}`: "bassArgs",
		`not json`: "magenta converter",
	} {
		if _, err := ParseMagentaConverter([]byte(js)); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want one with %q", js, err, msg)
		}
	}
}

func mustMagenta(t *testing.T, data []byte) *MagentaSequence {
	t.Helper()
	q, err := MagentaSequenceOf(mustSong(t, data))
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func tempo(tick int64, us int) tev          { return meta(tick, 0x51, byte(us>>16), byte(us>>8), byte(us)) }
func progChange(tick int64, ch, p byte) tev { return tev{tick, []byte{0xC0 | ch, p}} }

// Hand-checked: @tonejs/midi's reading and quantizeNoteSequence.
func TestMagentaSequenceOf(t *testing.T) {
	// 96 ticks a quarter, 100 qpm: a step is 24 ticks, 0.15 s.
	q := mustMagenta(t, smfBytes(1, 96,
		[]tev{tempo(0, 600000)},
		[]tev{
			progChange(0, 0, 40),
			on(0, 0, 60, 127),  // paired with the first off at or after it: 48
			on(24, 0, 60, 64),  // the next: 72
			off(48, 0, 60),     //
			off(72, 0, 60),     //
			on(96, 0, 62, 100), // never released: dropped
			progChange(100, 0, 33),
			on(110, 0, 64, 1), off(111, 0, 64), // program 33: a track of its own; 0.1 step long
		}))
	if q.QPM != 100 || len(q.Notes) != 3 {
		t.Fatalf("qpm %v, %d notes: %+v", q.QPM, len(q.Notes), q.Notes)
	}
	n := q.Notes
	if n[0].Pitch != 60 || n[0].Velocity != 128 || n[0].StartStep != 0 || n[0].EndStep != 2 || n[0].Program != 40 {
		t.Errorf("note 0: %+v", n[0])
	}
	if n[1].Velocity != 64 || n[1].StartStep != 1 || n[1].EndStep != 3 {
		t.Errorf("note 1: %+v", n[1])
	}
	// 110 ticks = 4.583 steps -> 5; ends at 111 -> also 5, so one step long.
	if n[2].Program != 33 || n[2].StartStep != 5 || n[2].EndStep != 6 || math.Abs(n[2].Start-110.0/96*0.6) > 1e-12 {
		t.Errorf("note 2: %+v", n[2])
	}
	// A tempo change is magenta.js's MultipleTempoException.
	_, err := MagentaSequenceOf(mustSong(t, smfBytes(0, 96, []tev{tempo(0, 500000), on(0, 0, 60, 100), tempo(96, 400000), off(96, 0, 60)})))
	if KindOf(err) != SkipTempo || !strings.Contains(err.Error(), "150 qpm") {
		t.Errorf("tempo change: %v", err)
	}
	// The same tempo twice is one tempo.
	if q := mustMagenta(t, smfBytes(0, 96, []tev{tempo(0, 500000), on(0, 0, 60, 100), tempo(96, 500000), off(96, 0, 60)})); q.QPM != 120 {
		t.Errorf("qpm %v", q.QPM)
	}
}

func TestMagentaGrooveOffsets(t *testing.T) {
	c := mustConverter(t, `{"type":"GrooveConverter","args":{"numSteps":16}}`)
	// 96 ticks a quarter, 24 a step: a quarter step early is +0.5, an eighth
	// late -0.25; 35 and 36 are one class (the loudest kept), 43 is a high
	// tom in magenta.js's map (gm's low tom).
	q := mustMagenta(t, smfBytes(0, 96, []tev{
		on(4*24-6, 9, 36, 90), on(4*24+1, 9, 35, 127),
		on(8*24+3, 9, 38, 64),
		on(12*24, 9, 43, 100), on(12*24, 0, 60, 100),
		off(400, 9, 36), off(400, 9, 35), off(400, 9, 38), off(400, 9, 43), off(400, 0, 60),
	}))
	w, err := MagentaWindows(q, magentaOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	if w.N != 1 {
		t.Fatalf("%d windows", w.N)
	}
	at := func(step, col int) float32 { return w.Window(0)[step*27+col] }
	const C = NumDrumClasses
	// Step 4: the 35 at velocity 127 wins (128/127), 1 tick late.
	if at(4, 0) != 1 || at(4, C) != float32(128.0/127) || at(4, 2*C) != float32(-1.0/12) {
		t.Errorf("step 4: hit %v vel %v off %v", at(4, 0), at(4, C), at(4, 2*C))
	}
	if at(8, 1) != 1 || at(8, C+1) != float32(64.0/127) || at(8, 2*C+1) != -0.25 {
		t.Errorf("step 8: hit %v vel %v off %v", at(8, 1), at(8, C+1), at(8, 2*C+1))
	}
	if at(12, 6) != 1 || at(12, 4) != 0 {
		t.Errorf("43 is class 6 in magenta.js's map: %v %v", at(12, 6), at(12, 4))
	}
	// An early note alone: a positive offset.
	q = mustMagenta(t, smfBytes(0, 96, []tev{on(4*24-6, 9, 36, 90), off(400, 9, 36)}))
	w, err = MagentaWindows(q, magentaOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	if got := w.Window(0)[4*27+2*C]; got != 0.5 {
		t.Errorf("a quarter step early: offset %v, want +0.5", got)
	}
	// Written back: the note is early again, by a quarter step (30 ticks of 120).
	var buf bytes.Buffer
	if err := WindowToMIDI(&buf, w.Window(0), WriteOptions{Representation: Groove, Magenta: c}); err != nil {
		t.Fatal(err)
	}
	s := mustSong(t, buf.Bytes())
	if len(s.Notes) != 1 || s.Notes[0].Start != 4*120-30 || s.Notes[0].End != 5*120-30 || s.Notes[0].Velocity != 90 || s.Notes[0].Pitch != 36 {
		t.Errorf("written back: %+v", s.Notes)
	}
}

func TestMagentaMelodyRange(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "low.mid")
	os.WriteFile(p, smfBytes(0, 96, []tev{on(0, 0, 60, 100), off(24, 0, 60), on(48, 2, 12, 100), off(72, 2, 12)}), 0o644)
	c := mustConverter(t, tinyConverters["mel_2bar"])
	_, err := FileWindows(p, magentaOptions(c))
	if KindOf(err) != SkipOutOfRange {
		t.Fatalf("want an out-of-range error, got %v", err)
	}
	for _, s := range []string{p, "pitch 12", "channel 3", "21..108", "step 2"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%q does not say %q", err, s)
		}
	}
	// Channel 1 alone is fine.
	o := magentaOptions(c)
	o.Channel = 0
	if _, err := FileWindows(p, o); err != nil {
		t.Error(err)
	}
	// Under a higher note on the same step, magenta.js skips the note before
	// checking its range.
	q := mustMagenta(t, smfBytes(0, 96, []tev{on(0, 0, 60, 100), on(0, 0, 12, 100), off(24, 0, 60), off(24, 0, 12)}))
	if _, err := MagentaWindows(q, magentaOptions(c)); err != nil {
		t.Errorf("a low note under a higher one: %v", err)
	}
	// ignorePolyphony false: two onsets on a step are an error.
	c2 := mustConverter(t, `{"type":"MelodyConverter","args":{"numSteps":32,"minPitch":21,"maxPitch":108,"ignorePolyphony":false}}`)
	if _, err := MagentaWindows(q, magentaOptions(c2)); KindOf(err) != SkipPolyphony {
		t.Errorf("polyphony: %v", err)
	}
}

func TestMagentaMelodyEvents(t *testing.T) {
	c := mustConverter(t, `{"type":"MelodyConverter","args":{"numSteps":16,"minPitch":21,"maxPitch":108}}`)
	// A [0,8) and B [1,2): events 0:A 1:B 2:off 8:off (magenta.js writes
	// every note's onset and end, later notes over earlier ones).
	q := mustMagenta(t, smfBytes(0, 96, []tev{on(0, 0, 60, 100), on(24, 0, 64, 100), off(48, 0, 64), off(8*24, 0, 60)}))
	w, err := MagentaWindows(q, magentaOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]int{0: 2 + 60 - 21, 1: 2 + 64 - 21, 2: MelodyNoteOff, 8: MelodyNoteOff}
	for s := 0; s < 16; s++ {
		if k := argmax(w.Window(0)[s*90 : (s+1)*90]); k != want[s] {
			t.Errorf("step %d: token %d, want %d", s, k, want[s])
		}
	}
	// Written back: A until B's onset, B until the note off, velocity 80.
	var buf bytes.Buffer
	if err := WindowToMIDI(&buf, w.Window(0), WriteOptions{Representation: Melody, Magenta: c}); err != nil {
		t.Fatal(err)
	}
	s := mustSong(t, buf.Bytes())
	if len(s.Notes) != 2 || s.Notes[0].End != 120 || s.Notes[1].End != 240 || s.Notes[0].Velocity != MagentaVelocity {
		t.Errorf("written back: %+v", s.Notes)
	}
}

func TestMagentaTrio(t *testing.T) {
	c := mustConverter(t, tinyConverters["trio_hier"])
	q := mustMagenta(t, smfBytes(1, 96,
		[]tev{progChange(0, 0, 0), on(0, 0, 72, 100), off(48, 0, 72)},
		[]tev{progChange(0, 1, 33), on(24, 1, 36, 100), off(96, 1, 36)},
		[]tev{progChange(0, 2, 48), on(0, 2, 100, 100), off(24, 2, 100)}, // strings: neither part
		[]tev{on(0, 9, 36, 100), on(0, 9, 42, 100), off(24, 9, 36), off(24, 9, 42)},
	))
	w, err := MagentaWindows(q, magentaOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	row := func(s int) []float32 { return w.Window(0)[s*692 : (s+1)*692] }
	if argmax(row(0)[:90]) != 2+72-21 || argmax(row(2)[:90]) != MelodyNoteOff {
		t.Errorf("melody: %d %d", argmax(row(0)[:90]), argmax(row(2)[:90]))
	}
	if argmax(row(0)[90:180]) != 0 || argmax(row(1)[90:180]) != 2+36-21 || argmax(row(4)[90:180]) != MelodyNoteOff {
		t.Errorf("bass: %d %d %d", argmax(row(0)[90:180]), argmax(row(1)[90:180]), argmax(row(4)[90:180]))
	}
	if argmax(row(0)[180:]) != 1|1<<2 || argmax(row(1)[180:]) != 0 {
		t.Errorf("drums: %d %d", argmax(row(0)[180:]), argmax(row(1)[180:]))
	}
	var buf bytes.Buffer
	if err := WindowToMIDI(&buf, w.Window(0), WriteOptions{Representation: Trio, Magenta: c}); err != nil {
		t.Fatal(err)
	}
	q2 := mustMagenta(t, buf.Bytes())
	progs := map[int]int{}
	for _, n := range q2.Notes {
		progs[n.Channel] = n.Program
	}
	if len(q2.Notes) != 4 || progs[TrioMelodyChannel] != 0 || progs[TrioBassChannel] != TrioBassProgram || progs[DrumChannel] != 0 {
		t.Errorf("written back: %+v", q2.Notes)
	}
	w2, err := MagentaWindows(q2, magentaOptions(c))
	if err != nil || !equalFloats(w.Window(0), w2.Window(0)) {
		t.Errorf("trio round trip: %v", err)
	}
}

func TestMagentaShortFile(t *testing.T) {
	// One bar of drums for a 2-bar model: one window, padded, as magenta.js
	// pads a short sequence (the spec would give none).
	c := mustConverter(t, tinyConverters["drums_2bar"])
	q := mustMagenta(t, smfBytes(0, 96, []tev{on(0, 9, 36, 100), off(24, 9, 36)}))
	w, err := MagentaWindows(q, magentaOptions(c))
	if err != nil || w.N != 1 || argmax(w.Window(0)[:512]) != 1 || argmax(w.Window(0)[512:1024]) != 0 {
		t.Errorf("%v %+v", err, w)
	}
	// Three bars: windows at bars 0 and 1.
	q = mustMagenta(t, smfBytes(0, 96, []tev{on(0, 9, 36, 100), on(2*16*24, 9, 38, 100), off(2*16*24+24, 9, 36), off(2*16*24+24, 9, 38)}))
	if w, err = MagentaWindows(q, magentaOptions(c)); err != nil || w.N != 2 {
		t.Errorf("%v %+v", err, w)
	}
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// magentaTrip writes a window as MIDI through c and reads back the file's
// first window.
func magentaTrip(t *testing.T, x []float32, c *MagentaConverter) []float32 {
	t.Helper()
	var buf bytes.Buffer
	if err := WindowToMIDI(&buf, x, WriteOptions{Representation: c.Representation(), Magenta: c}); err != nil {
		t.Fatal(err)
	}
	w, err := SongWindows(mustSong(t, buf.Bytes()), magentaOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	return w.Window(0)
}

// dropOrphanOffs is a melody (at columns off of rows of D) with the note
// offs that end no note made 0: they do not survive MIDI.
func dropOrphanOffs(x []float32, T, D, off int) []float32 {
	y := append([]float32(nil), x...)
	cur := false
	for t := 0; t < T; t++ {
		r := y[t*D+off : t*D+off+Melody.Depth()]
		switch k := argmax(r); {
		case k >= 2:
			cur = true
		case k == MelodyNoteOff && !cur:
			r[MelodyNoteOff], r[MelodyNoEvent] = 0, 1
		case k == MelodyNoteOff:
			cur = false
		}
	}
	return y
}

// TestMagentaCorpusRoundTrip reads real MMA grooves through every family's
// converter, writes windows back as MIDI and reads them again: MIDI → tensor
// → MIDI → tensor gives the same tensor (melodies less the note offs that end
// no note, groove offsets within the 1/120 step of a 480-tick file, an early
// note on step 0 written at tick 0), and a second trip changes nothing.
func TestMagentaCorpusRoundTrip(t *testing.T) {
	var files []string
	root := corpusDir
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r // a linked corpus, as a worktree may have
	}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".mid") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the MMA corpus is missing in CI")
		}
		t.Skipf("no MMA corpus at %s (run testdata/corpus/build.sh)", corpusDir)
	}
	stride := 15
	if testing.Short() {
		stride = 100
	}
	windows := map[string]int{}
	for name, js := range tinyConverters {
		c := mustConverter(t, js)
		T, D := c.NumSteps, c.Representation().Depth()
		for i := 0; i < len(files); i += stride {
			w, err := FileWindows(files[i], magentaOptions(c))
			if err != nil {
				if k := KindOf(err); k == "" || k == SkipCorrupt || k == SkipTooLong {
					t.Errorf("%s: %v", name, err)
				}
				continue
			}
			for k := 0; k < w.N && k < 3; k++ {
				x := w.Window(k)
				y := magentaTrip(t, x, c)
				if z := magentaTrip(t, y, c); !equalFloats(y, z) {
					t.Fatalf("%s: %s window %d: a second round trip changes the tensor", name, files[i], k)
				}
				want := x
				switch c.Type {
				case MelodyConverter:
					want = dropOrphanOffs(x, T, D, 0)
				case TrioConverter:
					want = dropOrphanOffs(dropOrphanOffs(x, T, D, 0), T, D, 90)
				}
				if c.Type == GrooveConverter {
					want = append([]float32(nil), x...)
					for d := 18; d < 27; d++ {
						want[d] = min(want[d], 0) // an early first step starts at tick 0
					}
				}
				for j := range want {
					tol := 0.0
					if c.Type == GrooveConverter && j%27 >= 18 {
						tol = 1.0/120 + 1e-6
						if math.Abs(float64(want[j])) > 1 { // written clipped to ±1
							tol = math.Abs(float64(want[j])) - 1 + tol
						}
					}
					if math.Abs(float64(want[j]-y[j])) > tol {
						t.Fatalf("%s: %s window %d: step %d column %d: %v became %v", name, files[i], k, j/D, j%D, want[j], y[j])
					}
				}
				windows[name]++
			}
		}
	}
	for name := range tinyConverters {
		if windows[name] == 0 {
			t.Errorf("%s: no corpus window went round", name)
		}
	}
	t.Logf("windows round-tripped: %v", windows)
}

func TestMagentaWindowsBounded(t *testing.T) {
	// A note every bar for 4096 bars, through a 64-bar trio: 4033 windows of
	// [1024, 692] would be 11 GB; refused before any is made.
	c := mustConverter(t, `{"type":"TrioConverter","args":{"numSteps":1024,"melArgs":{"minPitch":21,"maxPitch":108},"bassArgs":{"minPitch":21,"maxPitch":108},"drumsArgs":{}}}`)
	q := &MagentaSequence{QPM: 120}
	for b := 0; b < 4096; b++ {
		q.Notes = append(q.Notes, MagentaNote{Pitch: 60, Velocity: 100, StartStep: b * 16, EndStep: b*16 + 1})
	}
	if _, err := MagentaWindows(q, magentaOptions(c)); KindOf(err) != SkipTooLong {
		t.Fatalf("want too long, got %v", err)
	}
	// 64 bars of it are fine: one window.
	q.Notes = q.Notes[:64]
	if w, err := MagentaWindows(q, magentaOptions(c)); err != nil || w.N != 1 {
		t.Fatalf("%v", err)
	}
}

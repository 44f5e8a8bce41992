package cli

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/music"
)

// genJSON runs a command that writes MIDI files with --json and returns its report.
func genJSON(t *testing.T, args ...string) midiReport {
	t.Helper()
	out, err := run(t, append(args, "--json")...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	var r midiReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %v in %q", args, err, out)
	}
	return r
}

// midoFacts is what python3-mido reads from a MIDI file, as one JSON object.
const midoFacts = `
import json, sys, mido
m = mido.MidiFile(sys.argv[1])
tr = m.tracks[0]
names = [e.name for e in tr if e.type == "track_name"]
sigs = [(e.numerator, e.denominator) for e in tr if e.type == "time_signature"]
tempos = [mido.tempo2bpm(e.tempo) for e in tr if e.type == "set_tempo"]
progs = [(e.channel, e.program) for e in tr if e.type == "program_change"]
ticks, sounding, poly = 0, set(), 0
for e in tr:
    ticks += e.time
    if e.type == "note_on" and e.velocity > 0:
        sounding.add(e.note); poly = max(poly, len(sounding))
    elif e.type in ("note_off", "note_on"):
        sounding.discard(e.note)
print(json.dumps({"tracks": len(m.tracks), "tpq": m.ticks_per_beat, "ticks": ticks, "seconds": m.length,
    "names": names, "sigs": sigs, "tempos": tempos, "programs": progs, "poly": poly,
    "notes": sum(1 for e in tr if e.type == "note_on" and e.velocity > 0)}))
`

type midoFile struct {
	Tracks, TPQ, Ticks, Poly, Notes int
	Seconds                         float64
	Names                           []string
	Sigs                            [][2]int
	Tempos                          []float64
	Programs                        [][2]int
}

func mido(t *testing.T, py, path string) midoFile {
	t.Helper()
	out, err := exec.Command(py, "-c", midoFacts, path).CombinedOutput()
	if err != nil {
		t.Fatalf("mido %s: %v\n%s", path, err, out)
	}
	var f midoFile
	if err := json.Unmarshal(out, &f); err != nil {
		t.Fatalf("mido %s: %v in %s", path, err, out)
	}
	return f
}

// checkDAWFile checks with mido that a file lasts bars*loop bars at bpm,
// with one 4/4 time signature, one tempo and its track name.
func checkDAWFile(t *testing.T, py, path string, bars, loop int, bpm float64) midoFile {
	t.Helper()
	f := mido(t, py, path)
	wantTicks := bars * loop * 4 * f.TPQ
	wantSec := float64(bars*loop*4) * 60 / bpm
	if f.Tracks != 1 || f.Ticks != wantTicks || math.Abs(f.Seconds-wantSec) > 1e-5*wantSec { // the tempo is whole microseconds a quarter
		t.Errorf("%s: %d track(s), %d ticks, %v s; want 1 track, %d ticks (%d bars), %v s", path, f.Tracks, f.Ticks, f.Seconds, wantTicks, bars*loop, wantSec)
	}
	if len(f.Sigs) != 1 || f.Sigs[0] != [2]int{4, 4} || len(f.Tempos) != 1 || math.Abs(f.Tempos[0]-bpm) > 1e-3 {
		t.Errorf("%s: time signatures %v, tempos %v; want one 4/4 and %v bpm", path, f.Sigs, f.Tempos, bpm)
	}
	if stem := strings.TrimSuffix(filepath.Base(path), ".mid"); len(f.Names) != 1 || f.Names[0] != stem {
		t.Errorf("%s: track names %q, want %q", path, f.Names, stem)
	}
	if f.Notes == 0 {
		t.Errorf("%s: no notes", path)
	}
	return f
}

// TestMIDIForDAW reads generated files with python3-mido: length to the bar
// line, loops, tempo, time signature, track name, program, one melody note
// at a time.
func TestMIDIForDAW(t *testing.T) {
	py := testenv.Python(t, "mido")
	dir := t.TempDir()
	r := genJSON(t, "generate", "-n", "2", "--seed", "5", "--bpm", "93.5", "--loop", "3", "-o", filepath.Join(dir, "g"))
	if len(r.Files) != 2 || r.BPM != 93.5 || r.Loop != 3 || r.Bars < 1 {
		t.Fatalf("report %+v", r)
	}
	for _, f := range r.Files {
		checkDAWFile(t, py, f, r.Bars, 3, 93.5)
	}
	q := genJSON(t, "generate", "-n", "1", "--seed", "5", "--quantize", "-o", filepath.Join(dir, "q"))
	checkDAWFile(t, py, q.Files[0], q.Bars, 1, 120)

	mel := "../testdata/models/melody/model.pt"
	m := genJSON(t, "generate", "--model", mel, "-n", "2", "--seed", "1", "--program", "34", "-o", filepath.Join(dir, "m"))
	for _, p := range m.Files {
		f := checkDAWFile(t, py, p, m.Bars, 1, 120)
		if len(f.Programs) != 1 || f.Programs[0] != [2]int{0, 33} || f.Poly != 1 {
			t.Errorf("%s: programs %v (want GM 34 = program 33 on channel 1), %d notes at once (want 1)", p, f.Programs, f.Poly)
		}
	}
}

// TestMIDIKeepsInputTempo: interpolate keeps the tempo of its first input,
// decode that of the files encode read, unless --bpm says otherwise.
func TestMIDIKeepsInputTempo(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.mid"), filepath.Join(dir, "b.mid")
	for i, p := range []string{a, b} {
		writeGrooveAt(t, p, 4, 97+float64(i))
	}
	tempo := func(p string) float64 {
		s, err := music.ReadMIDIFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return s.BPM()
	}
	r := genJSON(t, "interpolate", a, b, "--steps", "2", "-o", filepath.Join(dir, "i"))
	if got := tempo(r.Files[0]); got != 97 || r.BPM != 97 {
		t.Errorf("interpolate wrote %v bpm (report %v), want the input's 97", got, r.BPM)
	}
	r = genJSON(t, "interpolate", a, b, "--steps", "2", "--bpm", "80", "-o", filepath.Join(dir, "i80"))
	if got := tempo(r.Files[0]); got != 80 {
		t.Errorf("interpolate --bpm 80 wrote %v bpm", got)
	}
	z := filepath.Join(dir, "z.npz")
	if _, err := run(t, "encode", b, "-o", z); err != nil {
		t.Fatal(err)
	}
	r = genJSON(t, "decode", "--z", z, "-o", filepath.Join(dir, "d"))
	if got := tempo(r.Files[0]); got != 98 {
		t.Errorf("decode wrote %v bpm, want the encoded file's 98", got)
	}
}

func writeGrooveAt(t *testing.T, path string, bars int, bpm float64) {
	t.Helper()
	win := make([]float32, 16*bars*27)
	for s := 0; s < 16*bars; s += 2 {
		win[s*27+2], win[s*27+11] = 1, 0.7
		if s%8 == 0 {
			win[s*27], win[s*27+9] = 1, 0.9
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := music.WindowToMIDI(f, win, music.WriteOptions{Representation: music.Groove, BPM: bpm}); err != nil {
		t.Fatal(err)
	}
}

// TestMIDIToStdout: -o - streams one file, and is refused for several.
func TestMIDIToStdout(t *testing.T) {
	out, err := run(t, "generate", "-n", "1", "--seed", "2", "-o", "-", "--loop", "2")
	if err != nil {
		t.Fatal(err)
	}
	s, err := music.ParseMIDI([]byte(out))
	if err != nil || len(s.Notes) == 0 {
		t.Fatalf("stdout is not a MIDI file with notes: %v", err)
	}
	for _, args := range [][]string{
		{"generate", "-n", "2", "-o", "-"},
		{"interpolate", "a.mid", "b.mid", "-o", "-"},
		{"generate", "-n", "1", "-o", "-", "--json"},
	} {
		if _, err := run(t, args...); !errors.Is(err, errStdoutOne) {
			t.Errorf("%v: %v, want the -o - error", args, err)
		}
	}
}

// TestMIDIOptionsRefused: options a model cannot use, and bad values, are
// refused before any file is written.
func TestMIDIOptionsRefused(t *testing.T) {
	dir := t.TempDir()
	o := filepath.Join(dir, "x")
	for _, args := range [][]string{
		{"generate", "--program", "1"},
		{"generate", "--model", "../testdata/models/melody/model.pt", "--quantize"},
		{"generate", "--loop", "0"},
		{"generate", "--loop", "2000"},
		{"generate", "--program", "129", "--model", "../testdata/models/melody/model.pt"},
		{"generate", "--bpm", "NaN"},
		{"generate", "--bpm", "Inf"},
		{"generate", "--bpm", "-1"},
		{"generate", "--bpm", "0"},
		{"generate", "--temperature", "NaN"},
		{"generate", "-n", "0"},
		{"interpolate", "--steps", "0", "a.mid", "b.mid"},
		{"interpolate", "--steps", "-3", "a.mid", "b.mid"},
	} {
		if _, err := run(t, append(args, "-o", o)...); err == nil {
			t.Errorf("%v: no error", args)
		}
		if _, err := os.Stat(o); err == nil {
			t.Fatalf("%v wrote %s", args, o)
		}
	}
}

// TestMIDITimidity renders generated files with timidity: they sound, and a
// file played 3 times is 2 windows longer than one played once, to the
// sample (the synthesizer's release tail is the same).
func TestMIDITimidity(t *testing.T) {
	timidity, err := exec.LookPath("timidity")
	if err != nil {
		testenv.Missing(t, "timidity")
	}
	py := testenv.Python(t, "wave")
	dir := t.TempDir()
	wav := func(args ...string) (seconds, rms float64, r midiReport) {
		r = genJSON(t, append([]string{"generate", "-n", "1", "--seed", "7", "--bpm", "100"}, args...)...)
		w := strings.TrimSuffix(r.Files[0], ".mid") + ".wav"
		if out, err := exec.Command(timidity, "-Ow", "-o", w, r.Files[0]).CombinedOutput(); err != nil {
			t.Fatalf("timidity: %v\n%s", err, out)
		}
		out, err := exec.Command(py, "-c", `
import array, math, sys, wave
w = wave.open(sys.argv[1]); n = w.getnframes()
a = array.array("h", w.readframes(n))
print(n / w.getframerate(), math.sqrt(sum(x * x for x in a) / max(len(a), 1)))`, w).CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		f := strings.Fields(string(out))
		seconds, _ = strconv.ParseFloat(f[0], 64)
		rms, _ = strconv.ParseFloat(f[1], 64)
		return seconds, rms, r
	}
	s1, rms1, r := wav("-o", filepath.Join(dir, "once"))
	s3, rms3, _ := wav("-o", filepath.Join(dir, "thrice"), "--loop", "3")
	window := float64(r.Bars*4) * 60 / 100
	if rms1 < 100 || rms3 < 100 {
		t.Errorf("silent: RMS %v and %v (16-bit samples)", rms1, rms3)
	}
	if s1 < window || math.Abs((s3-s1)-2*window) > 0.01 {
		t.Errorf("timidity: %v s once and %v s thrice; want at least %v s and 2 windows (%v s) more", s1, s3, window, 2*window)
	}
}

package music

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// magentaCases are random small MIDI files that exercise magenta.js's
// reading: odd resolutions and tempos, tempo events repeated, changed or
// late, time signatures other than 4/4, kept or changed, tracks of several channels and programs, program changes, note-ons
// never released, note-offs as note-ons of velocity 0, velocity 127, onsets
// off the grid. Deterministic (a seeded math/rand source).
func magentaCases() map[string][]byte {
	r := rand.New(rand.NewSource(1))
	out := map[string][]byte{}
	for i := 0; i < 60; i++ {
		tpq := []int{96, 100, 220, 480, 7, 192, 384}[r.Intn(7)]
		stepT := float64(tpq) / 4
		var t0 []tev
		if r.Intn(4) > 0 {
			us := []int{500000, 437500, 612345, 333333, 480000}[r.Intn(5)]
			t0 = append(t0, tempo(0, us))
			if r.Intn(5) == 0 {
				t0 = append(t0, tempo(int64(r.Intn(10*tpq)), us))
			}
			switch r.Intn(8) {
			case 0:
				t0 = append(t0, tempo(int64(1+r.Intn(10*tpq)), 400000))
			case 1:
				t0 = []tev{tempo(int64(1+r.Intn(10*tpq)), []int{500000, 400000}[r.Intn(2)])}
			}
		}
		switch r.Intn(8) { // time signatures: one throughout is fine, a change is not
		case 0:
			t0 = append(t0, timeSig(0, 3, 2))
		case 1:
			t0 = append(t0, timeSig(0, 6, 3), timeSig(int64(r.Intn(10*tpq)), 6, 3))
		case 2:
			t0 = append(t0, timeSig(int64(1+r.Intn(10*tpq)), []byte{3, 4}[r.Intn(2)], 2))
		case 3:
			t0 = append(t0, timeSig(0, 4, 2), timeSig(int64(1+r.Intn(10*tpq)), 3, 2))
		}
		sort.SliceStable(t0, func(a, b int) bool { return t0[a].tick < t0[b].tick })
		var tracks [][]tev
		for k := 0; k < 1+r.Intn(3); k++ {
			var evs []tev
			if k == 0 && len(t0) > 0 && r.Intn(2) == 0 {
				evs, t0 = append(evs, t0...), nil
			}
			for j := 0; j < 40; j++ {
				ch := []byte{0, 1, 2, 9, 9}[r.Intn(5)]
				if r.Intn(10) == 0 {
					evs = append(evs, progChange(int64(r.Intn(32*int(stepT))), ch, byte([]int{0, 5, 33, 35, 48}[r.Intn(5)])))
				}
				p := byte(30 + r.Intn(60))
				if ch == 9 {
					p = byte(22 + r.Intn(40))
				}
				st := max(int64(float64(r.Intn(32))*stepT+float64(r.Intn(5)-2)*stepT/4), 0)
				if r.Intn(3) == 0 {
					st = int64(r.Intn(32 * int(stepT)))
				}
				vel := byte(1 + r.Intn(127))
				if r.Intn(8) == 0 {
					vel = 127
				}
				evs = append(evs, on(st, ch, p, vel))
				if r.Intn(12) == 0 {
					continue // never released
				}
				end := st + int64(r.Intn(4*int(stepT)))
				if r.Intn(2) == 0 {
					evs = append(evs, off(end, ch, p))
				} else {
					evs = append(evs, on(end, ch, p, 0))
				}
			}
			sort.SliceStable(evs, func(a, b int) bool { return evs[a].tick < evs[b].tick })
			tracks = append(tracks, evs)
		}
		if len(t0) > 0 {
			tracks = append([][]tev{t0}, tracks...)
		}
		out[fmt.Sprintf("r%03d.mid", i)] = smfBytes(1, tpq, tracks...)
	}
	return out
}

type goldenCase struct {
	Name   string       `json:"name"`
	Err    string       `json:"err"`
	Trio   [3][]int     `json:"trio"` // argmax of melody, bass and drums rows; -1: zeros
	Roll   [][3]float64 `json:"roll"` // nonzero [step, column, value]
	Groove [][3]float64 `json:"groove"`
	Tap    [][3]float64 `json:"tap"`
	Hum    [][3]float64 `json:"hum"`
}

// TestMagentaJSGolden compares the reading of magentaCases through magenta.js
// 1.23.1's converters (testdata/magentajs/golden.json, written by golden.js
// there) with mvae's MagentaInputs, bit for bit: the notes of the first 32
// steps through TrioConverter, DrumsConverter and GrooveConverter (plain,
// tapify, humanize), and the same files refused.
func TestMagentaJSGolden(t *testing.T) {
	cases := magentaCases()
	if dir := os.Getenv("MVAE_MAGENTA_CASES"); dir != "" {
		os.MkdirAll(dir, 0o755)
		for name, data := range cases {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Skipf("wrote %d cases to %s", len(cases), dir)
	}
	data, err := os.ReadFile("testdata/magentajs/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden []goldenCase
	if err := json.Unmarshal(data, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden) != len(cases) {
		t.Fatalf("golden.json has %d cases, the generator %d", len(golden), len(cases))
	}
	const T = 32
	conv := func(js string) *MagentaConverter { return mustConverter(t, js) }
	trio := conv(`{"type":"TrioConverter","args":{"numSteps":32,"melArgs":{"minPitch":21,"maxPitch":108},"bassArgs":{"minPitch":21,"maxPitch":108},"drumsArgs":{}}}`)
	others := map[string]*MagentaConverter{
		"roll":   conv(`{"type":"DrumsConverter","args":{"numSteps":32}}`),
		"groove": conv(`{"type":"GrooveConverter","args":{"numSteps":32}}`),
		"tap":    conv(`{"type":"GrooveConverter","args":{"numSteps":32,"tapify":true}}`),
		"hum":    conv(`{"type":"GrooveConverter","args":{"numSteps":32,"humanize":true}}`),
	}
	refused, checked := 0, 0
	for _, g := range golden {
		q, err := MagentaSequenceOf(mustSong(t, cases[g.Name]))
		if (err != nil) != (g.Err != "") {
			t.Errorf("%s: mvae says %v, magenta.js %q", g.Name, err, g.Err)
			continue
		}
		if err != nil {
			refused++
			continue
		}
		// Window 0 through each converter's toTensor.
		mel, err1 := newMelodyLine(q.filter(func(n *MagentaNote) bool { return !n.IsDrum && n.Program <= 31 }), trio.Mel, "melody")
		bass, err2 := newMelodyLine(q.filter(func(n *MagentaNote) bool { return !n.IsDrum && n.Program >= 32 && n.Program <= 39 }), trio.Bass, "bass")
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", g.Name, err1, err2)
		}
		x := make([]float32, T*692)
		(&trioLine{mel, bass, newDrumLine(q, trio)}).input(x, 0, T)
		for part, from := range []int{0, 90, 180} {
			for s := 0; s < T; s++ {
				row := x[s*692+from : s*692+from+[]int{90, 90, 512}[part]]
				k := argmax(row)
				if row[k] == 0 {
					k = -1
				}
				if k != g.Trio[part][s] {
					t.Errorf("%s: trio part %d step %d: %d, magenta.js %d", g.Name, part, s, k, g.Trio[part][s])
				}
			}
		}
		for name, want := range map[string][][3]float64{"roll": g.Roll, "groove": g.Groove, "tap": g.Tap, "hum": g.Hum} {
			c := others[name]
			D := c.InputDepth()
			x := make([]float32, T*D)
			newDrumLine(q, c).input(x, 0, T)
			var got [][3]float64
			for i, v := range x {
				if v != 0 {
					got = append(got, [3]float64{float64(i / D), float64(i % D), float64(v)})
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s: %s: %d nonzero values, magenta.js %d", g.Name, name, len(got), len(want))
				continue
			}
			for i := range got {
				if got[i][0] != want[i][0] || got[i][1] != want[i][1] || float32(got[i][2]) != float32(want[i][2]) {
					t.Errorf("%s: %s: %v, magenta.js %v", g.Name, name, got[i], want[i])
					break
				}
			}
		}
		checked++
	}
	if refused == 0 || checked == 0 {
		t.Errorf("%d files checked, %d refused: the cases should have both", checked, refused)
	}
}

// TestMagentaInputsAlign: MagentaInputs gives the windows of MagentaWindows,
// in order, as the converter's toTensor: the tokens themselves for a melody
// and a plain groove, the tokens humanized for a humanize groove.
func TestMagentaInputsAlign(t *testing.T) {
	for name, data := range magentaCases() {
		q, err := MagentaSequenceOf(mustSong(t, data))
		if err != nil {
			continue
		}
		for cname, js := range tinyConverters {
			c := mustConverter(t, js)
			o := magentaOptions(c)
			w, err := MagentaWindows(q, o)
			tok, in, err2 := MagentaInputs(q, o)
			if (err != nil) != (err2 != nil) {
				t.Fatalf("%s %s: %v, %v", name, cname, err, err2)
			}
			if err != nil {
				continue
			}
			if !equalFloats(w.Data, tok.Data) || in.N != w.N || in.T != c.NumSteps || in.D != c.InputDepth() || len(in.Data) != in.N*in.T*in.D {
				t.Fatalf("%s %s: %d windows, %d inputs of [%d, %d]", name, cname, w.N, in.N, in.T, in.D)
			}
			want := w.Data
			switch {
			case c.Humanize:
				want = make([]float32, len(w.Data))
				Humanize.Apply(want, w.Data, Groove, w.N, w.T)
			case c.Type == DrumsConverter, c.Type == TrioConverter, c.Tapify:
				continue // magentainput.go: where magenta.js differs from the tokens
			}
			if !equalFloats(in.Data, want) {
				t.Errorf("%s %s: the input is not the tokens'", name, cname)
			}
		}
	}
}

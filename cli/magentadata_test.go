package cli

import (
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/npy"
)

// writeTinyBundle writes a model of model.TinyFamilies with random weights.
func writeTinyBundle(t *testing.T, dir, family string) string {
	t.Helper()
	c := model.TinyFamilies()[family]
	w := model.Weights{}
	r := rand.New(rand.NewSource(1))
	for _, p := range c.Params() {
		x := model.NewTensorOf(p.Shape)
		for i := range x.Data {
			x.Data[i] = float32(r.NormFloat64() * 0.3)
		}
		w[p.Name] = x
	}
	p := filepath.Join(dir, family+".mvae")
	if err := model.WriteBundleFile(p, model.NewBundle(model.Manifest{Config: c}, w, nil), false); err != nil {
		t.Fatal(err)
	}
	return p
}

// data show and data render --model read and write MIDI as a Magenta model's
// converter does: groove offsets positive when early, there and back.
func TestDataMagentaModel(t *testing.T) {
	dir := t.TempDir()
	m := writeTinyBundle(t, dir, "groove_4bar")
	mid := filepath.Join(dir, "g.mid")
	// An early kick (a positive offset) and a snare, in 4 bars.
	win := make([]float32, 64*27)
	win[4*27+0], win[4*27+9], win[4*27+18] = 1, 0.5, 0.5
	win[8*27+1], win[8*27+10] = 1, 0.75
	c := model.TinyFamilies()["groove_4bar"]
	f, err := os.Create(mid)
	if err != nil {
		t.Fatal(err)
	}
	if err := music.WindowToMIDI(f, win, c.WriteOptions()); err != nil {
		t.Fatal(err)
	}
	f.Close()
	w := filepath.Join(dir, "w.npy")
	if _, err := run(t, "data", "show", mid, "--model", m, "-o", w); err != nil {
		t.Fatal(err)
	}
	a, err := npy.ReadFile(w)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Shape) != 3 || a.Shape[0] != 1 || a.Shape[1] != 64 || a.Shape[2] != 27 {
		t.Fatalf("shape %v", a.Shape)
	}
	if off := a.Data[4*27+18]; off < 0.49 || off > 0.51 {
		t.Errorf("the early kick reads back with offset %v, want +0.5", off)
	}
	if _, err := run(t, "data", "render", w, "--model", m, "-o", filepath.Join(dir, "r")); err != nil {
		t.Fatal(err)
	}
	w2 := filepath.Join(dir, "w2.npy")
	if _, err := run(t, "data", "show", filepath.Join(dir, "r", "w_0000.mid"), "--model", m, "-o", w2); err != nil {
		t.Fatal(err)
	}
	b, err := npy.ReadFile(w2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Data {
		if d := a.Data[i] - b.Data[i]; d > 1.0/120 || d < -1.0/120 {
			t.Fatalf("value %d: %v became %v", i, a.Data[i], b.Data[i])
		}
	}
	if _, err := run(t, "data", "show", mid, "--model", m, "--bars", "2"); err == nil || !strings.Contains(err.Error(), "--bars and --model") {
		t.Errorf("--bars with --model: %v", err)
	}
	// A melody note out of a Magenta model's range names the file and the note.
	mel := writeTinyBundle(t, dir, "mel_2bar")
	low := filepath.Join(dir, "low.mid")
	// One note of pitch 12 (C0), 96 ticks a quarter.
	os.WriteFile(low, []byte("MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x0c\x00\x90\x0c\x64\x18\x80\x0c\x00\x00\xff\x2f\x00"), 0o644)
	_, err = run(t, "data", "show", low, "--model", mel)
	if err == nil || !strings.Contains(err.Error(), "low.mid") || !strings.Contains(err.Error(), "pitch 12") || !strings.Contains(err.Error(), "21..108") {
		t.Errorf("out of range: %v", err)
	}
}

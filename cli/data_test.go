package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/npy"
)

// run runs mvae in-process and returns stdout and the error (with the flag
// hints Main adds).
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	app := NewApp()
	var out bytes.Buffer
	app.Writer = &out
	app.ErrWriter = io.Discard
	err := flagHint(app.Run(reorder(app, append([]string{"mvae"}, args...))))
	return out.String(), err
}

// writeGroove writes a small drum file: a kick on every beat for n bars.
func writeGroove(t *testing.T, path string, bars int, pitch uint8) {
	t.Helper()
	win := make([]float32, 16*bars*27)
	for s := 0; s < 16*bars; s += 4 {
		win[s*27+0] = 1
		win[s*27+9] = 0.8
		win[(s+2)*27+2] = 1
		win[(s+2)*27+11] = float32(pitch) / 127
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := music.WindowToMIDI(f, win, music.WriteOptions{Representation: music.Groove}); err != nil {
		t.Fatal(err)
	}
}

func TestDataShowRenderRoundTrip(t *testing.T) {
	dir := t.TempDir()
	mid := filepath.Join(dir, "g.mid")
	writeGroove(t, mid, 3, 90)
	w := filepath.Join(dir, "w.npy")
	// Flags after the file argument.
	if _, err := run(t, "data", "show", mid, "--bars", "2", "-o", w); err != nil {
		t.Fatal(err)
	}
	a, err := npy.ReadFile(w)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{2, 32, 27}; len(a.Shape) != 3 || a.Shape[0] != want[0] || a.Shape[1] != want[1] || a.Shape[2] != want[2] {
		t.Fatalf("shape %v, want %v", a.Shape, want)
	}
	out, err := run(t, "data", "show", "--json", mid, "--bars", "2")
	if err != nil {
		t.Fatal(err)
	}
	var js map[string]any
	if err := json.Unmarshal([]byte(out), &js); err != nil {
		t.Fatalf("--json output is not JSON alone: %v\n%s", err, out)
	}
	if js["windows"].(float64) != 2 {
		t.Errorf("json windows %v", js["windows"])
	}
	mdir := filepath.Join(dir, "midi")
	if _, err := run(t, "data", "render", w, "-o", mdir); err != nil {
		t.Fatal(err)
	}
	// Rendering again without --force must fail and leave the files alone.
	first := filepath.Join(mdir, "w_0000.mid")
	before, _ := os.ReadFile(first)
	if _, err := run(t, "data", "render", w, "-o", mdir); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("render over existing files: %v", err)
	}
	after, _ := os.ReadFile(first)
	if !bytes.Equal(before, after) {
		t.Fatal("existing file changed without --force")
	}
	if _, err := run(t, "data", "render", w, "-o", mdir, "--force"); err != nil {
		t.Fatal(err)
	}
	// The rendered window reads back as the same window.
	back, err := music.FileWindows(first, music.Options{Representation: music.Groove, Bars: 2, Channel: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range back.Window(0) {
		if d := v - a.Data[i]; d > 1e-6 || d < -1e-6 {
			t.Fatalf("value %d: %v became %v", i, a.Data[i], v)
		}
	}
}

func TestDataShowErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "broken.mid")
	os.WriteFile(bad, []byte("MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x10\x00"), 0o644)
	_, err := run(t, "data", "show", bad, "-o", filepath.Join(dir, "x.npy"))
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.npy")); err == nil {
		t.Fatal("an output was written for a broken file")
	}
	short := filepath.Join(dir, "short.mid")
	writeGroove(t, short, 1, 50)
	_, err = run(t, "data", "show", short, "--bars", "4")
	if err == nil || !strings.Contains(err.Error(), "no 4-bar window") {
		t.Fatalf("got %v", err)
	}
}

func TestDataBuildSplitsAndCounts(t *testing.T) {
	dir := t.TempDir()
	gmd := filepath.Join(dir, "gmd")
	os.MkdirAll(filepath.Join(gmd, "drummer1", "session1"), 0o755)
	os.WriteFile(filepath.Join(gmd, "info.csv"), []byte(
		"drummer,session,id,style,bpm,beat_type,time_signature,midi_filename,audio_filename,duration,split\n"+
			"drummer1,drummer1/session1,a,rock,120,beat,4-4,drummer1/session1/a.mid,,1,test\n"+
			"drummer1,drummer1/session1,b,rock,120,beat,4-4,drummer1/session1/b.mid,,1,validation\n"), 0o644)
	writeGroove(t, filepath.Join(gmd, "drummer1", "session1", "a.mid"), 2, 60)
	writeGroove(t, filepath.Join(gmd, "drummer1", "session1", "b.mid"), 2, 70)
	writeGroove(t, filepath.Join(gmd, "drummer1", "session1", "c.mid"), 2, 80) // not listed: by hash
	other := filepath.Join(dir, "other")
	os.MkdirAll(other, 0o755)
	writeGroove(t, filepath.Join(other, "d.mid"), 3, 90)
	os.WriteFile(filepath.Join(other, "e.mid"), []byte("garbage"), 0o644)
	out := filepath.Join(dir, "data.npz")
	js, err := run(t, "data", "build", gmd, other, "--bars", "1", "-o", out, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Report music.BuildReport `json:"report"`
	}
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatal(err)
	}
	r := res.Report
	if r.Files != 5 || r.Used != 4 || len(r.Skipped) != 1 || r.SplitByInfo != 2 || r.SplitByHash != 2 {
		t.Errorf("report %+v", r)
	}
	// Every 1-bar window of a file is the same bar: one kept per file.
	if r.Windows != 2+2+2+3 || r.Duplicates != 1+1+1+2 || r.Kept[0]+r.Kept[1]+r.Kept[2] != 4 {
		t.Errorf("windows %d, duplicates %d, kept %v", r.Windows, r.Duplicates, r.Kept)
	}
	if r.Kept[1] < 1 || r.Kept[2] < 1 {
		t.Errorf("info.csv split not applied: kept %v", r.Kept)
	}
	m, err := npy.ReadNPZFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range music.SplitNames {
		if a := m[name]; a == nil || a.Shape[0] != r.Kept[i] || a.Shape[1] != 16 || a.Shape[2] != 27 {
			t.Errorf("array %s: %v", name, a)
		}
	}
	if _, err := run(t, "data", "build", gmd, other, "--bars", "1", "-o", out, "--strict"); err == nil {
		t.Error("--strict: a skipped file should be an error")
	}
}

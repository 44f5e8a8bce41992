package importer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/internal/craft"
	"github.com/musicvae-go/mvae/model"
)

// exportWith writes family name's tiny model as a checkpoint whose
// config.json carries converter conv instead of its own ("" keeps it).
func exportWith(t *testing.T, name, conv string) string {
	t.Helper()
	c := *model.TinyFamilies()[name]
	dir := filepath.Join(t.TempDir(), name)
	if _, err := WriteMagenta(dir, &c, randomCanonical(&c, 1)); err != nil {
		t.Fatal(err)
	}
	if conv != "" {
		if err := os.WriteFile(filepath.Join(dir, MagentaConfigFile), []byte(`{"type":"MusicVAE","dataConverter":`+conv+`}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestMagentaConverterAgainstLayout: converters that contradict the
// checkpoint's layout, or that mvae cannot run, are refused naming
// config.json and saying why.
func TestMagentaConverterAgainstLayout(t *testing.T) {
	for _, c := range []struct{ family, conv, want string }{
		{"mel_hier", `{"type":"MelodyConverter","args":{"numSteps":64,"minPitch":21,"maxPitch":108}}`, "has a conductor"},
		{"mel_2bar", `{"type":"MelodyConverter","args":{"numSteps":32,"minPitch":21,"maxPitch":108,"numSegments":2}}`, "no conductor"},
		{"mel_2bar", `{"type":"MelodyConverter","args":{"numSteps":30,"minPitch":21,"maxPitch":108}}`, "numSteps 30"},
		{"mel_2bar", `{"type":"MelodyConverter","args":{"numSteps":32}}`, "without minPitch"},
		{"mel_2bar", `{"type":"DrumsConverter","args":{"numSteps":32}}`, "depth 512"},
		{"mel_2bar", `{"type":"DrumRollConverter","args":{"numSteps":32}}`, "DrumRollConverter"},
		{"drums_2bar", `{"type":"DrumsConverter","args":{"numSteps":32,"pitchClasses":[[36],[38],[42],[46],[45],[48],[50],[49],[51]]}}`, "pitchClasses"},
		{"groove_4bar", `{"type":"GrooveConverter","args":{"numSteps":64,"humanize":true,"tapify":true}}`, "both humanize and tapify"},
		{"groove_4bar", `{"type":"GrooveConverter","args":{"numSteps":64,"stepsPerQuarter":8}}`, "stepsPerQuarter 8"},
		{"trio_hier", `{"type":"MelodyConverter","args":{"numSteps":32,"numSegments":2,"minPitch":21,"maxPitch":108}}`, "depth 90"},
		{"trio_hier", `{"type":"TrioConverter","args":{"numSteps":32,"numSegments":2,"melArgs":{"minPitch":0,"maxPitch":127},"bassArgs":{"minPitch":21,"maxPitch":108},"drumsArgs":{}}}`, "melArgs with pitches 0..127"},
		{"mel_hier", `{"type":"MelodyConverter","args":{"numSteps":64,"minPitch":21,"maxPitch":108,"numSegments":3}}`, "does not divide"},
	} {
		dir := exportWith(t, c.family, c.conv)
		_, err := File(dir, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), filepath.Join(dir, MagentaConfigFile)) {
			t.Errorf("%s with %s: %v, want %q naming config.json", c.family, c.conv, err, c.want)
		}
	}
}

// TestMagentaConverterRecorded: the converter is kept verbatim (compacted),
// with useBooleanDecoder, and magenta.js's own pitch classes are accepted.
func TestMagentaConverterRecorded(t *testing.T) {
	own, _ := json.Marshal([][]int{{36, 35}, {38, 27, 28, 31, 32, 33, 34, 37, 39, 40, 56, 65, 66, 75, 85},
		{42, 44, 54, 68, 69, 70, 71, 73, 78, 80}, {46, 67, 72, 74, 79, 81}, {45, 29, 41, 61, 64, 84},
		{48, 47, 60, 63, 77, 86, 87}, {50, 30, 43, 62, 76, 83}, {49, 55, 57, 58}, {51, 52, 53, 59, 82}})
	conv := `{"type": "DrumsConverter", "args": {"numSteps": 32, "pitchClasses": ` + string(own) + `}}`
	dir := exportWith(t, "drums_2bar", "")
	os.WriteFile(filepath.Join(dir, MagentaConfigFile), []byte(`{"type":"MusicVAE","useBooleanDecoder":true,"dataConverter":`+conv+`}`), 0o644)
	r, err := File(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := r.Config.Magenta
	if !m.UseBooleanDecoder || !strings.Contains(string(m.Converter), `"pitchClasses":[[36,35]`) || strings.Contains(string(m.Converter), " ") {
		t.Errorf("recorded %+v (%s)", m, m.Converter)
	}
	if r.Config.DrumMap != "magenta" || r.Config.EncoderInput != "roll" || r.Config.EncoderIn() != 10 {
		t.Errorf("config %s", r.Config.JSON())
	}
}

// TestMagentaOptions: flags that contradict the checkpoint are refused;
// free bits and max beta are taken.
func TestMagentaOptions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mel")
	if err := craft.MagentaMel(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := File(dir, Options{Bars: 4}); err == nil || !strings.Contains(err.Error(), "bars 4") {
		t.Errorf("--bars 4: %v", err)
	}
	if _, err := File(dir, Options{DrumMap: "roland"}); err == nil || !strings.Contains(err.Error(), "drum-map") {
		t.Errorf("--drum-map roland: %v", err)
	}
	fb, mb := 0.0, 0.5
	r, err := File(dir, Options{FreeBits: &fb, MaxBeta: &mb})
	if err != nil || r.Config.FreeBits != 0 || r.Config.MaxBeta != 0.5 {
		t.Errorf("free bits: %v %+v", err, r)
	}
	want := *model.TinyFamilies()["mel_2bar"]
	want.FreeBits = 7
	if _, err := File(dir, Options{Config: &want}); err != nil {
		t.Errorf("--config the same: %v", err)
	}
	want.Bars = 4
	if _, err := File(dir, Options{Config: &want}); err == nil || !strings.Contains(err.Error(), "bars") {
		t.Errorf("--config with other bars: %v", err)
	}
}

// TestMagentaGroups reads a manifest of two groups, each with its own
// shards, a tensor straddling two shards.
func TestMagentaGroups(t *testing.T) {
	src := filepath.Join(t.TempDir(), "mel")
	if err := craft.MagentaMel(src); err != nil {
		t.Fatal(err)
	}
	want, err := File(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := craft.ReadMagentaManifest(src)
	if err != nil {
		t.Fatal(err)
	}
	shard, _ := os.ReadFile(filepath.Join(src, "group1-shard1of1"))
	const split = 4 // the encoder's four tensors in the first group
	n := 0
	for _, w := range m[0].Weights[:split] {
		k := 4
		for _, d := range w["shape"].([]any) {
			k *= int(d.(float64))
		}
		n += k
	}
	dir := filepath.Join(t.TempDir(), "two")
	os.Mkdir(dir, 0o755)
	g1 := craft.MagentaGroup{Paths: []string{"a1", "a2"}, Weights: m[0].Weights[:split]}
	g2 := craft.MagentaGroup{Paths: []string{"b1"}, Weights: m[0].Weights[split:]}
	os.WriteFile(filepath.Join(dir, "a1"), shard[:n/2+1], 0o644)
	os.WriteFile(filepath.Join(dir, "a2"), shard[n/2+1:n], 0o644)
	os.WriteFile(filepath.Join(dir, "b1"), shard[n:], 0o644)
	os.WriteFile(filepath.Join(dir, MagentaConfigFile), []byte(craft.MagentaMelConfig), 0o644)
	if err := craft.WriteMagentaManifest(dir, []craft.MagentaGroup{g1, g2}); err != nil {
		t.Fatal(err)
	}
	got, err := File(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range want.Weights {
		if !slices.Equal(got.Weights[name].Data, w.Data) {
			t.Fatalf("%s differs when read from two groups", name)
		}
	}
	if got.Provenance.SourceSHA256 == want.Provenance.SourceSHA256 {
		t.Error("two different folders, one digest")
	}
}

// TestQuoteNonFinite: Python's bare NaN and infinities become strings, and
// nothing inside a string changes.
func TestQuoteNonFinite(t *testing.T) {
	for in, want := range map[string]string{
		`[NaN, -Infinity, Infinity]`:      `["NaN", "-Infinity", "Infinity"]`,
		`{"name":"a NaN \"Infinity\" b"}`: `{"name":"a NaN \"Infinity\" b"}`,
		`{"min":NaN}`:                     `{"min":"NaN"}`,
		`"\\"NaN`:                         `"\\""NaN"`,
	} {
		if got := string(quoteNonFinite([]byte(in))); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

package model

import (
	"strings"
	"testing"
)

func TestTinyFamiliesAreValid(t *testing.T) {
	for name, c := range TinyFamilies() {
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		back, err := ParseConfig(c.JSON())
		if err != nil || !back.Equal(c) {
			t.Errorf("%s: the JSON round trip gives %+v, %v", name, back, err)
		}
		if c.IsSpec() {
			t.Errorf("%s uses no extension", name)
		}
	}
}

// The parameter table of Magenta's mel_2bar_small has the shapes of REF §2:
// encoder kernel [90+512, 4·512] is W_ih [2048, 90] and W_hh [2048, 512], and
// so on.
func TestParamsOfMagentaLayouts(t *testing.T) {
	mel := &Config{Format: ConfigFormat, Representation: "melody", StepsPerQuarter: 4, Bars: 2, Segments: 1, InputSize: 90, ZSize: 256,
		Encoder: LSTMSize{Hidden: 512, Layers: 1}, Decoder: LSTMSize{Hidden: 256, Layers: 2}}
	if err := mel.Validate(); err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		"encoder.lstm.weight_ih_l0": {2048, 90}, "encoder.lstm.weight_hh_l0_reverse": {2048, 512},
		"encoder.mu.weight": {256, 1024}, "decoder.init.weight": {1024, 256},
		"decoder.lstm.weight_ih_l0": {1024, 90 + 256}, "decoder.lstm.weight_ih_l1": {1024, 256},
		"decoder.out.weight": {90, 256},
	}
	got := map[string][]int{}
	for _, p := range mel.Params() {
		got[p.Name] = p.Shape
		if strings.HasPrefix(p.Name, "conductor.") {
			t.Errorf("a flat decoder has %s", p.Name)
		}
	}
	for n, s := range want {
		if g := got[n]; len(g) != len(s) || g[0] != s[0] || g[1] != s[1] {
			t.Errorf("%s: %v, want %v", n, g, s)
		}
	}
	// Magenta's manifest holds the same values but one bias an LSTM where
	// PyTorch has two (bias_hh is 0 after import): REF §5 gives 17.70 MB of
	// float32 with sigma.
	n := mel.NumParams()
	for _, p := range mel.Params() {
		if strings.Contains(p.Name, ".bias_hh_") {
			n -= p.Shape[0]
		}
	}
	if n*4 < 17_690_000 || n*4 > 17_710_000 {
		t.Errorf("mel_2bar_small: %d Magenta values = %d bytes, REF §5 says 17.70 MB", n, n*4)
	}
	trio := TinyFamilies()["trio_hier"]
	names := map[string]bool{}
	for _, p := range trio.Params() {
		names[p.Name] = true
	}
	for _, n := range []string{"encoder.level0.lstm.weight_ih_l0", "encoder.level1.lstm.weight_ih_l0_reverse", "conductor.init.weight", "decoders.2.lstm.weight_ih_l0", "decoders.0.out.bias"} {
		if !names[n] {
			t.Errorf("trio has no %s", n)
		}
	}
	if names["decoder.out.weight"] || names["encoder.lstm.weight_ih_l0"] {
		t.Error("trio has the names of the one-decoder, flat-encoder layout")
	}
}

func TestFamilyValidation(t *testing.T) {
	for _, tc := range []struct {
		edit func(c *Config)
		want string
	}{
		{func(c *Config) { c.Splits = []int{90, 90, 500} }, "splits"},
		{func(c *Config) { c.EncoderLevels = c.EncoderLevels[:1] }, "encoder_levels"},
		{func(c *Config) { c.EncoderSegments = 3 }, "encoder_segments"},
		{func(c *Config) { c.SamplingOrder = "sideways" }, "sampling_order"},
		{func(c *Config) { c.Conductor = LSTMSize{}; c.Segments = 2 }, "1 segment"},
		{func(c *Config) { c.Encoder = LSTMSize{Hidden: 3, Layers: 1} }, "leaves encoder"},
	} {
		c := TinyFamilies()["trio_hier"]
		tc.edit(c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", c, err, tc.want)
		}
	}
	g := TinyFamilies()["drums_2bar"]
	g.EncoderInputSize = 27
	if err := g.Validate(); err == nil || !strings.Contains(err.Error(), "encoder_input_size") {
		t.Errorf("a roll of 27: %v", err)
	}
	g = TinyFamilies()["mel_2bar"]
	g.GrooveFeedback = "unmasked"
	if err := g.Validate(); err == nil || !strings.Contains(err.Error(), "groove_feedback") {
		t.Errorf("unmasked melody: %v", err)
	}
}

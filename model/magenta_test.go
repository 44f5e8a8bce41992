package model

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/music"
)

// A Magenta model's MusicOptions and WriteOptions carry its parsed converter,
// which reads the model's own windows.
func TestMusicOptionsCarryTheConverter(t *testing.T) {
	for name, c := range TinyFamilies() {
		o := c.MusicOptions()
		if o.Magenta == nil || c.WriteOptions().Magenta == nil {
			t.Fatalf("%s: no converter", name)
		}
		if err := o.Check(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if o.Magenta.Representation() != c.Rep() || o.Magenta.NumSteps != c.T() || o.Magenta.EncoderInput() != music.EncoderInput(c.EncoderInput) {
			t.Errorf("%s: converter %+v", name, o.Magenta)
		}
	}
	c := TinyFamilies()["mel_2bar"]
	c.Magenta = nil
	if c.MusicOptions().Magenta != nil || c.WriteOptions().Magenta != nil {
		t.Error("a model without magenta has a converter")
	}
}

func TestMagentaConverterValidation(t *testing.T) {
	for conv, want := range map[string]string{
		`{"type":"MelodyConverter","args":{"numSteps":64,"minPitch":21,"maxPitch":108}}`: "numSteps 64",
		`{"type":"DrumsConverter","args":{"numSteps":32}}`:                               "reads drums, not melody",
		`{"type":"MultitrackConverter","args":{"numSteps":32}}`:                          "not a converter mvae reads",
		`{"type":"GrooveConverter","args":{"numSteps":32,"tapify":true}}`:                "reads groove",
	} {
		c := TinyFamilies()["mel_2bar"]
		c.Magenta.Converter = json.RawMessage(conv)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", conv, err, want)
		}
	}
	// The converter's encoder input must be the config's.
	c := TinyFamilies()["drums_2bar"]
	c.EncoderInput, c.EncoderInputSize = "", 0
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), `encoder input is "roll"`) {
		t.Errorf("roll: %v", err)
	}
}

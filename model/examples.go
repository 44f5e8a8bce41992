package model

import "encoding/json"

// TinyFamilies returns one small config of every family of
// docs/FAMILIES.md, by name, with the layout of the Magenta checkpoint it
// stands for (sizes shrunk so tests run in milliseconds). Tests of every
// package (runtimes, graphs, importers, training, the magenta.js
// conformance suite) use the same set, so a family added here is tested
// everywhere.
func TinyFamilies() map[string]*Config {
	base := func(rep string, D, bars int) *Config {
		return &Config{Format: ConfigFormat, Representation: rep, DrumMap: "gm", StepsPerQuarter: 4, Bars: bars,
			Segments: 1, InputSize: D, ZSize: 4, Encoder: LSTMSize{Hidden: 8, Layers: 1},
			Decoder: LSTMSize{Hidden: 6, Layers: 2}, FreeBits: 48, MaxBeta: 0.2}
	}
	conv := func(s string) json.RawMessage { return json.RawMessage(s) }
	fs := map[string]*Config{}

	// mel_2bar_small: flat encoder, no conductor.
	c := base("melody", 90, 2)
	c.Magenta = &MagentaInfo{Source: "magenta.js", Converter: conv(`{"type":"MelodyConverter","args":{"numSteps":32,"minPitch":21,"maxPitch":108}}`)}
	fs["mel_2bar"] = c

	// drums_2bar_*_small: a 10-wide roll in, 512 classes out.
	c = base("drums", 512, 2)
	c.DrumMap, c.EncoderInput, c.EncoderInputSize = "magenta", "roll", 10
	c.Magenta = &MagentaInfo{Source: "magenta.js", Converter: conv(`{"type":"DrumsConverter","args":{"numSteps":32}}`)}
	fs["drums_2bar"] = c

	// groovae_4bar: unmasked feedback.
	c = base("groove", 27, 4)
	c.DrumMap, c.GrooveFeedback = "magenta", "unmasked"
	c.Magenta = &MagentaInfo{Source: "magenta.js", Converter: conv(`{"type":"GrooveConverter","args":{"numSteps":64}}`)}
	fs["groove_4bar"] = c

	// groovae_2bar_humanize and tap2drum_2bar: the encoder sees less.
	for name, in := range map[string]string{"groove_2bar_humanize": "humanize", "tap2drum_2bar": "tapify"} {
		c = base("groove", 27, 2)
		c.DrumMap, c.GrooveFeedback, c.EncoderInput = "magenta", "unmasked", in
		c.Magenta = &MagentaInfo{Source: "magenta.js", Converter: conv(`{"type":"GrooveConverter","args":{"numSteps":32,"` + in + `":true}}`)}
		fs[name] = c
	}

	// mel_16bar_small: a two-level hierarchical encoder and a conductor.
	c = base("melody", 90, 4)
	c.Encoder, c.EncoderLevels, c.EncoderSegments = LSTMSize{}, []LSTMSize{{Hidden: 8, Layers: 1}, {Hidden: 7, Layers: 1}}, 4
	c.Segments, c.Conductor = 4, LSTMSize{Hidden: 5, Layers: 2}
	c.Magenta = &MagentaInfo{Source: "magenta.js", Converter: conv(`{"type":"MelodyConverter","args":{"numSteps":64,"minPitch":21,"maxPitch":108,"numSegments":4}}`)}
	fs["mel_hier"] = c

	// trio_4bar: hierarchical encoder, conductor, three split decoders
	// sampled split by split.
	c = base("trio", 692, 2)
	c.DrumMap = "magenta"
	c.Encoder, c.EncoderLevels, c.EncoderSegments = LSTMSize{}, []LSTMSize{{Hidden: 8, Layers: 1}, {Hidden: 7, Layers: 1}}, 2
	c.Segments, c.Conductor = 2, LSTMSize{Hidden: 5, Layers: 2}
	c.Splits, c.SamplingOrder = []int{90, 90, 512}, "split"
	c.Magenta = &MagentaInfo{Source: "magenta.js", Converter: conv(`{"type":"TrioConverter","args":{"numSteps":32,"numSegments":2,"melArgs":{"minPitch":21,"maxPitch":108},"bassArgs":{"minPitch":21,"maxPitch":108},"drumsArgs":{}}}`)}
	fs["trio_hier"] = c

	// TF's hierdec-mel_16bar: the spec's own layout (2-layer flat encoder,
	// conductor), as a magenta.js-format checkpoint.
	c = base("melody", 90, 4)
	c.Encoder, c.Segments, c.Conductor = LSTMSize{Hidden: 8, Layers: 2}, 4, LSTMSize{Hidden: 5, Layers: 2}
	c.Magenta = &MagentaInfo{Source: "tf", Converter: conv(`{"type":"MelodyConverter","args":{"numSteps":64,"minPitch":21,"maxPitch":108,"numSegments":4}}`)}
	fs["hierdec_mel"] = c
	return fs
}

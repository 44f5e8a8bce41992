// Package model holds what every part of mvae says about one MusicVAE: its
// mvae/1 config (spec §5), the table of its canonical parameters (PyTorch
// state_dict names and shapes, spec §2), its weights, and the bundle file
// (NAME.mvae) that carries them (and, when asked, the ONNX graphs built from
// them).
package model

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/musicvae-go/mvae/music"
)

// ConfigFormat is the config's format tag.
const ConfigFormat = "mvae/1"

// LSTMSize is the hidden size and layer count of one LSTM stack.
type LSTMSize struct {
	Hidden int `json:"hidden"`
	Layers int `json:"layers"`
}

// Config is the mvae/1 config (spec §5), as it travels in mvae.config.
type Config struct {
	Format          string   `json:"format"`
	Representation  string   `json:"representation"`
	DrumMap         string   `json:"drum_map"`
	StepsPerQuarter int      `json:"steps_per_quarter"`
	Bars            int      `json:"bars"`
	Segments        int      `json:"segments"`
	InputSize       int      `json:"input_size"`
	ZSize           int      `json:"z_size"`
	Encoder         LSTMSize `json:"encoder"`
	Conductor       LSTMSize `json:"conductor"`
	Decoder         LSTMSize `json:"decoder"`
	FreeBits        float64  `json:"free_bits"`
	MaxBeta         float64  `json:"max_beta"`

	// The families of docs/FAMILIES.md: each zero value is the spec exactly.

	// EncoderInputSize is D_in, the depth of the encoder's input; 0: InputSize.
	EncoderInputSize int `json:"encoder_input_size,omitempty"`
	// EncoderInput says how tokens become the encoder's input: "" (as
	// they are), "roll", "humanize" or "tapify" (music.EncoderInput).
	EncoderInput string `json:"encoder_input,omitempty"`
	// EncoderLevels, when set, make a hierarchical encoder: one bidirectional
	// LSTM stack a level; Encoder is then {0, 0}.
	EncoderLevels []LSTMSize `json:"encoder_levels,omitempty"`
	// EncoderSegments is how many pieces level 0 of a hierarchical encoder
	// reads the window in.
	EncoderSegments int `json:"encoder_segments,omitempty"`
	// Splits are the depths of split decoders (they add up to InputSize);
	// empty: one decoder.
	Splits []int `json:"splits,omitempty"`
	// GrooveFeedback is "" or "masked" (the spec), or "unmasked" (Magenta).
	GrooveFeedback string `json:"groove_feedback,omitempty"`
	// SamplingOrder is "" or "step" (the spec), or "split" (Magenta's trio).
	SamplingOrder string `json:"sampling_order,omitempty"`
	// Magenta records a Magenta model's origin and MIDI converter.
	Magenta *MagentaInfo `json:"magenta,omitempty"`
}

// MagentaInfo is what a model imported from Magenta keeps of its origin:
// the magenta.js data converter (config.json's dataConverter), which reads
// and writes its MIDI, and where it came from ("magenta.js" or "tf").
type MagentaInfo struct {
	Converter         json.RawMessage `json:"converter"`
	UseBooleanDecoder bool            `json:"use_boolean_decoder,omitempty"`
	Source            string          `json:"source"`
}

// Limits on sizes, so that a hostile file cannot make mvae allocate without
// bound before its weights are read.
const (
	MaxHidden = 8192
	MaxLayers = 16
	MaxZ      = 8192
	MaxBars   = 64
)

// T is the number of steps, 16 a bar.
func (c *Config) T() int { return music.StepsPerBar * c.Bars }

// S is the number of steps a segment.
func (c *Config) S() int { return c.T() / c.Segments }

// EncoderIn is D_in, the depth of the encoder's input.
func (c *Config) EncoderIn() int {
	if c.EncoderInputSize > 0 {
		return c.EncoderInputSize
	}
	return c.InputSize
}

// HasConductor reports whether the decoder is hierarchical (spec §2); a flat
// decoder is conditioned on z itself.
func (c *Config) HasConductor() bool { return c.Conductor.Layers > 0 }

// Hierarchical reports whether the encoder has levels.
func (c *Config) Hierarchical() bool { return len(c.EncoderLevels) > 0 }

// CondWidth is C, the width of what each decoder is conditioned on: the
// conductor's hidden size, or Z without a conductor.
func (c *Config) CondWidth() int {
	if c.HasConductor() {
		return c.Conductor.Hidden
	}
	return c.ZSize
}

// SplitDepths are the output depths of the decoders: Splits, or the one
// decoder's InputSize.
func (c *Config) SplitDepths() []int {
	if len(c.Splits) > 0 {
		return c.Splits
	}
	return []int{c.InputSize}
}

// DecoderPrefix is the parameter prefix of decoder i: "decoder" for the one
// decoder, "decoders.i" for split decoders.
func (c *Config) DecoderPrefix(i int) string {
	if len(c.Splits) > 0 {
		return fmt.Sprintf("decoders.%d", i)
	}
	return "decoder"
}

// MaskedFeedback reports whether a groove step fed back is multiplied by its
// hit (the spec), not Magenta's unmasked [hit, σ, tanh].
func (c *Config) MaskedFeedback() bool { return c.GrooveFeedback != "unmasked" }

// SplitOrder reports whether a segment draws all steps of one split before
// the next (Magenta's trio), not step by step.
func (c *Config) SplitOrder() bool { return c.SamplingOrder == "split" }

// IsSpec reports whether the config uses no extension of docs/FAMILIES.md.
func (c *Config) IsSpec() bool {
	return c.EncoderInputSize == 0 && c.EncoderInput == "" && !c.Hierarchical() && c.HasConductor() &&
		len(c.Splits) == 0 && c.MaskedFeedback() && !c.SplitOrder() && c.Magenta == nil
}

// Rep is the representation.
func (c *Config) Rep() music.Representation { return music.Representation(c.Representation) }

// MusicOptions are the options that turn MIDI into this model's windows: a
// Magenta model's carry its magenta.js converter, which reads the MIDI.
func (c *Config) MusicOptions() music.Options {
	conv := c.Converter()
	return music.Options{Representation: c.Rep(), Bars: c.Bars, DrumMap: c.drumMap(conv), Channel: -1, Magenta: conv}
}

// drumMap is the drum map the model reads and writes: its converter's, or
// the one drum_map names.
func (c *Config) drumMap(conv *music.MagentaConverter) *music.DrumMap {
	if conv != nil && conv.DrumMap != nil {
		return conv.DrumMap
	}
	m, _ := music.DrumMapByName(c.DrumMap)
	return m
}

// WriteOptions are the options that write this model's windows as MIDI
// (through its magenta.js converter for a Magenta model); the caller sets
// the tempo and the name.
func (c *Config) WriteOptions() music.WriteOptions {
	conv := c.Converter()
	return music.WriteOptions{Representation: c.Rep(), DrumMap: c.drumMap(conv), Magenta: conv}
}

// Converter is a Magenta model's magenta.js data converter, nil for other
// models (and for a config whose converter does not parse: Validate says why).
func (c *Config) Converter() *music.MagentaConverter {
	if c.Magenta == nil {
		return nil
	}
	conv, err := music.ParseMagentaConverter(c.Magenta.Converter)
	if err != nil {
		return nil
	}
	return conv
}

// Validate checks the config on its own. Errors say which field is wrong.
func (c *Config) Validate() error {
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	if c.Format != ConfigFormat {
		bad("format is %q, want %q", c.Format, ConfigFormat)
	}
	rep, err := music.ParseRepresentation(c.Representation)
	if err != nil {
		bad("%v", err)
	} else if c.InputSize != rep.Depth() {
		bad("input_size %d does not fit %s (D=%d)", c.InputSize, rep, rep.Depth())
	}
	if err != nil {
		rep = ""
	}
	c.validateInput(rep, bad)
	if _, err := music.DrumMapByName(c.DrumMap); err != nil {
		bad("%v", err)
	}
	if c.StepsPerQuarter != music.StepsPerQuarter {
		bad("steps_per_quarter is %d; mvae/1 knows 4", c.StepsPerQuarter)
	}
	if c.Bars < 1 || c.Bars > MaxBars {
		bad("bars %d out of 1..%d", c.Bars, MaxBars)
	}
	if c.Segments < 1 || c.Bars >= 1 && c.T()%c.Segments != 0 {
		bad("segments %d do not divide %d steps", c.Segments, c.T())
	}
	if c.ZSize < 1 || c.ZSize > MaxZ {
		bad("z_size %d out of 1..%d", c.ZSize, MaxZ)
	}
	sizes := []struct {
		name string
		s    LSTMSize
	}{{"decoder", c.Decoder}}
	if c.Hierarchical() {
		if c.Encoder != (LSTMSize{}) {
			bad("a hierarchical encoder (encoder_levels) leaves encoder at {0, 0}, not %v", c.Encoder)
		}
		if len(c.EncoderLevels) != 2 {
			bad("encoder_levels: %d levels; a hierarchical encoder has 2 (docs/FAMILIES.md §1)", len(c.EncoderLevels))
		}
		for i, l := range c.EncoderLevels {
			sizes = append(sizes, struct {
				name string
				s    LSTMSize
			}{fmt.Sprintf("encoder level %d", i), l})
		}
		if c.EncoderSegments < 1 || c.Bars >= 1 && c.T()%c.EncoderSegments != 0 {
			bad("encoder_segments %d do not divide %d steps", c.EncoderSegments, c.T())
		}
	} else {
		sizes = append(sizes, struct {
			name string
			s    LSTMSize
		}{"encoder", c.Encoder})
		if c.EncoderSegments != 0 {
			bad("encoder_segments %d without encoder_levels", c.EncoderSegments)
		}
	}
	if c.HasConductor() {
		sizes = append(sizes, struct {
			name string
			s    LSTMSize
		}{"conductor", c.Conductor})
	} else {
		if c.Conductor.Hidden != 0 || c.Conductor.Layers < 0 {
			bad("no conductor is {0, 0}, not %v", c.Conductor)
		}
		if c.Segments != 1 {
			bad("a flat decoder (no conductor) has 1 segment, not %d", c.Segments)
		}
	}
	for _, p := range sizes {
		if p.s.Hidden < 1 || p.s.Hidden > MaxHidden {
			bad("%s hidden %d out of 1..%d", p.name, p.s.Hidden, MaxHidden)
		}
		if p.s.Layers < 1 || p.s.Layers > MaxLayers {
			bad("%s layers %d out of 1..%d", p.name, p.s.Layers, MaxLayers)
		}
	}
	c.validateFamily(bad)
	c.validateMagenta(bad)
	if c.FreeBits < 0 {
		bad("free_bits %v is negative", c.FreeBits)
	}
	if c.MaxBeta < 0 {
		bad("max_beta %v is negative", c.MaxBeta)
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid mvae/1 config: %s", strings.Join(errs, "; "))
	}
	return nil
}

// ParseConfig reads a config from JSON (extra keys, such as a training
// record, are allowed) and validates it.
func ParseConfig(data []byte) (*Config, error) {
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("config is not valid JSON: %v", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// JSON is the config as mvae writes it.
func (c *Config) JSON() []byte {
	b, _ := json.Marshal(c)
	return b
}

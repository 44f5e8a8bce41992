// Package model holds what every part of mvae says about one MusicVAE: its
// mvae/1 config (spec §5), the table of its canonical parameters (PyTorch
// state_dict names and shapes, spec §2), its weights, and the bundle file
// (NAME.mvae) that carries them with the ONNX graphs the runtimes need.
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

// Rep is the representation.
func (c *Config) Rep() music.Representation { return music.Representation(c.Representation) }

// MusicOptions are the options that turn MIDI into this model's windows.
func (c *Config) MusicOptions() music.Options {
	m, _ := music.DrumMapByName(c.DrumMap)
	return music.Options{Representation: c.Rep(), Bars: c.Bars, DrumMap: m, Channel: -1}
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
	for _, p := range []struct {
		name string
		s    LSTMSize
	}{{"encoder", c.Encoder}, {"conductor", c.Conductor}, {"decoder", c.Decoder}} {
		if p.s.Hidden < 1 || p.s.Hidden > MaxHidden {
			bad("%s hidden %d out of 1..%d", p.name, p.s.Hidden, MaxHidden)
		}
		if p.s.Layers < 1 || p.s.Layers > MaxLayers {
			bad("%s layers %d out of 1..%d", p.name, p.s.Layers, MaxLayers)
		}
	}
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

package bench

import (
	"fmt"
	"slices"
	"strings"

	"github.com/musicvae-go/mvae/model"
)

// Presets are the models mvae bench builds in memory with random weights,
// by name: small, the size of mvae's own models (graphs/torch's
// make_config defaults), and seed, Magenta's large hierarchical size
// (about 175M parameters).
var presets = map[string]func() *model.Config{
	"small": func() *model.Config {
		return groove(model.LSTMSize{Hidden: 192, Layers: 2}, 64, model.LSTMSize{Hidden: 128, Layers: 1}, model.LSTMSize{Hidden: 160, Layers: 2}, 4)
	},
	"seed": func() *model.Config {
		return groove(model.LSTMSize{Hidden: 2048, Layers: 2}, 512, model.LSTMSize{Hidden: 1024, Layers: 2}, model.LSTMSize{Hidden: 1024, Layers: 2}, 16)
	},
}

func groove(enc model.LSTMSize, z int, cond, dec model.LSTMSize, segments int) *model.Config {
	return &model.Config{Format: model.ConfigFormat, Representation: "groove", DrumMap: "gm", StepsPerQuarter: 4,
		Bars: 4, Segments: segments, InputSize: 27, ZSize: z, Encoder: enc, Conductor: cond, Decoder: dec,
		FreeBits: 48, MaxBeta: 0.2}
}

// PresetNames lists the presets, sorted.
func PresetNames() []string {
	var out []string
	for n := range presets {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Preset is the config of a preset.
func Preset(name string) (*model.Config, error) {
	p, ok := presets[name]
	if !ok {
		return nil, fmt.Errorf("unknown preset %q (want %s)", name, strings.Join(PresetNames(), " or "))
	}
	return p(), nil
}

// RandomBundle is an in-memory bundle of config c with seeded random
// weights (model.RandomBundle). Speed does not depend on the values.
func RandomBundle(c *model.Config, seed uint64) (*model.Bundle, error) {
	return model.RandomBundle(c, seed)
}

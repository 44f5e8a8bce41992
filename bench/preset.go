package bench

import (
	"fmt"
	"math"
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
// weights: uniform in ±1/√in for a matrix of in columns (PyTorch's LSTM and
// linear initialisation, near enough), ±0.1 for a bias. Speed does not
// depend on the values; finite, moderate ones keep the sampler honest.
func RandomBundle(c *model.Config, seed uint64) (*model.Bundle, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	w := model.Weights{}
	for i, p := range c.Params() {
		t := model.NewTensorOf(p.Shape)
		a := float32(0.1)
		if len(p.Shape) == 2 {
			a = float32(1 / math.Sqrt(float64(p.Shape[1])))
		}
		s := seed*0x9E3779B97F4A7C15 + uint64(i+1)*0xBF58476D1CE4E5B9
		for k := range t.Data {
			s += 0x9E3779B97F4A7C15
			z := s
			z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
			z = (z ^ z>>27) * 0x94D049BB133111EB
			z ^= z >> 31
			t.Data[k] = a * (float32(z>>40)/(1<<23) - 1) // uniform in [-a, a)
		}
		w[p.Name] = t
	}
	return model.NewBundle(model.Manifest{Format: model.BundleFormat, Config: c, Weights: "weights.safetensors", WeightsDType: "float32"}, w, nil), nil
}

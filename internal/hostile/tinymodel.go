package hostile

import (
	"math"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/model"
)

// tinyConfig is a small groove MusicVAE: the crafted files are variations of
// it, so that everything but the hostile part is valid.
func tinyConfig() *model.Config {
	return &model.Config{Format: model.ConfigFormat, Representation: "groove", DrumMap: "gm", StepsPerQuarter: 4,
		Bars: 1, Segments: 2, InputSize: 27, ZSize: 4,
		Encoder: model.LSTMSize{Hidden: 3, Layers: 1}, Conductor: model.LSTMSize{Hidden: 3, Layers: 1},
		Decoder: model.LSTMSize{Hidden: 3, Layers: 1}, FreeBits: 48, MaxBeta: 0.2}
}

// tinyWeights are deterministic small weights for a config.
func tinyWeights(c *model.Config) model.Weights {
	w := model.Weights{}
	x := uint32(7)
	for _, p := range c.Params() {
		t := model.NewTensorOf(p.Shape)
		for i := range t.Data {
			x = x*1664525 + 1013904223
			t.Data[i] = float32(int32(x>>8)%2000-1000) / 4000
		}
		w[p.Name] = t
	}
	return w
}

// tinyFull is the tiny model's teacher-forced graph, as a user exports it.
func tinyFull() *graphs.Model {
	c := tinyConfig()
	return graphs.BuildFull(c, tinyWeights(c))
}

// firstNode returns the graph's first node of an operator type.
func firstNode(m *graphs.Model, op string) *graphs.Node {
	for _, n := range m.Graph.Nodes {
		if n.OpType == op {
			return n
		}
	}
	panic("hostile: the tiny graph has no " + op)
}

// nan is a float32 NaN.
var nan = float32(math.NaN())

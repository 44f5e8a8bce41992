package graphs_test

import (
	"os"
	"testing"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/internal/hostile"
)

// FuzzReadModel: arbitrary bytes never panic the ONNX reader, and never make
// it allocate beyond its limits. Seeds: testdata/fuzz/FuzzReadModel, a small
// graph, the fixture graphs and the crafted graphs of internal/hostile.
func FuzzReadModel(f *testing.F) {
	tiny := &graphs.Model{IRVersion: 8, Opset: 17, Graph: &graphs.Graph{
		Nodes:        []*graphs.Node{{OpType: "LSTM", Inputs: []string{"x", "W", "R"}, Outputs: []string{"y"}, Attrs: []*graphs.Attr{graphs.IntAttr("hidden_size", 1), graphs.StringAttr("direction", "forward")}}},
		Initializers: []*graphs.Tensor{{Name: "W", Dims: []int64{1, 4, 1}, Float: []float32{1, 2, 3, 4}}, {Name: "R", Dims: []int64{1, 4, 1}, Float: []float32{1, 2, 3, 4}}},
		Inputs:       []*graphs.ValueInfo{{Name: "x", ElemType: graphs.Float32, Dims: []int64{-1, 1, 1}}},
	}, Metadata: [][2]string{{"mvae.config", "{}"}}}
	f.Add(tiny.Marshal())
	for _, p := range []string{"../testdata/models/drums/model_opset13.onnx"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, b := range hostile.ONNXSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := graphs.ReadModel(data)
		if err != nil {
			return
		}
		x := graphs.NewIndex(m.Graph)
		for _, n := range m.Graph.Nodes {
			for _, in := range n.Inputs {
				x.Const(in)
			}
		}
	})
}

package graphs

import (
	"os"
	"testing"
)

// FuzzReadModel: arbitrary bytes never panic the ONNX reader, and never make
// it allocate beyond its limits. Seeds: testdata/fuzz/FuzzReadModel plus a
// small graph and the fixture graphs.
func FuzzReadModel(f *testing.F) {
	tiny := &Model{IRVersion: 8, Opset: 17, Graph: &Graph{
		Nodes:        []*Node{{OpType: "LSTM", Inputs: []string{"x", "W", "R"}, Outputs: []string{"y"}, Attrs: []*Attr{IntAttr("hidden_size", 1), StringAttr("direction", "forward")}}},
		Initializers: []*Tensor{{Name: "W", Dims: []int64{1, 4, 1}, Float: []float32{1, 2, 3, 4}}, {Name: "R", Dims: []int64{1, 4, 1}, Float: []float32{1, 2, 3, 4}}},
		Inputs:       []*ValueInfo{{Name: "x", ElemType: Float32, Dims: []int64{-1, 1, 1}}},
	}, Metadata: [][2]string{{"mvae.config", "{}"}}}
	f.Add(tiny.Marshal())
	for _, p := range []string{"../testdata/models/drums/model_opset13.onnx"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ReadModel(data)
		if err != nil {
			return
		}
		x := NewIndex(m.Graph)
		for _, n := range m.Graph.Nodes {
			for _, in := range n.Inputs {
				x.Const(in)
			}
		}
	})
}

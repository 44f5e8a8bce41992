package hostile

import (
	"path/filepath"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/musicvae-go/mvae/graphs"
)

// The ONNX reader and importer: graphs whose nodes lack the inputs or outputs
// the importer looks at, non-finite weights, tensors stored outside the file.

// onnxCase registers a crafted .onnx run through `mvae ARGS... FILE`.
func onnxCase(name string, make func() []byte, want []string, args ...string) {
	Register(Case{
		Name: "onnx/" + name,
		Make: func(dir string) ([]string, string, error) {
			p, err := writeFile(dir, "model.onnx", make())
			if err != nil {
				return nil, "", err
			}
			a := append(append([]string{}, args...), p)
			if args[0] == "import" {
				a = append(a, "-o", filepath.Join(dir, "out.mvae"), "--no-verify")
			}
			return a, p, nil
		},
		Want: want,
	})
}

// mutated is the tiny graph changed by f.
func mutated(f func(m *graphs.Model)) func() []byte {
	return func() []byte {
		m := tinyFull()
		f(m)
		return m.Marshal()
	}
}

// feedLSTMWeight puts a node before the first LSTM's W: the node's output
// replaces W as the LSTM's input.
func feedLSTMWeight(m *graphs.Model, n *graphs.Node) {
	l := firstNode(m, "LSTM")
	n.Outputs = []string{"w_fed"}
	m.Graph.Nodes = append([]*graphs.Node{n}, m.Graph.Nodes...)
	l.Inputs[1] = "w_fed"
}

// externalTensorModel is a model whose one initializer keeps its data in a
// file beside the model (ONNX external data) named secret.txt.
func externalTensorModel() []byte {
	return modelOfGraph(externalTensorGraph())
}

// externalInSubgraph is a model whose one node, an If, holds in its
// then_branch a graph whose initializer is in secret.txt.
func externalInSubgraph() []byte {
	var a []byte
	a = protowire.AppendTag(a, 1, protowire.BytesType)
	a = protowire.AppendString(a, "then_branch")
	a = protowire.AppendTag(a, 6, protowire.BytesType)
	a = protowire.AppendBytes(a, externalTensorGraph())
	a = protowire.AppendTag(a, 20, protowire.VarintType)
	a = protowire.AppendVarint(a, 5) // GRAPH
	var n []byte
	n = protowire.AppendTag(n, 1, protowire.BytesType)
	n = protowire.AppendString(n, "cond")
	n = protowire.AppendTag(n, 2, protowire.BytesType)
	n = protowire.AppendString(n, "y")
	n = protowire.AppendTag(n, 4, protowire.BytesType)
	n = protowire.AppendString(n, "If")
	n = protowire.AppendTag(n, 5, protowire.BytesType)
	n = protowire.AppendBytes(n, a)
	var g []byte
	g = protowire.AppendTag(g, 1, protowire.BytesType)
	g = protowire.AppendBytes(g, n)
	return modelOfGraph(g)
}

// ifNode is a GraphProto whose one node is an If holding graph g as its
// then_branch.
func ifNode(g []byte) []byte {
	var a []byte
	a = protowire.AppendTag(a, 1, protowire.BytesType)
	a = protowire.AppendString(a, "then_branch")
	a = protowire.AppendTag(a, 6, protowire.BytesType)
	a = protowire.AppendBytes(a, g)
	var n []byte
	n = protowire.AppendTag(n, 4, protowire.BytesType)
	n = protowire.AppendString(n, "If")
	n = protowire.AppendTag(n, 5, protowire.BytesType)
	n = protowire.AppendBytes(n, a)
	var out []byte
	out = protowire.AppendTag(out, 1, protowire.BytesType)
	return protowire.AppendBytes(out, n)
}

// deepGraphs nests If nodes 64 deep.
func deepGraphs() []byte {
	var g []byte
	for i := 0; i < 64; i++ {
		g = ifNode(g)
	}
	return modelOfGraph(g)
}

// manyNodes is a graph of 2^20 + 1 empty nodes, 2 MiB.
func manyNodes() []byte {
	g := make([]byte, 0, 2*(1<<20+1))
	for i := 0; i <= 1<<20; i++ {
		g = protowire.AppendTag(g, 1, protowire.BytesType)
		g = protowire.AppendVarint(g, 0)
	}
	return modelOfGraph(g)
}

// modelOfGraph wraps GraphProto bytes in a ModelProto of opset 17.
func modelOfGraph(g []byte) []byte {
	var op []byte
	op = protowire.AppendTag(op, 2, protowire.VarintType)
	op = protowire.AppendVarint(op, 17)
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, 8)
	b = protowire.AppendTag(b, 7, protowire.BytesType)
	b = protowire.AppendBytes(b, g)
	b = protowire.AppendTag(b, 8, protowire.BytesType)
	b = protowire.AppendBytes(b, op)
	return b
}

// externalTensorGraph is a GraphProto whose one initializer is in secret.txt.
func externalTensorGraph() []byte {
	var kv []byte
	kv = protowire.AppendTag(kv, 1, protowire.BytesType)
	kv = protowire.AppendString(kv, "location")
	kv = protowire.AppendTag(kv, 2, protowire.BytesType)
	kv = protowire.AppendString(kv, "secret.txt")
	var t []byte
	t = protowire.AppendTag(t, 1, protowire.VarintType)
	t = protowire.AppendVarint(t, 4)
	t = protowire.AppendTag(t, 2, protowire.VarintType)
	t = protowire.AppendVarint(t, graphs.Float32)
	t = protowire.AppendTag(t, 8, protowire.BytesType)
	t = protowire.AppendString(t, "encoder.mu.weight")
	t = protowire.AppendTag(t, 13, protowire.BytesType)
	t = protowire.AppendBytes(t, kv)
	t = protowire.AppendTag(t, 14, protowire.VarintType)
	t = protowire.AppendVarint(t, 1)
	var g []byte
	g = protowire.AppendTag(g, 5, protowire.BytesType)
	g = protowire.AppendBytes(g, t)
	return g
}

// ONNXSeeds are the small crafted graphs (all but too-many-nodes), for the
// fuzz corpora.
func ONNXSeeds() map[string][]byte {
	out := map[string][]byte{}
	for _, s := range onnxSeeds {
		out[s.name] = s.make()
	}
	return out
}

type onnxSeed struct {
	name string
	make func() []byte
	want []string
}

var onnxSeeds = []onnxSeed{
	{"gemm-no-output", mutated(func(m *graphs.Model) { firstNode(m, "Gemm").Outputs = nil }), []string{"Gemm", "no output"}},
	{"matmul-no-output", mutated(func(m *graphs.Model) { firstNode(m, "MatMul").Outputs = nil }), []string{"MatMul", "no output"}},
	{"add-no-output", mutated(func(m *graphs.Model) {
		mm := firstNode(m, "MatMul")
		for _, n := range m.Graph.Nodes {
			if n.OpType == "Add" && len(n.Inputs) == 2 && n.Inputs[0] == mm.Outputs[0] {
				n.Outputs = nil
			}
		}
	}), []string{"Add", "no output"}},
	{"identity-no-input", mutated(func(m *graphs.Model) {
		feedLSTMWeight(m, &graphs.Node{OpType: "Identity", Name: "id"})
	}), []string{"not constants"}},
	{"transpose-no-input", mutated(func(m *graphs.Model) {
		feedLSTMWeight(m, &graphs.Node{OpType: "Transpose", Name: "tr"})
	}), []string{"not constants"}},
	{"concat-empty-input", mutated(func(m *graphs.Model) {
		feedLSTMWeight(m, &graphs.Node{OpType: "Concat", Name: "cat", Inputs: []string{"", "encoder.lstm.l0.onnx.W"}, Attrs: []*graphs.Attr{graphs.IntAttr("axis", 0)}})
	}), []string{"not constants"}},
	{"concat-doubling", mutated(func(m *graphs.Model) {
		// Each Concat joins the one before with itself: 2^60 values.
		prev := "encoder.lstm.l0.onnx.W"
		var ns []*graphs.Node
		for i := 0; i < 60; i++ {
			out := "dbl" + string(rune('A'+i%26)) + string(rune('a'+i/26))
			ns = append(ns, &graphs.Node{OpType: "Concat", Name: out, Inputs: []string{prev, prev}, Outputs: []string{out}, Attrs: []*graphs.Attr{graphs.IntAttr("axis", 0)}})
			prev = out
		}
		m.Graph.Nodes = append(ns, m.Graph.Nodes...)
		firstNode(m, "LSTM").Inputs[1] = prev
	}), []string{"folding constants"}},
	{"nan-weight", mutated(func(m *graphs.Model) {
		for _, t := range m.Graph.Initializers {
			if t.Name == "encoder.mu.weight" {
				t.Float[3] = nan
			}
		}
	}), []string{"encoder.mu.weight", "NaN", "finite"}},
	{"external-data", externalTensorModel, []string{"external file", "encoder.mu.weight"}},
	{"external-data-in-subgraph", externalInSubgraph, []string{"external file", "encoder.mu.weight"}},
	{"graphs-nested-deep", deepGraphs, []string{"nest"}},
}

func init() {
	for _, s := range onnxSeeds {
		onnxCase(s.name, s.make, s.want, "import")
	}
	// Not a fuzz seed: 2 MiB.
	onnxCase("too-many-nodes", manyNodes, []string{"nodes"}, "import")
	s := onnxSeeds[0]
	onnxCase(s.name+"-info", s.make, s.want, "info", "--model")
	onnxCase(s.name+"-generate", s.make, s.want, "generate", "-n", "1", "-o", "out", "--model")
}

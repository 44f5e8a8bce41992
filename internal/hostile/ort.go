package hostile

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/npy"
)

// --runtime ort: bundles whose stored graphs disagree with their weights,
// read files through ONNX external data, or give int64 outputs, and an empty
// batch, which onnxruntime would abort the process on.

// int64Conductor is a conductor graph whose output is int64.
func int64Conductor() []byte {
	m := &graphs.Model{IRVersion: graphs.BuildIRVersion, Opset: graphs.BuildOpset, ProducerName: "mvae", Graph: &graphs.Graph{
		Name: graphs.Conductor,
		Nodes: []*graphs.Node{
			{OpType: "Cast", Name: "c0", Inputs: []string{"z"}, Outputs: []string{"cond"}, Attrs: []*graphs.Attr{graphs.IntAttr("to", graphs.Int64)}},
		},
		Inputs:  []*graphs.ValueInfo{{Name: "z", ElemType: graphs.Float32, Dims: []int64{-1, 4}, DimNames: []string{"batch", ""}}},
		Outputs: []*graphs.ValueInfo{{Name: "cond", ElemType: graphs.Int64, Dims: []int64{-1, 4}, DimNames: []string{"batch", ""}}},
	}}
	return m.Marshal()
}

// editedWeights is a bundle whose weights were changed after its graphs were
// built: the runtimes would compute different things.
func editedWeights() []byte {
	return bundleWith(tinySafetensors(false, func(w model.Weights) { w["decoder.out.bias"].Data[2] += 3 }))
}

func init() {
	ortCase := func(name string, data func() []byte, want []string) {
		bundleCase("ort/"+name, data, want, false, true, generateORT...)
	}
	// The encoder graph's initializer is secret.txt, beside the bundle (the
	// case runs in that folder).
	Register(Case{
		Name: "ort/external-data-graph",
		Make: func(dir string) ([]string, string, error) {
			if err := os.WriteFile(filepath.Join(dir, "secret.txt"), bytes.Repeat([]byte("secret!!"), 64), 0o644); err != nil {
				return nil, "", err
			}
			p, err := writeFile(dir, "model.mvae", bundleWith(nil, member{name: "graphs/encoder.onnx", data: externalTensorModel(), deflate: true}))
			return []string{"generate", "--model", p, "--runtime", "ort", "-n", "1", "-o", filepath.Join(dir, "out")}, p, err
		},
		Want:     []string{"graphs/encoder.onnx", "external file"},
		NeedsORT: true,
	})
	ortCase("edited-weights", editedWeights, []string{"graph", "differs from the graph built from the weights"})
	ortCase("int64-output", func() []byte {
		return bundleWith(nil, member{name: "graphs/conductor.onnx", data: int64Conductor(), deflate: true})
	}, []string{"graphs/conductor.onnx", "differs"})
	ortCase("unknown-graph", func() []byte {
		gs := map[string]string{"evil": "graphs/evil.onnx"}
		return zipOf(member{name: "mvae.json", data: tinyManifest(gs, "float32")},
			member{name: "weights.safetensors", data: tinySafetensors(false, nil)},
			member{name: "graphs/evil.onnx", data: int64Conductor(), deflate: true})
	}, []string{"evil", "not one of mvae's graphs"})
	ortCase("nan-weight", func() []byte {
		return bundleWith(tinySafetensors(false, func(w model.Weights) { w["encoder.mu.weight"].Data[5] = nan }))
	}, []string{"encoder.mu.weight", "NaN"})
	ortCase("graph-bomb", func() []byte {
		return bundleWith(nil, member{name: "graphs/encoder.onnx", raw: zeroBomb(4096)})
	}, []string{"graphs/encoder.onnx", "4294967296 bytes"})
	// An empty batch: x and eps of no rows. (The command's input check names
	// x.npy; the backend refuses it too, without the file's name.)
	Register(Case{
		Name: "ort/empty-batch",
		Make: func(dir string) ([]string, string, error) {
			c := tinyConfig()
			p, err := writeFile(dir, "model.mvae", bundleWith(nil))
			if err != nil {
				return nil, "", err
			}
			x, eps := filepath.Join(dir, "x.npy"), filepath.Join(dir, "eps.npy")
			if err := npy.WriteFile(x, npy.New(0, c.T(), c.InputSize)); err != nil {
				return nil, "", err
			}
			if err := npy.WriteFile(eps, npy.New(0, c.ZSize)); err != nil {
				return nil, "", err
			}
			return []string{"forward", "--model", p, "--runtime", "ort", "--x", x, "--eps", eps, "-o", filepath.Join(dir, "out.npz")}, "", nil
		},
		Want:     []string{"empty"},
		NeedsORT: true,
	})
}

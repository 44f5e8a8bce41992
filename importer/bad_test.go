package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/graphs"
)

func TestBadStateDicts(t *testing.T) {
	for file, want := range map[string][]string{
		"extra_key.pt":    {"unexpected: decoder.extra.weight"},
		"missing_key.pt":  {"missing: decoder.out.bias [27]"},
		"wrong_shape.pt":  {"encoder.mu.weight is [2 5], want [2 4]"},
		"int_tensor.pt":   {"LongStorage", "float32"},
		"whole_module.pt": {"state_dict"},
	} {
		p := filepath.Join("testdata/bad", file)
		_, err := File(p, Options{})
		if err == nil {
			t.Errorf("%s: no error", file)
			continue
		}
		for _, s := range append(want, p) {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q does not say %q", file, err, s)
			}
		}
	}
}

// TestStridedViews: a tensor saved as a view (storage offset, strides) reads
// as the values PyTorch shows.
func TestStridedViews(t *testing.T) {
	r, err := File("testdata/bad/view.pt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := r.Weights["decoder.out.weight"]
	for i := 0; i < 27; i++ {
		for j := 0; j < 4; j++ {
			if got, want := w.Data[i*4+j], float32(92+27*j+i); got != want {
				t.Fatalf("w[%d][%d] = %v, want %v", i, j, got, want)
			}
		}
	}
	if _, err := File("testdata/bad/strided.pt", Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestBadONNX(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("testdata/fuzzseeds/tiny.onnx")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"empty.onnx":     {},
		"truncated.onnx": good[:len(good)/2],
		"text.onnx":      []byte("hello, this is not protobuf"),
	}
	notVAE := &graphs.Model{IRVersion: 8, Opset: 17, Graph: &graphs.Graph{
		Nodes:   []*graphs.Node{{OpType: "Tanh", Inputs: []string{"x"}, Outputs: []string{"y"}}},
		Inputs:  []*graphs.ValueInfo{{Name: "x", ElemType: graphs.Float32, Dims: []int64{1}}},
		Outputs: []*graphs.ValueInfo{{Name: "y", ElemType: graphs.Float32, Dims: []int64{1}}},
	}}
	cases["tanh.onnx"] = notVAE.Marshal()
	for name, data := range cases {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		_, err := File(p, Options{})
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A contradiction between flags and the graph's config names both sides.
	_, err = File("testdata/fuzzseeds/tiny.onnx", Options{Bars: 2})
	if err == nil || !strings.Contains(err.Error(), "bars 2") || !strings.Contains(err.Error(), "mvae.config") {
		t.Errorf("--bars contradiction: %v", err)
	}
}

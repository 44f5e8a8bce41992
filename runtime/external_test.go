//go:build cgo

package runtime

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/npy"
)

// TestRunGraphExternalMatchesEmbedded: a graph whose weights onnxruntime
// maps from a file (graphs.BuildExternal, RunGraphExternal) computes, bit
// for bit, what the same graph with the weights inside it computes; and the
// weights file is what it reads (a changed value changes the output).
func TestRunGraphExternalMatchesEmbedded(t *testing.T) {
	initORT(t)
	for _, name := range []string{"groove_4bar", "hierdec_mel"} {
		t.Run(name, func(t *testing.T) {
			c := model.TinyFamilies()[name]
			w := randomWeights(c, 3, 0.3)
			rng := rand.New(rand.NewPCG(1, 2))
			B := 2
			x := &npy.Array{Shape: []int{B, c.T(), c.InputSize}, Data: generate.RandomWindows(c, B, rng)}
			eps := npy.New(B, c.ZSize)
			for i := range eps.Data {
				eps.Data[i] = float32(rng.NormFloat64())
			}
			ins := map[string][]*npy.Array{graphs.Full: {x, eps}, graphs.Encoder: {x}}
			for _, g := range []string{graphs.Full, graphs.Encoder} {
				emb, err := graphs.Build(c, w, g)
				if err != nil {
					t.Fatal(err)
				}
				want, err := RunGraph(emb, graphs.Inputs(c, g), graphs.Outputs(c, g), ins[g]...)
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				ext, err := graphs.BuildExternal(c, w, g, dir)
				if err != nil {
					t.Fatal(err)
				}
				if len(ext) >= len(emb)/2 {
					t.Errorf("%s: the graph with external weights is %d bytes, the one with them inside %d", g, len(ext), len(emb))
				}
				got, err := RunGraphExternal(dir, ext, graphs.Inputs(c, g), graphs.Outputs(c, g), ins[g]...)
				if err != nil {
					t.Fatal(err)
				}
				for i := range want {
					for k := range want[i].Data {
						if math.Float32bits(got[i].Data[k]) != math.Float32bits(want[i].Data[k]) {
							t.Fatalf("%s output %d [%d]: %g with external weights, %g inside", g, i, k, got[i].Data[k], want[i].Data[k])
						}
					}
				}
				// The file is the weights' one home: scale every value in it and the output moves.
				p := filepath.Join(dir, g+".weights")
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				for k := 0; k+4 <= len(data); k += 4 {
					data[k+3] ^= 0x40 // flips a bit of the exponent of every float32
				}
				if err := os.WriteFile(p, data, 0o644); err != nil {
					t.Fatal(err)
				}
				changed, err := RunGraphExternal(dir, ext, graphs.Inputs(c, g), graphs.Outputs(c, g), ins[g]...)
				if err == nil && generate.MaxAbsDiff(changed[0].Data, want[0].Data) == 0 {
					t.Errorf("%s: changing the weights file changed nothing: onnxruntime did not read it", g)
				}
			}
		})
	}
}

// TestExternalizeFileRunsTheSameGraph: the original ONNX graph with its
// weights moved to a file (graphs.ExternalizeFile, what the import check
// runs) computes, bit for bit, what the file itself computes; and the import
// of the file, mapped, gives the weights the import of its bytes gives.
func TestExternalizeFileRunsTheSameGraph(t *testing.T) {
	initORT(t)
	for _, p := range []string{"../testdata/models/groove/model_opset17.onnx", "../testdata/models/melody/model_opset13.onnx"} {
		t.Run(filepath.Base(filepath.Dir(p)), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			fromFile, err := importer.File(p, importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			fromBytes, err := importer.FromONNXBytes(data, importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if fromFile.ONNX != nil || fromFile.ONNXFile != p {
				t.Errorf("File kept the graph in memory (ONNX %d bytes, ONNXFile %q)", len(fromFile.ONNX), fromFile.ONNXFile)
			}
			for name, w := range fromBytes.Weights {
				if !slices.Equal(fromFile.Weights[name].Data, w.Data) {
					t.Fatalf("%s differs between the import of the file and of its bytes", name)
				}
			}
			c := fromFile.Config
			rng := rand.New(rand.NewPCG(4, 5))
			B := 2
			x := &npy.Array{Shape: []int{B, c.T(), c.InputSize}, Data: generate.RandomWindows(c, B, rng)}
			eps := npy.New(B, c.ZSize)
			for i := range eps.Data {
				eps.Data[i] = float32(rng.NormFloat64())
			}
			io := [][]string{{"x", "eps"}, {"logits", "mu", "sigma"}}
			want, err := RunGraph(data, io[0], io[1], x, eps)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			ext, err := graphs.ExternalizeFile(p, dir, "w.bin", 1024)
			if err != nil {
				t.Fatal(err)
			}
			if len(ext) >= len(data)/2 {
				t.Errorf("externalized graph is %d bytes of the file's %d", len(ext), len(data))
			}
			got, err := RunGraphExternal(dir, ext, io[0], io[1], x, eps)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				for k := range want[i].Data {
					if math.Float32bits(got[i].Data[k]) != math.Float32bits(want[i].Data[k]) {
						t.Fatalf("output %s [%d]: %g externalized, %g from the file", io[1][i], k, got[i].Data[k], want[i].Data[k])
					}
				}
			}
		})
	}
}

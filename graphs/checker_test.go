package graphs_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/model"
)

// TestONNXCheckerAcceptsBuiltGraphs runs onnx.checker.check_model (with
// full shape inference) on every graph built from a fixture's weights, and
// on every graph of every family of model.TinyFamilies (random weights).
func TestONNXCheckerAcceptsBuiltGraphs(t *testing.T) {
	py := testenv.Python(t, "onnx")
	dir := t.TempDir()
	var files []string
	for _, fx := range []string{"groove", "drums", "melody"} {
		r, err := importer.File(filepath.Join("../testdata/models", fx, "model.pt"), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		gs, err := graphs.BuildAll(r.Config, r.Weights)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, writeGraphs(t, dir, fx, gs)...)
	}
	for i, name := range familyNames() {
		c := model.TinyFamilies()[name]
		gs, err := graphs.BuildAll(c, randomWeights(c, uint64(i)))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, writeGraphs(t, dir, name, gs)...)
	}
	out, err := exec.Command(py, append([]string{"-c", `import onnx, sys
bad = 0
for p in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(p), full_check=True)
    except Exception as e:
        bad += 1
        print(p, e)
sys.exit(1 if bad else 0)
`}, files...)...).CombinedOutput()
	if err != nil {
		t.Errorf("onnx.checker: %v\n%s", err, out)
	}
}

func writeGraphs(t *testing.T, dir, prefix string, gs map[string][]byte) []string {
	t.Helper()
	var files []string
	for name, g := range gs {
		p := filepath.Join(dir, prefix+"_"+name+".onnx")
		if err := os.WriteFile(p, g, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	return files
}

// TestReadWriteRoundTrip: what graphs writes, graphs reads back.
func TestReadWriteRoundTrip(t *testing.T) {
	r, err := importer.File("../testdata/models/groove/model.pt", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := graphs.BuildFull(r.Config, r.Weights)
	back, err := graphs.ReadModel(m.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Graph.Nodes) != len(m.Graph.Nodes) || len(back.Graph.Initializers) != len(m.Graph.Initializers) || back.Opset != graphs.BuildOpset {
		t.Fatalf("read back %d nodes, %d initializers, opset %d", len(back.Graph.Nodes), len(back.Graph.Initializers), back.Opset)
	}
	if s, ok := back.Meta("mvae.config"); !ok || s != string(r.Config.JSON()) {
		t.Fatalf("mvae.config lost: %q", s)
	}
}

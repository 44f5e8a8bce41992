//go:build cgo

package runtime

import (
	"errors"
	"math"
	"testing"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/internal/testenv"
)

// initORT loads the library or, where it is missing, skips (fails in CI).
func initORT(t *testing.T) {
	t.Helper()
	if _, err := Init(""); err != nil {
		if errors.Is(err, ErrNoLibrary) {
			testenv.Missing(t, "the onnxruntime shared library ("+err.Error()+")")
		}
		t.Fatal(err)
	}
}

// TestRunSmallGraph builds y = tanh(x W + b) with graphs' protowire writer and
// runs it under onnxruntime 1.24.3 through onnxruntime_go.
func TestRunSmallGraph(t *testing.T) {
	initORT(t)
	if v := Version(); v != ORTVersion {
		t.Errorf("loaded onnxruntime %q, want %s", v, ORTVersion)
	}
	W := []float32{0.5, -1, 2, 0.25, 1.5, -0.5} // [3, 2]
	b := []float32{0.1, -0.2}
	m := &graphs.Model{
		IRVersion: 8, Opset: 17, ProducerName: "mvae-test",
		Graph: &graphs.Graph{
			Name: "tiny",
			Nodes: []*graphs.Node{
				{OpType: "MatMul", Inputs: []string{"x", "W"}, Outputs: []string{"xw"}},
				{OpType: "Add", Inputs: []string{"xw", "b"}, Outputs: []string{"pre"}},
				{OpType: "Tanh", Inputs: []string{"pre"}, Outputs: []string{"y"}},
			},
			Initializers: []*graphs.Tensor{{Name: "W", Dims: []int64{3, 2}, Float: W}, {Name: "b", Dims: []int64{2}, Float: b}},
			Inputs:       []*graphs.ValueInfo{{Name: "x", ElemType: graphs.Float32, Dims: []int64{-1, 3}, DimNames: []string{"batch"}}},
			Outputs:      []*graphs.ValueInfo{{Name: "y", ElemType: graphs.Float32, Dims: []int64{-1, 2}, DimNames: []string{"batch"}}},
		},
	}
	x := []float32{1, 2, 3, -1, 0, 0.5}
	in, err := ort.NewTensor(ort.NewShape(2, 3), x)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Destroy()
	out, err := ort.NewEmptyTensor[float32](ort.NewShape(2, 2))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Destroy()
	s, err := ort.NewAdvancedSessionWithONNXData(m.Marshal(), []string{"x"}, []string{"y"}, []ort.Value{in}, []ort.Value{out}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Destroy()
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		for j := 0; j < 2; j++ {
			want := float64(b[j])
			for k := 0; k < 3; k++ {
				want += float64(x[i*3+k]) * float64(W[k*2+j])
			}
			want = math.Tanh(want)
			if got := out.GetData()[i*2+j]; math.Abs(float64(got)-want) > 1e-6 {
				t.Errorf("y[%d,%d] = %v, want %v", i, j, got, want)
			}
		}
	}
}

func TestFindLibraryOrder(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MVAE_CACHE_DIR", dir)
	t.Setenv(LibraryEnv, "")
	if _, _, err := FindLibrary(""); !errors.Is(err, ErrNoLibrary) {
		t.Fatalf("empty cache: %v", err)
	}
	t.Setenv(LibraryEnv, dir+"/nope.so")
	if _, src, err := FindLibrary(""); err == nil || src != "" {
		t.Fatalf("missing env library: %v", err)
	}
	if _, _, err := FindLibrary(dir + "/flag.so"); err == nil {
		t.Fatal("missing --ort-lib: no error")
	}
}

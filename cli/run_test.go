package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/npy"
	"github.com/musicvae-go/mvae/runtime"
)

func needORT(t *testing.T) {
	t.Helper()
	if _, err := runtime.Init(""); err != nil {
		testenv.Missing(t, "onnxruntime ("+err.Error()+")")
	}
}

// TestImportGenerateDecode walks the main path: import an exported graph,
// generate MIDI from it, and decode the goldens' z to PyTorch's tokens.
func TestImportGenerateDecode(t *testing.T) {
	needORT(t)
	dir := t.TempDir()
	fx := "../testdata/models/groove"
	bundle := filepath.Join(dir, "g.mvae")
	if _, err := run(t, "import", filepath.Join(fx, "model_opset17.onnx"), "-o", bundle); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "info", bundle, "--json")
	if err != nil || !strings.Contains(out, `"parameters"`) {
		t.Fatalf("info: %v %s", err, out)
	}
	mid := filepath.Join(dir, "midi")
	if _, err := run(t, "generate", "--model", bundle, "-n", "2", "-o", mid, "--seed", "3"); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(mid, "*.mid"))
	if len(files) != 2 {
		t.Fatalf("%d MIDI files", len(files))
	}
	g, err := npy.ReadNPZFile(filepath.Join(fx, "golden.npz"))
	if err != nil {
		t.Fatal(err)
	}
	z := filepath.Join(dir, "z.npy")
	npy.WriteFile(z, g["mu"])
	tn := filepath.Join(dir, "t.npz")
	if _, err := run(t, "decode", "--model", bundle, "--z", z, "--temperature", "1", "--seed", "42", "--tensors", tn); err != nil {
		t.Fatal(err)
	}
	m, err := npy.ReadNPZFile(tn)
	if err != nil {
		t.Fatal(err)
	}
	want := g["gen_mu_T1.0_seed42"]
	for i, v := range m["tokens"].Data {
		if d := v - want.Data[i]; d > 1e-5 || d < -1e-5 {
			t.Fatalf("token value %d: %v, PyTorch %v", i, v, want.Data[i])
		}
	}
	// Encoding a generated file and interpolating between two of them.
	if _, err := run(t, "encode", "--model", bundle, files[0], files[1], "-o", filepath.Join(dir, "enc.npz")); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "interpolate", "--model", bundle, files[0], files[1], "--steps", "3", "-o", filepath.Join(dir, "interp")); err != nil {
		t.Fatal(err)
	}
	if fs, _ := filepath.Glob(filepath.Join(dir, "interp", "*.mid")); len(fs) != 3 {
		t.Fatalf("interpolate wrote %d files", len(fs))
	}
}

func TestImportRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.onnx")
	os.WriteFile(bad, []byte("this is not a model"), 0o644)
	_, err := run(t, "import", bad, "-o", filepath.Join(dir, "x.mvae"))
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.mvae")); err == nil {
		t.Fatal("a bundle was written for a bad file")
	}
	_, err = run(t, "generate", "--model", filepath.Join(dir, "x.mvae"), "-n", "1")
	if err == nil {
		t.Fatal("generate with a missing model: no error")
	}
	_, err = run(t, "generate", "--model", bad, "--runtime", "cuda", "-n", "1")
	if err == nil {
		t.Fatal("no error")
	}
}

func TestParityCommand(t *testing.T) {
	needORT(t)
	out, err := run(t, "parity", "--model", "../testdata/models/drums/model.pt", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"ok": true`) || !strings.Contains(out, `"tokens_agree": true`) {
		t.Fatalf("parity: %s", out)
	}
}

// TestNativeIsTheDefaultRuntime: with onnxruntime made unloadable (--ort-lib
// and the environment name a missing file), --runtime ort fails, while a
// command without --runtime runs and gives what --runtime native gives.
func TestNativeIsTheDefaultRuntime(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-libonnxruntime.so")
	t.Setenv("ONNXRUNTIME_SHARED_LIBRARY_PATH", missing)
	m := "../testdata/models/melody/model.pt"
	gen := func(name string, extra ...string) (*npy.Array, error) {
		p := filepath.Join(dir, name)
		args := append([]string{"--ort-lib", missing, "generate", "--model", m, "-n", "2", "--seed", "5", "--temperature", "1", "--tensors", p}, extra...)
		if _, err := run(t, args...); err != nil {
			return nil, err
		}
		a, err := npy.ReadNPZFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return a["tokens"], nil
	}
	if _, err := gen("ort.npz", "--runtime", "ort"); err == nil {
		t.Fatal("--runtime ort ran with onnxruntime unloadable: the test proves nothing")
	}
	def, err := gen("default.npz")
	if err != nil {
		t.Fatalf("without --runtime, with onnxruntime unloadable: %v", err)
	}
	nat, err := gen("native.npz", "--runtime", "native")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(def.Shape, nat.Shape) || !reflect.DeepEqual(def.Data, nat.Data) {
		t.Fatal("the default runtime's tokens differ from --runtime native's")
	}
}

func TestEvaluateCommand(t *testing.T) {
	dir := t.TempDir()
	g, err := npy.ReadNPZFile("../testdata/models/groove/golden.npz")
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "x.npz")
	npy.WriteNPZFile(data, []string{"test"}, map[string]*npy.Array{"test": g["x"]})
	out, err := run(t, "evaluate", "--model", "../testdata/models/groove/model.pt", "--data", data, "--train", data, "--samples", "4", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"hit_f1"`) || !strings.Contains(out, `"prior_in_range"`) {
		t.Fatalf("evaluate: %s", out)
	}
}

package importer

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/model"
)

// TestImportAllocatesAboutTheWeights: importing a mid-size model (about 13
// MB of float32 weights) from a .pt allocates little besides the weights,
// and from an ONNX file the weights and their decoded tensors, never a copy
// of the whole file on top (the memory figures of a seed-size model are
// measured by scripts/measure-memory.sh).
func TestImportAllocatesAboutTheWeights(t *testing.T) {
	c := &model.Config{Format: model.ConfigFormat, Representation: "groove", DrumMap: "gm", StepsPerQuarter: 4,
		Bars: 2, Segments: 2, InputSize: 27, ZSize: 64, Encoder: model.LSTMSize{Hidden: 384, Layers: 2},
		Conductor: model.LSTMSize{Hidden: 128, Layers: 1}, Decoder: model.LSTMSize{Hidden: 256, Layers: 2}, FreeBits: 48, MaxBeta: 0.2}
	w := model.Weights{}
	for i, p := range c.Params() {
		tn := model.NewTensorOf(p.Shape)
		for k := range tn.Data {
			tn.Data[k] = float32(math.Sin(float64(i*7919+k))) * 0.05
		}
		w[p.Name] = tn
	}
	weights := float64(4 * c.NumParams())
	dir := t.TempDir()
	var pt bytes.Buffer
	if err := model.WriteStateDict(&pt, c, w); err != nil {
		t.Fatal(err)
	}
	cfg := c.JSON()
	onnx, err := graphs.Build(c, w, graphs.Full)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"model.pt": pt.Bytes(), "config.json": cfg, "model.onnx": onnx} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		file  string
		limit float64 // bytes allocated over the float32 weights
	}{
		{"model.pt", 1.5},   // the weights, and the pickle's small change
		{"model.onnx", 2.5}, // the decoded tensors, then the weights in PyTorch's layout
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		r, err := File(filepath.Join(dir, tc.file), Options{})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if got := float64(after.TotalAlloc-before.TotalAlloc) / weights; got > tc.limit {
			t.Errorf("%s: importing allocated %.2fx the weights' %.0f bytes, want at most %.1fx", tc.file, got, weights, tc.limit)
		} else {
			t.Logf("%s: %.2fx the weights", tc.file, got)
		}
		if len(r.Weights) != len(w) {
			t.Fatalf("%s: %d tensors imported, want %d", tc.file, len(r.Weights), len(w))
		}
	}
}

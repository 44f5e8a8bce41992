//go:build cgo

package runtime

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/importer"
)

// TestVerifyRefusesWrongWeights: an import whose rebuilt graphs do not
// compute what the original graph computes is refused.
func TestVerifyRefusesWrongWeights(t *testing.T) {
	initORT(t)
	dir := "../testdata/models/groove"
	r, err := importer.File(filepath.Join(dir, "model_opset17.onnx"), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gs, err := graphs.BuildAll(r.Config, r.Weights)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Verify(r, importer.GraphMap(gs), RunGraph, 1, nil); err != nil {
		t.Fatalf("a good import: %v", err)
	}
	// Swap two gates of the decoder's input weights, as a wrong gate order would.
	w := r.Weights["decoder.lstm.weight_ih_l0"]
	H := r.Config.Decoder.Hidden
	I := w.Shape[1]
	f := w.Data[H*I : 2*H*I]
	g := w.Data[2*H*I : 3*H*I]
	for i := range f {
		f[i], g[i] = g[i], f[i]
	}
	gs, err = graphs.BuildAll(r.Config, r.Weights)
	if err != nil {
		t.Fatal(err)
	}
	_, err = importer.Verify(r, importer.GraphMap(gs), RunGraph, 1, nil)
	if err == nil || !strings.Contains(err.Error(), "differs by") {
		t.Fatalf("swapped gates: %v", err)
	}
}

//go:build cgo

package runtime

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/model/defaultmodel"
)

// bundleBytes writes a bundle of the groove fixture with the given graphs.
func bundleBytes(t *testing.T, r *importer.Result, w model.Weights, gs map[string][]byte, half bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := model.WriteBundle(&buf, model.NewBundle(model.Manifest{Config: r.Config, Provenance: r.Provenance}, w, gs), half); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func openBytes(t *testing.T, data []byte) (*ORT, error) {
	t.Helper()
	b, err := model.ReadBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	be, err := Open(b, Options{Threads: 1})
	if be != nil {
		t.Cleanup(func() { be.Close() })
	}
	return be, err
}

// TestOpenChecksStoredGraphs: bundles as mvae import writes them (float32
// and float16 weights) open; a bundle whose weights were changed after its
// graphs were built, or whose graph reads external data, is refused.
func TestOpenChecksStoredGraphs(t *testing.T) {
	initORT(t)
	r, err := importer.File("../testdata/models/groove/model_opset17.onnx", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gs, err := graphs.BuildAll(r.Config, r.Weights)
	if err != nil {
		t.Fatal(err)
	}
	for _, half := range []bool{false, true} {
		if _, err := openBytes(t, bundleBytes(t, r, r.Weights, gs, half)); err != nil {
			t.Fatalf("half=%v: %v", half, err)
		}
	}
	// One weight changed, the graphs left as they were.
	edited := model.Weights{}
	for n, w := range r.Weights {
		edited[n] = w
	}
	mu := *r.Weights["encoder.mu.bias"]
	mu.Data = append([]float32{}, mu.Data...)
	mu.Data[0] += 0.5
	edited["encoder.mu.bias"] = &mu
	_, err = openBytes(t, bundleBytes(t, r, edited, gs, false))
	if err == nil || !strings.Contains(err.Error(), "differs from the graph built from the weights") || !strings.Contains(err.Error(), "encoder.mu.bias") {
		t.Errorf("edited weights: %v", err)
	}
	// A stored graph that is not the one built: the conductor stored as the encoder.
	other := map[string][]byte{}
	for n, g := range gs {
		other[n] = g
	}
	other[graphs.Encoder] = other[graphs.Conductor]
	_, err = openBytes(t, bundleBytes(t, r, r.Weights, other, false))
	if err == nil || !strings.Contains(err.Error(), "graph encoder") {
		t.Errorf("swapped graph: %v", err)
	}
}

// TestOpenDefaultModel: the embedded model, which stores no graphs, opens.
func TestOpenDefaultModel(t *testing.T) {
	initORT(t)
	b, err := defaultmodel.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	be, err := Open(b, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	be.Close()
}

// TestEmptyBatchRefused: onnxruntime aborts the process on an empty batch;
// the backend refuses it first.
func TestEmptyBatchRefused(t *testing.T) {
	initORT(t)
	_, be := openFixture(t, "../testdata/models/groove/model.pt")
	if err := be.Encode(nil, 0, nil, nil); !errors.Is(err, ErrEmptyBatch) {
		t.Errorf("Encode: %v", err)
	}
	if err := be.Forward(nil, nil, 0, nil, nil, nil); !errors.Is(err, ErrEmptyBatch) {
		t.Errorf("Forward: %v", err)
	}
	if err := be.Conduct(nil, 0, nil); !errors.Is(err, ErrEmptyBatch) {
		t.Errorf("Conduct: %v", err)
	}
	if _, err := be.NewState(0); !errors.Is(err, ErrEmptyBatch) {
		t.Errorf("NewState: %v", err)
	}
}

package importer

import (
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/model"
)

// sameConfig compares configs field by field, as typed values, and names
// each field that differs with both sides.
func TestSameConfig(t *testing.T) {
	a := &model.Config{Format: model.ConfigFormat, Representation: "groove", Bars: 4, Segments: 4, InputSize: 27, ZSize: 8,
		Encoder: model.LSTMSize{Hidden: 16, Layers: 1}, FreeBits: 48, MaxBeta: 0.2}
	b := *a
	if err := sameConfig(a, "the graph", &b, "--config"); err != nil {
		t.Fatalf("equal configs: %v", err)
	}
	b.Bars, b.Encoder.Hidden, b.MaxBeta = 2, 32, 0.25
	err := sameConfig(a, "the graph", &b, "--config")
	if err == nil {
		t.Fatal("different configs agree")
	}
	for _, want := range []string{"bars: the graph says 4, --config says 2", "encoder: the graph says {16 1}, --config says {32 1}", "max_beta: the graph says 0.2, --config says 0.25"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v\ndoes not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "segments") {
		t.Errorf("%v names a field that agrees", err)
	}
}

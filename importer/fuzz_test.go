package importer

import (
	"os"
	"testing"

	"github.com/musicvae-go/mvae/internal/hostile"
)

// FuzzImportONNX: arbitrary graphs never panic the importer's analysis.
func FuzzImportONNX(f *testing.F) {
	for _, p := range []string{"testdata/fuzzseeds/tiny.onnx"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, b := range hostile.ONNXSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fromONNX(data, Options{})
	})
}

// FuzzImportPT: arbitrary bytes never panic the .pt reader.
func FuzzImportPT(f *testing.F) {
	for _, p := range []string{"testdata/fuzzseeds/tiny.pt"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		readStateDict(data)
	})
}

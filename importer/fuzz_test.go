package importer

import (
	"os"
	"testing"

	"github.com/musicvae-go/mvae/internal/craft"
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
		fromONNX(data, Options{}, nil)
	})
}

// FuzzImportPT: arbitrary bytes never panic the .pt reader.
func FuzzImportPT(f *testing.F) {
	for _, p := range []string{"testdata/fuzzseeds/tiny.pt"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	// The crafted files of the hostile-input harness (all small).
	for _, b := range craft.SmallPT() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		readStateDict(data)
	})
}

// FuzzStateDictPickle: arbitrary data.pkl streams (in a zip beside a storage
// "0" of four values) never panic the .pt reader. Mutating a .pt whole rarely
// reaches the pickle: the zip checksum refuses it first.
func FuzzStateDictPickle(f *testing.F) {
	f.Add(craft.StateDictPickle([]craft.PTTensor{{Name: "w", Key: "0", Numel: 4, Size: []int{2, 2}, Stride: []int{2, 1}}}))
	f.Add([]byte("\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00}\x94(u.")) // a framed protocol 4 pickle
	f.Add([]byte("(lp0\nI1\naL2\na."))                                    // protocol 0
	f.Fuzz(func(t *testing.T, pkl []byte) {
		readStateDict(craft.PTZip(pkl, craft.Stored("data/0", craft.Floats(1, 2, 3, 4))))
	})
}

package importer

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/musicvae-go/mvae/internal/testenv"
)

func TestImportONNXFixtures(t *testing.T) {
	var files []string
	for _, d := range testenv.ModelFixtures(t) {
		m, _ := filepath.Glob(filepath.Join(d, "*.onnx"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no exported graphs among the fixtures")
	}
	for _, f := range files {
		r, err := File(f, Options{})
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		t.Logf("%s: %s %d bars %d seg, enc %v cond %v dec %v z %d; notes %v", f, r.Config.Representation, r.Config.Bars, r.Config.Segments, r.Config.Encoder, r.Config.Conductor, r.Config.Decoder, r.Config.ZSize, r.Notes)
	}
}

// TestONNXAgreesWithStateDict: the weights recovered from each exported graph
// are exactly the state_dict saved beside it.
func TestONNXAgreesWithStateDict(t *testing.T) {
	dirs := testenv.ModelFixtures(t)
	n := 0
	for _, d := range dirs {
		pt := filepath.Join(d, "model.pt")
		onnxs, _ := filepath.Glob(filepath.Join(d, "*.onnx"))
		if len(onnxs) == 0 {
			continue
		}
		ref, err := File(pt, Options{})
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		for _, f := range onnxs {
			r, err := File(f, Options{})
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			if string(r.Config.JSON()) != string(ref.Config.JSON()) {
				t.Errorf("%s: config %s, the .pt's %s", f, r.Config.JSON(), ref.Config.JSON())
			}
			for name, want := range ref.Weights {
				got := r.Weights[name]
				if got == nil || !slices.Equal(got.Data, want.Data) {
					t.Errorf("%s: %s differs from the state_dict", f, name)
				}
			}
			n++
		}
	}
	if n < 5 {
		t.Errorf("only %d graphs compared", n)
	}
}

package finetune

import (
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/importer"
)

// TestBatchIsCappedBeforeAllocation: a --batch far above the training set
// (whose Batch×T×D buffer could never be allocated) trains as a batch of the
// whole set does.
func TestBatchIsCappedBeforeAllocation(t *testing.T) {
	r, err := importer.File("../testdata/models/melody/model.pt", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Config
	train := generate.RandomWindows(c, 3, rand.New(rand.NewPCG(1, 2)))
	o := Options{Steps: 2, LR: 1e-3, LRDecay: 1, Beta: 0.2, Clip: 1, Seed: 5}
	o.Batch = 3
	want, err := Run(c, r.Weights, train, 3, nil, 0, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Batch = 1 << 50
	got, err := Run(c, r.Weights, train, 3, nil, 0, o)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range want.Weights {
		if d := generate.MaxAbsDiff(w.Data, got.Weights[name].Data); d != 0 {
			t.Fatalf("%s: differs by %g from the run with --batch 3", name, d)
		}
	}
}

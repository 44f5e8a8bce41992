package finetune

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/importer"
)

// TestResumeIsExact: a run stopped at a checkpoint and resumed ends with the
// weights an uninterrupted run ends with.
func TestResumeIsExact(t *testing.T) {
	r, err := importer.File("../testdata/models/melody/model.pt", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Config
	rng := rand.New(rand.NewPCG(1, 1))
	train := generate.RandomWindows(c, 20, rng)
	val := generate.RandomWindows(c, 6, rng)
	o := Options{Steps: 8, Batch: 4, LR: 3e-3, LRDecay: 0.999, MinLR: 1e-5, Beta: 0.2, FreeBits: 0, Clip: 1, ValEvery: 4, Seed: 3}
	full, err := Run(c, r.Weights, train, 20, val, 6, o)
	if err != nil {
		t.Fatal(err)
	}
	ck := filepath.Join(t.TempDir(), "run.ckpt")
	half := o
	half.Steps, half.Checkpoint = 4, ck
	if _, err := Run(c, r.Weights, train, 20, val, 6, half); err != nil {
		t.Fatal(err)
	}
	rest := o
	rest.Checkpoint, rest.Resume = ck, true
	res, err := Run(c, r.Weights, train, 20, val, 6, rest)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed != 4 {
		t.Fatalf("resumed at %d", res.Resumed)
	}
	for name, w := range full.Weights {
		for i, v := range w.Data {
			if res.Weights[name].Data[i] != v {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", name, i, res.Weights[name].Data[i], v)
			}
		}
	}
	if full.BestVal != res.BestVal || full.BestStep != res.BestStep {
		t.Errorf("best %v@%d vs %v@%d", full.BestVal, full.BestStep, res.BestVal, res.BestStep)
	}
	// Weights of a frozen part do not move.
	fr := o
	fr.Freeze = []string{"encoder"}
	res, err = Run(c, r.Weights, train, 20, val, 6, fr)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range r.Weights {
		moved := false
		for i, v := range w.Data {
			if res.Weights[name].Data[i] != v {
				moved = true
			}
		}
		if name == "conductor.lstm.weight_ih_l0" {
			continue // the conductor is fed zeros: this weight never gets a gradient
		}
		if frozen := name[:len("encoder")] == "encoder"; frozen == moved {
			t.Errorf("%s: frozen %v, moved %v", name, frozen, moved)
		}
	}
}

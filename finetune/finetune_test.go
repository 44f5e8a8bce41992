package finetune

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/model"
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
	checkResumeExact(t, c, r.Weights, train, 20, val, 6, o)
	// Weights of a frozen part do not move.
	fr := o
	fr.Freeze = []string{"encoder"}
	res, err := Run(c, r.Weights, train, 20, val, 6, fr)
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

// checkResumeExact runs o uninterrupted, and again stopped at half its steps
// and resumed from the checkpoint; both must end with the same weights and
// the same best validation. It returns the uninterrupted run.
func checkResumeExact(t *testing.T, c *model.Config, w model.Weights, train []float32, nTrain int, val []float32, nVal int, o Options) *Result {
	t.Helper()
	full, err := Run(c, w, train, nTrain, val, nVal, o)
	if err != nil {
		t.Fatal(err)
	}
	ck := filepath.Join(t.TempDir(), "run.ckpt")
	half := o
	half.Steps, half.Checkpoint = o.Steps/2, ck
	if _, err := Run(c, w, train, nTrain, val, nVal, half); err != nil {
		t.Fatal(err)
	}
	rest := o
	rest.Checkpoint, rest.Resume = ck, true
	res, err := Run(c, w, train, nTrain, val, nVal, rest)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed != half.Steps {
		t.Fatalf("resumed at %d, want %d", res.Resumed, half.Steps)
	}
	for name, fw := range full.Weights {
		for i, v := range fw.Data {
			if res.Weights[name].Data[i] != v {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", name, i, res.Weights[name].Data[i], v)
			}
		}
	}
	if full.BestVal != res.BestVal || full.BestStep != res.BestStep {
		t.Errorf("best %v@%d vs %v@%d", full.BestVal, full.BestStep, res.BestVal, res.BestStep)
	}
	return full
}

// Package heldout re-measures an embedded model on the rendered MMA corpus
// in tests, as the script that trained it did (`mvae evaluate --data
// mma_heldout.npz --train mma_train.npz --samples 256`), and reads the
// numbers its heldout.json records.
package heldout

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/native"
)

// Measure evaluates b on every window (all splits) of the held-out
// libraries of corpus, with 256 prior samples measured against the train
// libraries' windows (their share in the density range counted against
// heldout.json's recorded range); it returns what it measured, the number of training
// windows, and what heldout.json (in the test's folder) says. A missing
// corpus is testenv.Missing.
func Measure(t *testing.T, b *model.Bundle, corpus string, held, train []string) (q *generate.Quality, nTrain int, want *generate.Quality) {
	t.Helper()
	cfg := b.Config()
	x := Windows(t, cfg, corpus, held)
	tx := Windows(t, cfg, corpus, train)
	raw, err := os.ReadFile("heldout.json")
	if err != nil {
		t.Fatal(err)
	}
	want = new(generate.Quality)
	if err := json.Unmarshal(raw, want); err != nil {
		t.Fatalf("heldout.json: %v", err)
	}
	per := cfg.T() * cfg.InputSize
	w, err := b.Weights()
	if err != nil {
		t.Fatal(err)
	}
	be, err := native.New(cfg, w)
	if err != nil {
		t.Fatal(err)
	}
	q, err = generate.Evaluate(be, x, len(x)/per, tx, len(tx)/per, 256, 64)
	if err != nil {
		t.Fatal(err)
	}
	// A fresh render of the corpus gives a few windows more or fewer than
	// mma_train.npz held, which moves the density range's ends by a
	// fraction of a hit: a prior sample between the two ends would count
	// differently. So the same 256 samples (Evaluate's: temperature 1,
	// seed 0) are counted against the range heldout.json recorded; the
	// caller compares the ranges themselves within a tolerance.
	if len(want.DensityRange) == 2 {
		_, tok, err := generate.Sample(be, 256, generate.Options{Temperature: 1})
		if err != nil {
			t.Fatal(err)
		}
		in := 0
		for i := 0; i < 256; i++ {
			if d := generate.Density(cfg, tok[i*per:(i+1)*per]); d >= want.DensityRange[0] && d <= want.DensityRange[1] {
				in++
			}
		}
		q.PriorInRange = float64(in) / 256
	}
	return q, len(tx) / per, want
}

// Windows reads every window (all splits) of the libraries of corpus with
// the model's representation; a missing library is testenv.Missing.
func Windows(t *testing.T, cfg *model.Config, corpus string, libs []string) []float32 {
	t.Helper()
	var dirs []string
	for _, l := range libs {
		p := filepath.Join(corpus, l)
		if _, err := os.Stat(p); err != nil {
			testenv.Missing(t, "the rendered MMA corpus ("+p+"; make corpus)")
		}
		dirs = append(dirs, p)
	}
	ds, _, err := music.BuildDataset(dirs, music.BuildOptions{Options: cfg.MusicOptions()})
	if err != nil {
		t.Fatal(err)
	}
	var x []float32
	for _, w := range ds.Splits {
		x = append(x, w.Data...)
	}
	return x
}

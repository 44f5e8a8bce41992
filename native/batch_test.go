package native

import (
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/model/defaultmodel"
)

// randomBatch is a training batch of the tests: B random windows of c and
// their noise eps [B, Z], drawn from rng in that order.
func randomBatch(c *model.Config, B int, rng *rand.Rand) (x, eps []float32) {
	x = generate.RandomWindows(c, B, rng)
	eps = make([]float32, B*c.ZSize)
	for i := range eps {
		eps[i] = float32(rng.NormFloat64())
	}
	return x, eps
}

// defaultWeights is the embedded default model's config and a private
// copy of its float32 weights, for a test to train and change.
func defaultWeights(t testing.TB) (*model.Config, model.Weights) {
	t.Helper()
	bd, err := defaultmodel.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	c := bd.Config()
	bw, err := bd.Weights()
	if err != nil {
		t.Fatal(err)
	}
	w := NewGrads(c)
	for n, tn := range bw {
		copy(w[n].Data, tn.Data)
	}
	return c, w
}

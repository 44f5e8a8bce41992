package native

import (
	"math/rand/v2"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
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

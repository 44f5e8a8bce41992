package generate

import (
	"math/rand/v2"

	"github.com/musicvae-go/mvae/model"
)

// RandomWindows makes B valid inputs [B,T,D] of the model's representation:
// random hits with velocities and offsets (groove), or one-hot classes.
func RandomWindows(c *model.Config, B int, rng *rand.Rand) []float32 {
	T, D := c.T(), c.InputSize
	x := make([]float32, B*T*D)
	for i := 0; i < B*T; i++ {
		row := x[i*D : (i+1)*D]
		if c.Representation == "groove" {
			for k := 0; k < 9; k++ {
				if rng.Float64() < 0.25 {
					row[k] = 1
					row[9+k] = float32(rng.IntN(127)+1) / 127
					row[18+k] = float32(rng.Float64()*2 - 1)
				}
			}
		} else {
			row[rng.IntN(D)] = 1
		}
	}
	return x
}

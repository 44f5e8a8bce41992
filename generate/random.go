package generate

import (
	"math/rand/v2"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// RandomWindows makes B valid inputs [B,T,D] of the model's representation:
// random hits with velocities and offsets (groove), or one-hot classes (for
// split decoders, one class in each split's columns, split by split).
func RandomWindows(c *model.Config, B int, rng *rand.Rand) []float32 {
	T, D := c.T(), c.InputSize
	x := make([]float32, B*T*D)
	for i := 0; i < B*T; i++ {
		for k, Dk := range c.SplitDepths() {
			off := c.SplitOffset(k)
			row := x[i*D+off : i*D+off+Dk]
			if c.SplitRep(k) == music.Groove {
				const C = music.NumDrumClasses
				for k := 0; k < C; k++ {
					if rng.Float64() < 0.25 {
						row[k] = 1
						row[C+k] = float32(rng.IntN(127)+1) / 127
						row[2*C+k] = float32(rng.Float64()*2 - 1)
					}
				}
			} else {
				row[rng.IntN(Dk)] = 1
			}
		}
	}
	return x
}

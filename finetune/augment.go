package finetune

import (
	"fmt"
	"math/rand/v2"

	"github.com/musicvae-go/mvae/music"
)

// InstrumentGroups are the groups of drum classes that Augment swaps as one:
// kick, snare, hi-hats (closed, open), toms (low, mid, high), cymbals
// (crash, ride). graphs/torch/train.py uses the same table.
var InstrumentGroups = [][]int{{0}, {1}, {2, 3}, {4, 5, 6}, {7, 8}}

// Augmentation makes new grooves from a batch of groove windows (spec §1:
// 9 hits, 9 velocities, 9 offsets a step). Mix is the chance that an
// instrument group of a window is replaced by the same group of another
// window of the batch (drawn uniformly, itself included); Drop is the chance
// that a hit is removed (hit, velocity and offset set to 0). Zero values
// leave the batch as it is.
type Augmentation struct {
	Mix, Drop float64
}

// Active reports whether a changes anything.
func (a Augmentation) Active() bool { return a.Mix > 0 || a.Drop > 0 }

// Check returns an error for chances outside [0, 1] or a representation
// other than groove.
func (a Augmentation) Check(representation string) error {
	if a.Mix < 0 || a.Mix > 1 || a.Drop < 0 || a.Drop > 1 {
		return fmt.Errorf("--mix %g and --drop %g must lie in [0, 1]", a.Mix, a.Drop)
	}
	if a.Active() && representation != "groove" {
		return fmt.Errorf("--mix and --drop augment groove windows; this model's representation is %s", representation)
	}
	return nil
}

// Apply augments x ([B, T, 27] groove windows) in place with draws from rng.
// src is scratch of the same length as x. All groups are taken from the
// batch as it was before any swap, as in the reference loop:
//
//	src = copy(x)
//	for each group g:
//	    for each window b, with chance Mix:
//	        o = a window drawn from the batch
//	        x[b, :, cols(g)] = src[o, :, cols(g)]   // hits, velocities, offsets
//	for each hit x[b, t, c] = 1, with chance Drop:
//	    x[b, t, c] = x[b, t, 9+c] = x[b, t, 18+c] = 0
func (a Augmentation) Apply(x, src []float32, B, T int, rng *rand.Rand) {
	const K = music.NumDrumClasses
	D := 3 * K
	if len(x) != B*T*D || len(src) < len(x) {
		panic(fmt.Sprintf("finetune: Augmentation.Apply on %d values, scratch %d, for [%d, %d, %d]", len(x), len(src), B, T, D))
	}
	if a.Mix > 0 {
		copy(src, x)
		for _, g := range InstrumentGroups {
			for b := 0; b < B; b++ {
				take := rng.Float64() < a.Mix
				o := rng.IntN(B)
				if !take {
					continue
				}
				for t := 0; t < T; t++ {
					dst, from := x[(b*T+t)*D:], src[(o*T+t)*D:]
					for _, c := range g {
						dst[c], dst[K+c], dst[2*K+c] = from[c], from[K+c], from[2*K+c]
					}
				}
			}
		}
	}
	if a.Drop > 0 {
		for i := 0; i < B*T; i++ {
			s := x[i*D : (i+1)*D]
			for c := 0; c < K; c++ {
				if rng.Float64() < a.Drop && s[c] > 0.5 {
					s[c], s[K+c], s[2*K+c] = 0, 0, 0
				}
			}
		}
	}
}

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
// 9 hits, 9 velocities, 9 offsets a step). Zero values leave the batch as
// it is.
type Augmentation struct {
	// Mix is the chance that an instrument group of a window is replaced by
	// the same group of another window of the batch (drawn uniformly,
	// itself included).
	Mix float64
	// Toms is the chance that the low, mid and high toms of a window are
	// shuffled (a uniform permutation of the three, identity included):
	// which tom plays a fill, or which conga the GM map folds into which
	// tom, is an arrangement choice.
	Toms float64
	// HatRide is the chance that the closed hi-hat and the ride of a window
	// change places: drummers keep time on either.
	HatRide float64
	// Drop is the chance that a hit is removed (hit, velocity and offset set
	// to 0).
	Drop float64
}

// Active reports whether a changes anything.
func (a Augmentation) Active() bool { return a.Mix > 0 || a.Toms > 0 || a.HatRide > 0 || a.Drop > 0 }

// Check returns an error for chances outside [0, 1] or a representation
// other than groove.
func (a Augmentation) Check(rep music.Representation) error {
	for _, v := range []struct {
		name string
		p    float64
	}{{"mix", a.Mix}, {"toms", a.Toms}, {"hat-ride", a.HatRide}, {"drop", a.Drop}} {
		if !(v.p >= 0 && v.p <= 1) {
			return fmt.Errorf("augmentation %s %g: a chance must lie in [0, 1]", v.name, v.p)
		}
	}
	if a.Active() && rep != music.Groove {
		return fmt.Errorf("augmentation (mix, toms, hat-ride, drop) applies to groove windows; this model's representation is %s", rep)
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
//	for each window b:
//	    with chance Toms: permute classes 4, 5, 6 of x[b] (all three parts)
//	    with chance HatRide: swap classes 2 and 8 of x[b]
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
	if a.Toms > 0 || a.HatRide > 0 {
		for b := 0; b < B; b++ {
			var perm [K]int
			for c := range perm {
				perm[c] = c
			}
			moved := false
			if a.Toms > 0 && rng.Float64() < a.Toms {
				p := rng.Perm(3)
				perm[4], perm[5], perm[6] = 4+p[0], 4+p[1], 4+p[2]
				moved = true
			}
			if a.HatRide > 0 && rng.Float64() < a.HatRide {
				perm[2], perm[8] = 8, 2
				moved = true
			}
			if !moved {
				continue
			}
			for t := 0; t < T; t++ {
				s := x[(b*T+t)*D : (b*T+t+1)*D]
				var old [3 * K]float32
				copy(old[:], s)
				for c, from := range perm {
					s[c], s[K+c], s[2*K+c] = old[from], old[K+from], old[2*K+from]
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

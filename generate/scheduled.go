package generate

import (
	"fmt"
	"slices"
)

// Scheduled returns scheduled sampling's decoder inputs (Bengio et al.,
// "Scheduled Sampling for Sequence Prediction with Recurrent Neural
// Networks", 2015; Magenta's sampling_schedule and sampling_rate hparams):
// it decodes the B latent vectors z [B,Z] as Decode does, but at each step
// of each sequence (and of each split decoder) the token fed back is the
// sampled one with chance rate and x's token [B,T,D] (the target's)
// otherwise:
//
//	for t := 0; t < T; t++ {
//	    tok := sample(logits(prev))         // Decode's token, stream Seed+i
//	    if !(u < rate) { tok = x[t] }       // u: the stream's next uniform
//	    fed[t], prev = tok, tok
//	}
//
// It returns fed [B,T,D]; a trainer feeds it, shifted one step, to the
// teacher-forced pass in x's place (native.Model.LossAndGradFed). rate 0
// gives x's tokens back (teacher forcing), rate 1 free running. A rate
// outside [0, 1], or x of the wrong length, is an error.
func Scheduled(b Backend, z, x []float32, B int, rate float64, o Options) ([]float32, error) {
	c := b.Config()
	if !(rate >= 0 && rate <= 1) {
		return nil, fmt.Errorf("scheduled sampling rate %v: want a chance in [0, 1]", rate)
	}
	if err := checkBatch(B); err != nil {
		return nil, err
	}
	if len(x) != B*c.T()*c.InputSize {
		return nil, fmt.Errorf("x has %d values; want %d x %d x %d", len(x), B, c.T(), c.InputSize)
	}
	if o.Attribute != nil {
		z = slices.Clone(z)
		if err := o.shift(c, z); err != nil {
			return nil, err
		}
	}
	rngs := make([]*SplitMix64, B)
	for i := range rngs {
		rngs[i] = NewSplitMix64(o.Seed + uint64(i))
	}
	return decode(b, z, B, rngs, &teacher{x: x, rate: rate}, o)
}

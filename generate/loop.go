package generate

import (
	"fmt"
	"math"
	"slices"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// checkBatch refuses an empty (or negative) batch.
func checkBatch(B int) error {
	if B < 1 {
		return fmt.Errorf("an empty batch: %d sequences; want at least 1", B)
	}
	return nil
}

// Options of a generation run.
type Options struct {
	Temperature float64
	Seed        uint64
	// Attribute, when set, is added to every latent vector before it is
	// decoded, times Amount (an attribute vector, Shift).
	Attribute []float32
	Amount    float64
	// Progress, if set, is called after each decoded step (t of T).
	Progress func(t, T int)
}

// shift applies o's attribute vector to z in place.
func (o Options) shift(c *model.Config, z []float32) error {
	if o.Attribute == nil {
		return nil
	}
	if len(o.Attribute) != c.ZSize {
		return fmt.Errorf("the attribute vector has %d values; the model's z has %d", len(o.Attribute), c.ZSize)
	}
	if math.IsNaN(o.Amount) || math.IsInf(o.Amount, 0) {
		return fmt.Errorf("the attribute amount %v is not a finite number", o.Amount)
	}
	Shift(z, o.Attribute, o.Amount)
	return nil
}

// Decode decodes B latent vectors z [B,Z] into tokens [B,T,D]: the tokens
// exactly as fed back to the decoder. Sequence i draws from stream Seed+i.
// With o.Attribute, z is shifted first (a copy: z is left unchanged).
func Decode(b Backend, z []float32, B int, o Options) ([]float32, error) {
	if o.Attribute != nil {
		z = slices.Clone(z)
		if err := o.shift(b.Config(), z); err != nil {
			return nil, err
		}
	}
	rngs := make([]*SplitMix64, B)
	for i := range rngs {
		rngs[i] = NewSplitMix64(o.Seed + uint64(i))
	}
	return decode(b, z, B, rngs, nil, o)
}

// Sample draws n sequences from the prior: each sequence's z comes first from
// its own stream (normals computed in float64, cast to float32), then its
// tokens. It returns z [n,Z] and tokens [n,T,D].
func Sample(b Backend, n int, o Options) (z, tokens []float32, err error) {
	return around(b, nil, 0, n, o)
}

// Similar draws n variations of the latent vector mu [Z] at similarity s
// in [0, 1], as magenta.js's MusicVAE.similar does: a linear mix, not a
// slerp (magenta-js music/src/music_vae/model.ts, MusicVAE.similar, under
// "TODO(iansimon): use slerp instead of linear interpolation"; in the
// published @magenta/music 1.23.1, esm/music_vae/model.js line 717:
// `return tf.add(inputZs.mul(similarity), randZs.mul(1 - similarity));`):
//
//	z_i = s·mu + (1-s)·ε_i,  ε_i ~ N(0, I) from stream Seed+i
//
// computed in float64. Then, as Sample, each sequence's tokens come from the
// rest of its stream: at s = 0, Similar is Sample. o.Attribute shifts z
// after the mix.
func Similar(b Backend, mu []float32, n int, s float64, o Options) (z, tokens []float32, err error) {
	if len(mu) != b.Config().ZSize {
		panic(fmt.Sprintf("generate: Similar of a z of %d values, the model's has %d", len(mu), b.Config().ZSize))
	}
	if err := checkSimilarity(s); err != nil {
		return nil, nil, err
	}
	return around(b, mu, s, n, o)
}

// around draws n latent vectors s·mu + (1-s)·ε (ε alone for mu nil) and
// decodes them, each from its own stream.
func around(b Backend, mu []float32, s float64, n int, o Options) (z, tokens []float32, err error) {
	if err := checkBatch(n); err != nil {
		return nil, nil, err
	}
	c := b.Config()
	Z := c.ZSize
	z = make([]float32, n*Z)
	rngs := make([]*SplitMix64, n)
	buf := make([]float64, Z)
	for i := range rngs {
		rngs[i] = NewSplitMix64(o.Seed + uint64(i))
		rngs[i].Normals(buf)
		for k, v := range buf {
			if mu != nil {
				v = s*float64(mu[k]) + (1-s)*v
			}
			z[i*Z+k] = float32(v)
		}
	}
	if err := o.shift(c, z); err != nil {
		return nil, nil, err
	}
	tokens, err = decode(b, z, n, rngs, nil, o)
	return z, tokens, err
}

// teacher is scheduled sampling's mix (Scheduled): nil feeds back every
// sampled token.
type teacher struct {
	x    []float32 // the targets [B,T,D]
	rate float64   // the chance of feeding back the sample, not x's token
}

func decode(b Backend, z []float32, B int, rngs []*SplitMix64, th *teacher, o Options) ([]float32, error) {
	c := b.Config()
	if !(o.Temperature >= 0) || math.IsInf(o.Temperature, 1) {
		return nil, fmt.Errorf("temperature %v is not a finite number ≥ 0", o.Temperature)
	}
	if err := checkBatch(B); err != nil {
		return nil, err
	}
	if len(z) != B*c.ZSize {
		panic(fmt.Sprintf("generate: z has %d values for %d x %d", len(z), B, c.ZSize))
	}
	T, D, U, S, C := c.T(), c.InputSize, c.Segments, c.S(), c.CondWidth()
	cond := make([]float32, B*U*C)
	if err := b.Conduct(z, B, cond); err != nil {
		return nil, err
	}
	st, err := b.NewState(B)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	tokens := make([]float32, B*T*D)
	splits := newSplits(c, B, o.Temperature)
	cu := make([]float32, B*C)
	done := 0
	// step runs split k's step s of segment u: the sampled token is its next
	// step's prev, also across segments.
	step := func(k, u, s int) error {
		sp := splits[k]
		if err := b.DecoderStep(st, k, sp.prev, cu, sp.logits); err != nil {
			return err
		}
		t := u*S + s
		for i := 0; i < B; i++ {
			tok := sp.prev[i*sp.D : (i+1)*sp.D]
			sp.smp.Token(sp.logits[i*sp.D:(i+1)*sp.D], rngs[i], tok)
			if th != nil && !(rngs[i].Uniform() < th.rate) {
				copy(tok, th.x[(i*T+t)*D+sp.off:(i*T+t)*D+sp.off+sp.D])
			}
			copy(tokens[(i*T+t)*D+sp.off:], tok)
		}
		if done++; o.Progress != nil && done%len(splits) == 0 {
			o.Progress(done/len(splits), T)
		}
		return nil
	}
	for u := 0; u < U; u++ {
		for i := 0; i < B; i++ {
			copy(cu[i*C:(i+1)*C], cond[(i*U+u)*C:(i*U+u+1)*C])
		}
		// Every decoder's state is reset to init(c_u) at every segment.
		for k := range splits {
			if err := b.DecoderInit(st, k, cu); err != nil {
				return nil, err
			}
		}
		if c.SplitOrder() { // Magenta's trio: all of split 0's steps, then split 1's, …
			for k := range splits {
				for s := 0; s < S; s++ {
					if err := step(k, u, s); err != nil {
						return nil, err
					}
				}
			}
			continue
		}
		for s := 0; s < S; s++ {
			for k := range splits {
				if err := step(k, u, s); err != nil {
					return nil, err
				}
			}
		}
	}
	return tokens, nil
}

// split is one decoder's part of a generation run: its sampler, its last
// tokens (prev, zero at the start) and logits, and its columns in a step.
type split struct {
	D, off       int
	smp          *Sampler
	prev, logits []float32
}

func newSplits(c *model.Config, B int, temperature float64) []*split {
	var out []*split
	for k, D := range c.SplitDepths() {
		out = append(out, &split{D: D, off: c.SplitOffset(k),
			smp:  &Sampler{Rep: c.SplitRep(k), Temperature: temperature, Unmasked: !c.MaskedFeedback()},
			prev: make([]float32, B*D), logits: make([]float32, B*D)})
	}
	return out
}

// EncoderInput returns the encoder's input [B,T,D_in] of B windows of
// tokens x [B,T,D] (docs/FAMILIES.md §3): x itself for the spec's encoder.
// x of the wrong length is an error.
func EncoderInput(c *model.Config, x []float32, B int) ([]float32, error) {
	if err := checkBatch(B); err != nil {
		return nil, err
	}
	T, D := c.T(), c.InputSize
	if len(x) != B*T*D {
		return nil, fmt.Errorf("x has %d values; want %d x %d x %d", len(x), B, T, D)
	}
	in, err := music.ParseEncoderInput(c.EncoderInput)
	if err != nil {
		return nil, err
	}
	if in == music.AsTokens {
		return x, nil
	}
	xin := make([]float32, B*T*c.EncoderIn())
	in.Apply(xin, x, c.Rep(), B, T)
	return xin, nil
}

// Encode runs the encoder on its input x [B,T,D_in] (for tokens, see
// EncodeTokens) and returns mu and sigma [B,Z].
func Encode(b Backend, x []float32, B int) (mu, sigma []float32, err error) {
	c := b.Config()
	if err := checkBatch(B); err != nil {
		return nil, nil, err
	}
	if len(x) != B*c.T()*c.EncoderIn() {
		return nil, nil, fmt.Errorf("the encoder's input has %d values; want %d x %d x %d (D_in)", len(x), B, c.T(), c.EncoderIn())
	}
	mu = make([]float32, B*c.ZSize)
	sigma = make([]float32, B*c.ZSize)
	return mu, sigma, b.Encode(x, B, mu, sigma)
}

// EncodeTokens runs the encoder on the encoder input of tokens x [B,T,D]
// (EncoderInput) and returns mu and sigma [B,Z].
func EncodeTokens(b Backend, x []float32, B int) (mu, sigma []float32, err error) {
	xin, err := EncoderInput(b.Config(), x, B)
	if err != nil {
		return nil, nil, err
	}
	return Encode(b, xin, B)
}

// Forward runs the teacher-forced forward on tokens x [B,T,D] (the backend
// derives the encoder's input; Backend.Forward).
func Forward(b Backend, x, eps []float32, B int) (logits, mu, sigma []float32, err error) {
	c := b.Config()
	if err := checkBatch(B); err != nil {
		return nil, nil, nil, err
	}
	if len(x) != B*c.T()*c.InputSize || len(eps) != B*c.ZSize {
		return nil, nil, nil, fmt.Errorf("x (tokens) has %d values and eps %d; want %d x %d x %d and %d x %d", len(x), len(eps), B, c.T(), c.InputSize, B, c.ZSize)
	}
	logits = make([]float32, B*c.T()*c.InputSize)
	mu = make([]float32, B*c.ZSize)
	sigma = make([]float32, B*c.ZSize)
	return logits, mu, sigma, b.Forward(x, eps, B, logits, mu, sigma)
}

package native

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
)

// ref64 is a float64 MusicVAE written in the test from docs/FAMILIES.md
// §2.2 and §3 alone, one sequence at a time, sharing no code with the
// package: the reference for the forward, the generation loop and the
// gradients (through finite differences of its loss) of every family.
type ref64 struct {
	c *model.Config
	w map[string][]float64 // canonical names
}

func newRef64(c *model.Config, w model.Weights) *ref64 {
	r := &ref64{c: c, w: map[string][]float64{}}
	for n, t := range w {
		r.w[n] = to64(t.Data)
	}
	return r
}

func sig64(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

// lin is y = W v + b for the linear named name.
func (r *ref64) lin(name string, v []float64) []float64 {
	W, b := r.w[name+".weight"], r.w[name+".bias"]
	y := make([]float64, len(b))
	for j := range y {
		y[j] = b[j]
		for k, vk := range v {
			y[j] += W[j*len(v)+k] * vk
		}
	}
	return y
}

// cell is one step of PyTorch's LSTM layer sfx ("_l0", "_l1_reverse") of
// the LSTM named prefix.
func (r *ref64) cell(prefix, sfx string, x, h, cc []float64) ([]float64, []float64) {
	H, I := len(h), len(x)
	wih, whh := r.w[prefix+".weight_ih"+sfx], r.w[prefix+".weight_hh"+sfx]
	bih, bhh := r.w[prefix+".bias_ih"+sfx], r.w[prefix+".bias_hh"+sfx]
	g := make([]float64, 4*H)
	for j := range g {
		g[j] = bih[j] + bhh[j]
		for k := 0; k < I; k++ {
			g[j] += wih[j*I+k] * x[k]
		}
		for k := 0; k < H; k++ {
			g[j] += whh[j*H+k] * h[k]
		}
	}
	h2, c2 := make([]float64, H), make([]float64, H)
	for k := 0; k < H; k++ {
		c2[k] = sig64(g[H+k])*cc[k] + sig64(g[k])*math.Tanh(g[2*H+k])
		h2[k] = sig64(g[3*H+k]) * math.Tanh(c2[k])
	}
	return h2, c2
}

// init is init(v, lin, L, H): tanh(lin(v)) viewed [2, L, H], h first.
func (r *ref64) init(name string, v []float64, L, H int) (h, c [][]float64) {
	s := r.lin(name, v)
	for l := 0; l < L; l++ {
		hl, cl := make([]float64, H), make([]float64, H)
		for k := 0; k < H; k++ {
			hl[k], cl[k] = math.Tanh(s[l*H+k]), math.Tanh(s[(L+l)*H+k])
		}
		h, c = append(h, hl), append(c, cl)
	}
	return h, c
}

// birnn runs a bidirectional stack from zero state over seq and returns
// concat(h_n[-2], h_n[-1]).
func (r *ref64) birnn(prefix string, sz model.LSTMSize, seq [][]float64) []float64 {
	T, H := len(seq), sz.Hidden
	var hf, hb []float64
	for k := 0; k < sz.Layers; k++ {
		outF, outB := make([][]float64, T), make([][]float64, T)
		h, cc := make([]float64, H), make([]float64, H)
		for t := 0; t < T; t++ {
			h, cc = r.cell(prefix, fmt.Sprintf("_l%d", k), seq[t], h, cc)
			outF[t] = h
		}
		hf = h
		h, cc = make([]float64, H), make([]float64, H)
		for t := T - 1; t >= 0; t-- {
			h, cc = r.cell(prefix, fmt.Sprintf("_l%d_reverse", k), seq[t], h, cc)
			outB[t] = h
		}
		hb = h
		next := make([][]float64, T)
		for t := range next {
			next[t] = append(slices.Clone(outF[t]), outB[t]...)
		}
		seq = next
	}
	return append(slices.Clone(hf), hb...)
}

// encoderInput is §3's encoder input of one step's token.
func (r *ref64) encoderInput(tok []float64) []float64 {
	switch r.c.EncoderInput {
	case "roll":
		k := slices.Index(tok, 1)
		out := make([]float64, 10)
		for j := 0; j < 9; j++ {
			out[j] = float64((k >> j) & 1)
		}
		if k == 0 {
			out[9] = 1
		}
		return out
	case "humanize":
		out := make([]float64, 27)
		copy(out, tok[:9])
		return out
	case "tapify":
		out := make([]float64, 27)
		best := -1
		for c := 0; c < 9; c++ {
			if tok[c] == 1 && (best < 0 || tok[9+c] > tok[9+best]) {
				best = c
			}
		}
		if best >= 0 {
			out[3], out[18+3] = 1, tok[18+best]
		}
		return out
	}
	return slices.Clone(tok)
}

// encode gives mu and sigma of one window of tokens x [T][D].
func (r *ref64) encode(x [][]float64) (mu, sigma []float64) {
	c := r.c
	xin := make([][]float64, len(x))
	for t := range x {
		xin[t] = r.encoderInput(x[t])
	}
	var h []float64
	if c.Hierarchical() {
		e := xin
		Ue := c.EncoderSegments
		for l, sz := range c.EncoderLevels {
			prefix := fmt.Sprintf("encoder.level%d.lstm", l)
			if l == 0 {
				P := len(e) / Ue
				var embs [][]float64
				for u := 0; u < Ue; u++ {
					embs = append(embs, r.birnn(prefix, sz, e[u*P:(u+1)*P]))
				}
				e = embs
			} else {
				e = [][]float64{r.birnn(prefix, sz, e)}
			}
		}
		h = e[0]
	} else {
		h = r.birnn("encoder.lstm", c.Encoder, xin)
	}
	mu = r.lin("encoder.mu", h)
	sigma = r.lin("encoder.sigma", h)
	for k, v := range sigma {
		sigma[k] = math.Log1p(math.Exp(v))
	}
	return mu, sigma
}

// conduct is cond [U][C]: the conductor's outputs, or z.
func (r *ref64) conduct(z []float64) [][]float64 {
	c := r.c
	if !c.HasConductor() {
		return [][]float64{slices.Clone(z)}
	}
	L := c.Conductor.Layers
	h, cc := r.init("conductor.init", z, L, c.Conductor.Hidden)
	var out [][]float64
	for u := 0; u < c.Segments; u++ {
		in := []float64{0}
		for l := 0; l < L; l++ {
			h[l], cc[l] = r.cell("conductor.lstm", fmt.Sprintf("_l%d", l), in, h[l], cc[l])
			in = h[l]
		}
		out = append(out, in)
	}
	return out
}

// refDec is one split decoder's state within a segment.
type refDec struct {
	k     int
	cu    []float64
	h, cc [][]float64
}

func (r *ref64) decInit(k int, cu []float64) *refDec {
	h, cc := r.init(r.c.DecoderPrefix(k)+".init", cu, r.c.Decoder.Layers, r.c.Decoder.Hidden)
	return &refDec{k: k, cu: cu, h: h, cc: cc}
}

// step feeds split k's prev and returns its logits.
func (r *ref64) step(d *refDec, prev []float64) []float64 {
	p := r.c.DecoderPrefix(d.k)
	in := append(slices.Clone(prev), d.cu...)
	for l := range d.h {
		d.h[l], d.cc[l] = r.cell(p+".lstm", fmt.Sprintf("_l%d", l), in, d.h[l], d.cc[l])
		in = d.h[l]
	}
	return r.lin(p+".out", in)
}

// forward is the teacher-forced forward of one window: logits [T][D].
func (r *ref64) forward(x [][]float64, eps []float64) (mu, sigma []float64, logits [][]float64) {
	return r.forwardFed(x, x, eps)
}

// forwardFed is forward with the decoders fed fed's tokens (shifted one
// step) in place of x's; the encoder reads x.
func (r *ref64) forwardFed(x, fed [][]float64, eps []float64) (mu, sigma []float64, logits [][]float64) {
	c := r.c
	mu, sigma = r.encode(x)
	z := make([]float64, len(mu))
	for k := range z {
		z[k] = mu[k] + sigma[k]*eps[k]
	}
	cond := r.conduct(z)
	T, S := c.T(), c.S()
	logits = make([][]float64, T)
	for t := range logits {
		logits[t] = make([]float64, c.InputSize)
	}
	for u, cu := range cond {
		for k, Dk := range c.SplitDepths() {
			off := c.SplitOffset(k)
			d := r.decInit(k, cu)
			for s := 0; s < S; s++ {
				t := u*S + s
				prev := make([]float64, Dk)
				if t > 0 {
					copy(prev, fed[t-1][off:off+Dk])
				}
				copy(logits[t][off:], r.step(d, prev))
			}
		}
	}
	return mu, sigma, logits
}

// loss is the spec's loss of one window (the batch mean is the caller's):
// the reconstruction summed over steps and splits, each split with its
// representation's loss, plus beta * max(KL - free_bits ln 2, 0).
func (r *ref64) loss(x [][]float64, eps []float64, beta, fb float64) float64 {
	return r.lossFed(x, x, eps, beta, fb)
}

// lossFed is loss with the decoders fed fed's tokens (forwardFed); the
// targets stay x's.
func (r *ref64) lossFed(x, fed [][]float64, eps []float64, beta, fb float64) float64 {
	c := r.c
	mu, sigma, logits := r.forwardFed(x, fed, eps)
	kl := 0.0
	for k := range mu {
		kl += 0.5*(mu[k]*mu[k]+sigma[k]*sigma[k]-1) - math.Log(sigma[k])
	}
	rec := 0.0
	for t := range logits {
		for k, Dk := range c.SplitDepths() {
			off := c.SplitOffset(k)
			lg, y := logits[t][off:off+Dk], x[t][off:off+Dk]
			if c.SplitRep(k) == "groove" {
				for j := 0; j < 9; j++ {
					rec += math.Max(lg[j], 0) - lg[j]*y[j] + math.Log1p(math.Exp(-math.Abs(lg[j])))
					rec += math.Pow(sig64(lg[9+j])-y[9+j], 2) + math.Pow(math.Tanh(lg[18+j])-y[18+j], 2)
				}
				continue
			}
			tgt := slices.Index(y, 1)
			mx := slices.Max(lg)
			se := 0.0
			for _, v := range lg {
				se += math.Exp(v - mx)
			}
			rec += mx + math.Log(se) - lg[tgt]
		}
	}
	return rec + beta*math.Max(kl-fb*math.Ln2, 0)
}

// loss64 is the batch mean of loss over x [B, T, D].
func (r *ref64) loss64(x, eps []float64, B int, beta, fb float64) float64 {
	return r.lossFed64(x, x, eps, B, beta, fb)
}

// lossFed64 is the batch mean of lossFed over x and fed [B, T, D].
func (r *ref64) lossFed64(x, fed, eps []float64, B int, beta, fb float64) float64 {
	T, D, Z := r.c.T(), r.c.InputSize, r.c.ZSize
	total := 0.0
	for b := 0; b < B; b++ {
		total += r.lossFed(window(x[b*T*D:(b+1)*T*D], T, D), window(fed[b*T*D:(b+1)*T*D], T, D), eps[b*Z:(b+1)*Z], beta, fb)
	}
	return total / float64(B)
}

// token is §4's sampler on float64 logits of split k's representation.
func (r *ref64) token(k int, l []float64, temp float64, rng *generate.SplitMix64) []float64 {
	tok := make([]float64, len(l))
	if r.c.SplitRep(k) == "groove" {
		unmasked := r.c.GrooveFeedback == "unmasked"
		for j := 0; j < 9; j++ {
			u := rng.Uniform()
			hit := l[j] > 0
			if temp > 0 {
				hit = u < sig64(l[j]/temp)
			}
			if hit {
				tok[j] = 1
			}
			if hit || unmasked {
				tok[9+j], tok[18+j] = sig64(l[9+j]), math.Tanh(l[18+j])
			}
		}
		return tok
	}
	u := rng.Uniform()
	best := 0
	if temp == 0 {
		for i, v := range l {
			if v > l[best] {
				best = i
			}
		}
	} else {
		mx := slices.Max(l)
		p := make([]float64, len(l))
		sum := 0.0
		for i, v := range l {
			p[i] = math.Exp(v/temp - mx/temp)
			sum += p[i]
		}
		best = len(l) - 1
		acc := 0.0
		for i := range p {
			acc += p[i] / sum
			if u < acc {
				best = i
				break
			}
		}
	}
	tok[best] = 1
	return tok
}

// sample is generate.Sample's sequence i written from §4: z from the
// stream seed+i, then every split's steps in the config's order, each
// split fed its own last token across segments.
func (r *ref64) sample(seed uint64, temp float64) (z []float64, tokens [][]float64) {
	c := r.c
	rng := generate.NewSplitMix64(seed)
	z = make([]float64, c.ZSize)
	rng.Normals(z)
	for k, v := range z {
		z[k] = float64(float32(v))
	}
	tokens = make([][]float64, c.T())
	for t := range tokens {
		tokens[t] = make([]float64, c.InputSize)
	}
	deps := c.SplitDepths()
	prev := make([][]float64, len(deps))
	for k, Dk := range deps {
		prev[k] = make([]float64, Dk)
	}
	S := c.S()
	for u, cu := range r.conduct(z) {
		decs := make([]*refDec, len(deps))
		for k := range deps {
			decs[k] = r.decInit(k, cu)
		}
		one := func(k, s int) {
			prev[k] = r.token(k, r.step(decs[k], prev[k]), temp, rng)
			copy(tokens[u*S+s][c.SplitOffset(k):], prev[k])
		}
		if c.SamplingOrder == "split" {
			for k := range deps {
				for s := 0; s < S; s++ {
					one(k, s)
				}
			}
		} else {
			for s := 0; s < S; s++ {
				for k := range deps {
					one(k, s)
				}
			}
		}
	}
	return z, tokens
}

// window views x [T*D] as [T][D] in float64.
func window(x []float64, T, D int) [][]float64 {
	out := make([][]float64, T)
	for t := range out {
		out[t] = x[t*D : (t+1)*D]
	}
	return out
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, f := range v {
		out[i] = float64(f)
	}
	return out
}

// tinyFamily builds the model of model.TinyFamilies()[name] with random
// weights (normal, sd 0.5) from a seeded stream.
func tinyFamily(t testing.TB, name string, seed uint64) (*model.Config, model.Weights, *Model) {
	t.Helper()
	c := model.TinyFamilies()[name]
	if c == nil {
		c = extraFamilies()[name]
	}
	if c == nil {
		t.Fatalf("no tiny family %q", name)
	}
	return randomModel(t, c, seed)
}

func randomModel(t testing.TB, c *model.Config, seed uint64) (*model.Config, model.Weights, *Model) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	w := model.Weights{}
	for _, p := range c.Params() {
		tn := model.NewTensorOf(p.Shape)
		for i := range tn.Data {
			tn.Data[i] = float32(rng.NormFloat64() * 0.5)
		}
		w[p.Name] = tn
	}
	m, err := New(c, w)
	if err != nil {
		t.Fatal(err)
	}
	return c, w, m
}

// families are the names of model.TinyFamilies, sorted.
func families() []string {
	var out []string
	for n := range model.TinyFamilies() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// extraFamilies are layouts TinyFamilies does not hold, put together from
// the same fields: two-layer levels of a hierarchical encoder under a trio
// without a conductor, and a flat melody decoder under a two-layer encoder.
func extraFamilies() map[string]*model.Config {
	fs := model.TinyFamilies()
	c := *fs["trio_hier"]
	c.EncoderLevels = []model.LSTMSize{{Hidden: 4, Layers: 2}, {Hidden: 3, Layers: 2}}
	c.EncoderSegments, c.Segments, c.Conductor, c.Magenta = 4, 1, model.LSTMSize{}, nil
	m := *fs["mel_2bar"]
	m.Encoder, m.Decoder, m.Magenta = model.LSTMSize{Hidden: 5, Layers: 2}, model.LSTMSize{Hidden: 4, Layers: 3}, nil
	return map[string]*model.Config{"trio_hier2_flat": &c, "mel_enc2_dec3": &m}
}

//go:build cgo

package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// ref is an independent float64 implementation of docs/FAMILIES.md §2.2 on
// canonical (PyTorch-layout) weights: it shares no code with graphs/ (no
// ONNX gate mapping) nor with the native runtime, so that the graphs are
// held to the document rather than to another implementation of it.
type ref struct {
	c *model.Config
	w model.Weights
}

// randomWeights fills every canonical parameter of c with uniform values
// in [-a, a], seeded.
func randomWeights(c *model.Config, seed uint64, a float64) model.Weights {
	rng := rand.New(rand.NewPCG(seed, 7))
	w := model.Weights{}
	for _, p := range c.Params() {
		t := model.NewTensorOf(p.Shape)
		for i := range t.Data {
			t.Data[i] = float32((rng.Float64()*2 - 1) * a)
		}
		w[p.Name] = t
	}
	return w
}

// affine is W x + b for W [out, in] (b may be absent: zero).
func (m *ref) affine(wname, bname string, x []float64) []float64 {
	W := m.w[wname]
	out, in := W.Shape[0], W.Shape[1]
	if len(x) != in {
		panic(fmt.Sprintf("ref: %s takes %d values, got %d", wname, in, len(x)))
	}
	y := make([]float64, out)
	for r := 0; r < out; r++ {
		s := 0.0
		if bname != "" {
			s = float64(m.w[bname].Data[r])
		}
		for k, v := range x {
			s += float64(W.Data[r*in+k]) * v
		}
		y[r] = s
	}
	return y
}

func (m *ref) linear(name string, x []float64) []float64 {
	return m.affine(name+".weight", name+".bias", x)
}

func sig(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// cell is one step of PyTorch's LSTM cell (gates i, f, g, o) for the
// parameters prefix.*_l{k}{sfx}.
func (m *ref) cell(prefix string, k int, sfx string, x, h, c []float64) ([]float64, []float64) {
	p := fmt.Sprintf("%s.%%s_l%d%s", prefix, k, sfx)
	g := m.affine(fmt.Sprintf(p, "weight_ih"), fmt.Sprintf(p, "bias_ih"), x)
	gh := m.affine(fmt.Sprintf(p, "weight_hh"), fmt.Sprintf(p, "bias_hh"), h)
	H := len(h)
	h2, c2 := make([]float64, H), make([]float64, H)
	for j := 0; j < H; j++ {
		i := sig(g[j] + gh[j])
		f := sig(g[H+j] + gh[H+j])
		gg := math.Tanh(g[2*H+j] + gh[2*H+j])
		o := sig(g[3*H+j] + gh[3*H+j])
		c2[j] = f*c[j] + i*gg
		h2[j] = o * math.Tanh(c2[j])
	}
	return h2, c2
}

// bidi runs a bidirectional stack of the given layers from zero states on
// seq and returns concat(h_n[-2], h_n[-1]).
func (m *ref) bidi(prefix string, layers, H int, seq [][]float64) []float64 {
	var last []float64
	for k := 0; k < layers; k++ {
		T := len(seq)
		fw, bw := make([][]float64, T), make([][]float64, T)
		h, c := make([]float64, H), make([]float64, H)
		for t := 0; t < T; t++ {
			h, c = m.cell(prefix, k, "", seq[t], h, c)
			fw[t] = h
		}
		hf := h
		h, c = make([]float64, H), make([]float64, H)
		for t := T - 1; t >= 0; t-- {
			h, c = m.cell(prefix, k, "_reverse", seq[t], h, c)
			bw[t] = h
		}
		last = append(append([]float64{}, hf...), h...)
		next := make([][]float64, T)
		for t := range next {
			next[t] = append(append([]float64{}, fw[t]...), bw[t]...)
		}
		seq = next
	}
	return last
}

// encoderInput is docs/FAMILIES.md §3 on one window of tokens [T][D].
func (m *ref) encoderInput(x [][]float64) [][]float64 {
	const C = music.NumDrumClasses
	out := make([][]float64, len(x))
	for t, tok := range x {
		switch m.c.EncoderInput {
		case "":
			out[t] = append([]float64{}, tok...)
		case "roll": // the class hit is the index of the one-hot; its bits, then NOR
			k := 0
			for i, v := range tok {
				if v == 1 {
					k = i
				}
			}
			row := make([]float64, C+1)
			for j := 0; j < C; j++ {
				if k&(1<<j) != 0 {
					row[j] = 1
				}
			}
			if k == 0 {
				row[C] = 1
			}
			out[t] = row
		case "humanize":
			row := make([]float64, 3*C)
			copy(row, tok[:C])
			out[t] = row
		case "tapify":
			row := make([]float64, 3*C)
			best := -1
			for j := 0; j < C; j++ {
				if tok[j] == 1 && (best < 0 || tok[C+j] > tok[C+best]) {
					best = j
				}
			}
			if best >= 0 {
				row[3] = 1
				row[2*C+3] = tok[2*C+best]
			}
			out[t] = row
		default:
			panic("ref: encoder input " + m.c.EncoderInput)
		}
	}
	return out
}

// encode maps an encoder input [T][D_in] to mu and sigma.
func (m *ref) encode(xin [][]float64) (mu, sigma []float64) {
	c := m.c
	var h []float64
	if c.Hierarchical() {
		Ue := c.EncoderSegments
		n := len(xin) / Ue
		var embs [][]float64
		for u := 0; u < Ue; u++ {
			l0 := c.EncoderLevels[0]
			embs = append(embs, m.bidi("encoder.level0.lstm", l0.Layers, l0.Hidden, xin[u*n:(u+1)*n]))
		}
		l1 := c.EncoderLevels[1]
		h = m.bidi("encoder.level1.lstm", l1.Layers, l1.Hidden, embs)
	} else {
		h = m.bidi("encoder.lstm", c.Encoder.Layers, c.Encoder.Hidden, xin)
	}
	mu = m.linear("encoder.mu", h)
	sigma = m.linear("encoder.sigma", h)
	for i, v := range sigma {
		sigma[i] = math.Log1p(math.Exp(v))
	}
	return mu, sigma
}

// initState is init(v) of spec §2: tanh(lin(v)) read as [2, L, H].
func (m *ref) initState(lin string, L, H int, v []float64) (h, c [][]float64) {
	s := m.linear(lin, v)
	for l := 0; l < L; l++ {
		hl, cl := make([]float64, H), make([]float64, H)
		for j := 0; j < H; j++ {
			hl[j] = math.Tanh(s[l*H+j])
			cl[j] = math.Tanh(s[(L+l)*H+j])
		}
		h, c = append(h, hl), append(c, cl)
	}
	return h, c
}

// conduct gives the U segment embeddings [U][C]: the conductor's top layer,
// or z itself without a conductor.
func (m *ref) conduct(z []float64) [][]float64 {
	c := m.c
	if !c.HasConductor() {
		return [][]float64{append([]float64{}, z...)}
	}
	L, H := c.Conductor.Layers, c.Conductor.Hidden
	h, cc := m.initState("conductor.init", L, H, z)
	var out [][]float64
	for u := 0; u < c.Segments; u++ {
		x := []float64{0}
		for l := 0; l < L; l++ {
			h[l], cc[l] = m.cell("conductor.lstm", l, "", x, h[l], cc[l])
			x = h[l]
		}
		out = append(out, x)
	}
	return out
}

// decState is one split decoder's state.
type decState struct{ h, c [][]float64 }

func (m *ref) decInit(k int, cu []float64) *decState {
	h, c := m.initState(m.c.DecoderPrefix(k)+".init", m.c.Decoder.Layers, m.c.Decoder.Hidden, cu)
	return &decState{h, c}
}

// decStep feeds split k's prev and cu, advances st and returns its logits.
func (m *ref) decStep(k int, st *decState, prev, cu []float64) []float64 {
	pre := m.c.DecoderPrefix(k)
	x := append(append([]float64{}, prev...), cu...)
	for l := range st.h {
		st.h[l], st.c[l] = m.cell(pre+".lstm", l, "", x, st.h[l], st.c[l])
		x = st.h[l]
	}
	return m.linear(pre+".out", x)
}

// forward is the teacher-forced forward of one window of tokens [T][D].
func (m *ref) forward(x [][]float64, eps []float64) (logits [][]float64, mu, sigma []float64) {
	c := m.c
	mu, sigma = m.encode(m.encoderInput(x))
	z := make([]float64, len(mu))
	for i := range z {
		z[i] = mu[i] + sigma[i]*eps[i]
	}
	cond := m.conduct(z)
	T, D, S := c.T(), c.InputSize, c.S()
	logits = make([][]float64, T)
	for t := range logits {
		logits[t] = make([]float64, D)
	}
	for u := range cond {
		for k, Dk := range c.SplitDepths() {
			off := c.SplitOffset(k)
			st := m.decInit(k, cond[u])
			for s := 0; s < S; s++ {
				t := u*S + s
				prev := make([]float64, Dk)
				if t > 0 {
					copy(prev, x[t-1][off:off+Dk])
				}
				copy(logits[t][off:], m.decStep(k, st, prev, cond[u]))
			}
		}
	}
	return logits, mu, sigma
}

// sample decodes one z into tokens [T][D] as docs/FAMILIES.md §4 says:
// each segment resets every decoder to init(c_u); each split's prev is its
// own last token; with sampling_order split a segment draws all steps of
// split 0, then of split 1, …; every draw comes from the one stream rng.
func (m *ref) sample(z []float64, temperature float64, rng *generate.SplitMix64) [][]float32 {
	c := m.c
	T, D, S := c.T(), c.InputSize, c.S()
	toks := make([][]float32, T)
	for t := range toks {
		toks[t] = make([]float32, D)
	}
	depths := c.SplitDepths()
	prev := make([][]float64, len(depths))
	smp := make([]*generate.Sampler, len(depths))
	for k, Dk := range depths {
		prev[k] = make([]float64, Dk)
		smp[k] = &generate.Sampler{Rep: c.SplitRep(k), Temperature: temperature, Unmasked: c.GrooveFeedback == "unmasked"}
	}
	cond := m.conduct(z)
	for u := range cond {
		sts := make([]*decState, len(depths))
		for k := range depths {
			sts[k] = m.decInit(k, cond[u])
		}
		draw := func(k, s int) {
			l64 := m.decStep(k, sts[k], prev[k], cond[u])
			l := make([]float32, len(l64))
			for i, v := range l64 {
				l[i] = float32(v)
			}
			tok := make([]float32, depths[k])
			smp[k].Token(l, rng, tok)
			copy(toks[u*S+s][c.SplitOffset(k):], tok)
			for i, v := range tok {
				prev[k][i] = float64(v)
			}
		}
		if c.SamplingOrder == "split" {
			for k := range depths {
				for s := 0; s < S; s++ {
					draw(k, s)
				}
			}
		} else {
			for s := 0; s < S; s++ {
				for k := range depths {
					draw(k, s)
				}
			}
		}
	}
	return toks
}

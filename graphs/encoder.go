package graphs

import (
	"fmt"

	"github.com/musicvae-go/mvae/model"
)

// bidiStack runs a bidirectional LSTM stack of the given layers (parameters
// prefix.*) from zero states on seq [T', B', I], and returns concat(h_n[-2],
// h_n[-1]): the top layer's forward and backward final states, [B', 2H].
func (b *builder) bidiStack(seq, prefix string, layers int, w model.Weights) string {
	var yh string
	for k := 0; k < layers; k++ {
		var y string
		y, yh, _ = b.lstmLayer(seq, prefix, k, true, "", "", w)
		if k+1 < layers {
			y = b.op("Transpose", []string{y}, IntsAttr("perm", 0, 2, 1, 3)) // [T', B', 2, H]
			seq = b.op("Reshape", []string{y, b.int64s(0, 0, -1)})
		}
	}
	h := b.op("Transpose", []string{yh}, IntsAttr("perm", 1, 0, 2)) // [B', 2, H]
	return b.op("Reshape", []string{h, b.int64s(0, -1)})
}

// encoder adds the encoder of docs/FAMILIES.md §2.2 to its input x ([B, T,
// D_in]): the spec's flat bidirectional stack, or a hierarchical encoder.
// It returns mu and sigma [B, Z].
func (b *builder) encoder(x string, c *model.Config, w model.Weights) (mu, sigma string) {
	var h string
	if c.Hierarchical() {
		h = b.hierEncoder(x, c, w)
	} else {
		seq := b.op("Transpose", []string{x}, IntsAttr("perm", 1, 0, 2)) // [T, B, D_in]
		h = b.bidiStack(seq, "encoder.lstm", c.Encoder.Layers, w)
	}
	mu = b.linear(h, "encoder.mu", w)
	sigma = b.op("Softplus", []string{b.linear(h, "encoder.sigma", w)})
	return mu, sigma
}

// hierEncoder adds a two-level hierarchical encoder: level 0 reads x [B, T,
// D_in] in U_e consecutive pieces of T/U_e steps (as B·U_e sequences), level 1
// reads each window's U_e level-0 embeddings in order. It returns [B, 2H_top].
func (b *builder) hierEncoder(x string, c *model.Config, w model.Weights) string {
	Ue, Din := int64(c.EncoderSegments), int64(c.EncoderIn())
	e := b.op("Reshape", []string{x, b.int64s(-1, int64(c.T())/Ue, Din)}) // [B·U_e, T/U_e, D_in]
	for l, lv := range c.EncoderLevels {
		if l > 0 {
			prevH := int64(2 * c.EncoderLevels[l-1].Hidden)
			e = b.op("Reshape", []string{e, b.int64s(-1, Ue, prevH)}) // [B, U_e, 2H_{l-1}]
		}
		seq := b.op("Transpose", []string{e}, IntsAttr("perm", 1, 0, 2)) // time-major
		e = b.bidiStack(seq, fmt.Sprintf("encoder.level%d.lstm", l), lv.Layers, w)
	}
	return e
}

// BuildEncoder: x [B,T,D_in] -> mu, sigma [B,Z].
func BuildEncoder(c *model.Config, w model.Weights) *Model {
	return buildEncoder(c, w, false)
}

func buildEncoder(c *model.Config, w model.Weights, chunked bool) *Model {
	b := newBuilder(Encoder)
	b.chunked = chunked
	b.input("x", []int64{-1, int64(c.T()), int64(c.EncoderIn())})
	mu, sigma := b.encoder("x", c, w)
	b.rename(mu, "mu")
	b.rename(sigma, "sigma")
	b.output("mu", []int64{-1, int64(c.ZSize)})
	b.output("sigma", []int64{-1, int64(c.ZSize)})
	return b.model()
}

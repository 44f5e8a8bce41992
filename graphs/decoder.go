package graphs

import (
	"github.com/musicvae-go/mvae/model"
)

// initState adds init(v, lin, L, H) of spec §2: tanh(lin(v)).view(B, 2, L, H),
// transposed to [2, L, B, H]; it returns h0 and c0, [L, B, H] each.
func (b *builder) initState(v, lin string, L, H int, w model.Weights) (h0, c0 string) {
	s := b.op("Tanh", []string{b.linear(v, lin, w)})
	s = b.op("Reshape", []string{s, b.int64s(0, 2, int64(L), int64(H))})
	s = b.op("Transpose", []string{s}, IntsAttr("perm", 1, 2, 0, 3))
	h0 = b.op("Gather", []string{s, b.int64s(0)}, IntAttr("axis", 0))
	c0 = b.op("Gather", []string{s, b.int64s(1)}, IntAttr("axis", 0))
	h0 = b.op("Squeeze", []string{h0, b.int64s(0)})
	c0 = b.op("Squeeze", []string{c0, b.int64s(0)})
	return h0, c0
}

// conductor adds the conductor to z ([B, Z]); returns cond [U, B, Hc].
func (b *builder) conductor(z string, c *model.Config, w model.Weights) string {
	U := int64(c.Segments)
	h0, c0 := b.initState(z, "conductor.init", c.Conductor.Layers, c.Conductor.Hidden, w)
	batch := b.op("Slice", []string{b.op("Shape", []string{z}), b.int64s(0), b.int64s(1)})
	shape := b.op("Concat", []string{b.int64s(U), batch, b.int64s(1)}, IntAttr("axis", 0))
	seq := b.op("ConstantOfShape", []string{shape}) // zeros [U, B, 1]
	for k := 0; k < c.Conductor.Layers; k++ {
		y, _, _ := b.lstmLayer(seq, "conductor.lstm", k, false, b.layerState(h0, k), b.layerState(c0, k), w)
		seq = b.op("Squeeze", []string{y, b.int64s(1)}) // [U, B, Hc]
	}
	return seq
}

// decoderLayers runs the LSTM stack of decoder prefix ("decoder" or
// "decoders.k") on seq [S, B, D_k+C] from states h0, c0 [Ld, B, Hd]; returns
// the top layer's outputs [S, B, Hd] and the final states of each layer
// ([1, B, Hd] each).
func (b *builder) decoderLayers(seq, h0, c0, prefix string, c *model.Config, w model.Weights) (string, []string, []string) {
	var hs, cs []string
	for k := 0; k < c.Decoder.Layers; k++ {
		y, yh, yc := b.lstmLayer(seq, prefix+".lstm", k, false, b.layerState(h0, k), b.layerState(c0, k), w)
		seq = b.op("Squeeze", []string{y, b.int64s(1)})
		hs, cs = append(hs, yh), append(cs, yc)
	}
	return seq, hs, cs
}

// BuildConductor: z [B,Z] -> cond [B,U,Hc]. Only a model with a conductor
// has this graph.
func BuildConductor(c *model.Config, w model.Weights) *Model {
	return buildConductor(c, w, false)
}

func buildConductor(c *model.Config, w model.Weights, chunked bool) *Model {
	b := newBuilder(Conductor)
	b.chunked = chunked
	b.input("z", []int64{-1, int64(c.ZSize)})
	cond := b.conductor("z", c, w)
	b.rename(b.op("Transpose", []string{cond}, IntsAttr("perm", 1, 0, 2)), "cond")
	b.output("cond", []int64{-1, int64(c.Segments), int64(c.Conductor.Hidden)})
	return b.model()
}

// BuildDecoderInit: split decoder k's init, c [B,C] -> h, c0 [Ld,B,Hd].
func BuildDecoderInit(c *model.Config, w model.Weights, k int) *Model {
	return buildDecoderInit(c, w, k, false)
}

func buildDecoderInit(c *model.Config, w model.Weights, k int, chunked bool) *Model {
	b := newBuilder(DecoderInitOf(c, k))
	b.chunked = chunked
	b.input("c", []int64{-1, int64(c.CondWidth())})
	h0, c0 := b.initState("c", c.DecoderPrefix(k)+".init", c.Decoder.Layers, c.Decoder.Hidden, w)
	b.rename(h0, "h")
	b.rename(c0, "c0")
	st := []int64{int64(c.Decoder.Layers), -1, int64(c.Decoder.Hidden)}
	b.output("h", st)
	b.output("c0", st)
	return b.model()
}

// BuildDecoderStep: split decoder k's step, prev [B,D_k], cu [B,C], h, c
// [Ld,B,Hd] -> logits [B,D_k], h_out, c_out.
func BuildDecoderStep(c *model.Config, w model.Weights, k int) *Model {
	return buildDecoderStep(c, w, k, false)
}

func buildDecoderStep(c *model.Config, w model.Weights, k int, chunked bool) *Model {
	b := newBuilder(DecoderStepOf(c, k))
	b.chunked = chunked
	D, C := int64(c.SplitDepths()[k]), int64(c.CondWidth())
	Hd, Ld := int64(c.Decoder.Hidden), int64(c.Decoder.Layers)
	b.input("prev", []int64{-1, D})
	b.input("cu", []int64{-1, C})
	b.input("h", []int64{Ld, -1, Hd})
	b.input("c", []int64{Ld, -1, Hd})
	x := b.op("Concat", []string{"prev", "cu"}, IntAttr("axis", 1))
	x = b.op("Unsqueeze", []string{x, b.int64s(0)}) // [1, B, D_k+C]
	pre := c.DecoderPrefix(k)
	top, hs, cs := b.decoderLayers(x, "h", "c", pre, c, w)
	top = b.op("Squeeze", []string{top, b.int64s(0)}) // [B, Hd]
	b.rename(b.linear(top, pre+".out", w), "logits")
	if len(hs) == 1 {
		b.rename(b.op("Identity", []string{hs[0]}), "h_out")
		b.rename(b.op("Identity", []string{cs[0]}), "c_out")
	} else {
		b.rename(b.op("Concat", hs, IntAttr("axis", 0)), "h_out")
		b.rename(b.op("Concat", cs, IntAttr("axis", 0)), "c_out")
	}
	b.output("logits", []int64{-1, D})
	b.output("h_out", []int64{Ld, -1, Hd})
	b.output("c_out", []int64{Ld, -1, Hd})
	return b.model()
}

package graphs

import (
	"github.com/musicvae-go/mvae/model"
)

// BuildFull builds the teacher-forced forward of docs/FAMILIES.md §2.2 (spec
// §2 for a model of the spec) as the graph a PyTorch user exports (spec §3):
// x [B,T,D], eps [B,Z] (and x_in [B,T,D_in] when HasEncoderInput) -> logits,
// mu, sigma, with the config in metadata_props["mvae.config"].
func BuildFull(c *model.Config, w model.Weights) *Model {
	return buildFull(c, w, false)
}

func buildFull(c *model.Config, w model.Weights, chunked bool) *Model {
	b := newBuilder("mvae")
	b.chunked = chunked
	T, D, Z := int64(c.T()), int64(c.InputSize), int64(c.ZSize)
	U, S := c.Segments, int64(c.S())
	b.input("x", []int64{-1, T, D})
	b.input("eps", []int64{-1, Z})
	xin := "x"
	if HasEncoderInput(c) {
		xin = EncoderInput
		b.input(xin, []int64{-1, T, int64(c.EncoderIn())})
	}
	mu, sigma := b.encoder(xin, c, w)
	z := b.op("Add", []string{mu, b.op("Mul", []string{sigma, "eps"})})
	var cond string // [U, B, C]
	if c.HasConductor() {
		cond = b.conductor(z, c, w)
	}
	// prev = concat(zeros[B,1,D], x[:, :-1]), time-major: [T, B, D].
	xt := b.op("Transpose", []string{"x"}, IntsAttr("perm", 1, 0, 2))
	head := b.op("Slice", []string{xt, b.int64s(0), b.int64s(T - 1), b.int64s(0)})
	first := b.op("Slice", []string{xt, b.int64s(0), b.int64s(1), b.int64s(0)})
	zero := b.op("ConstantOfShape", []string{b.op("Shape", []string{first})}) // zeros [1, B, D]
	prev := b.op("Concat", []string{zero, head}, IntAttr("axis", 0))
	var outs []string
	for u := 0; u < U; u++ {
		cu := z // no conductor: the decoders are conditioned on z (U = 1)
		if c.HasConductor() {
			cu = b.op("Gather", []string{cond, b.int64s(int64(u))}, IntAttr("axis", 0))
			cu = b.op("Squeeze", []string{cu, b.int64s(0)}) // [B, C]
		}
		var rep string // cu repeated S times, [S, B, C]
		var splits []string
		for k, Dk := range c.SplitDepths() {
			pre := c.DecoderPrefix(k)
			h0, c0 := b.initState(cu, pre+".init", c.Decoder.Layers, c.Decoder.Hidden, w)
			var p string // split k's columns of prev over segment u, [S, B, D_k]
			if len(c.Splits) == 0 {
				p = b.op("Slice", []string{prev, b.int64s(int64(u) * S), b.int64s(int64(u+1) * S), b.int64s(0)})
			} else {
				off := int64(c.SplitOffset(k))
				p = b.op("Slice", []string{prev, b.int64s(int64(u)*S, off), b.int64s(int64(u+1)*S, off+int64(Dk)), b.int64s(0, 2)})
			}
			if rep == "" {
				rep = b.op("Expand", []string{b.op("Unsqueeze", []string{cu, b.int64s(0)}), b.int64s(S, 1, 1)})
			}
			x := b.op("Concat", []string{p, rep}, IntAttr("axis", 2)) // [S, B, D_k+C]
			top, _, _ := b.decoderLayers(x, h0, c0, pre, c, w)
			splits = append(splits, b.linearND(top, pre+".out", w)) // [S, B, D_k]
		}
		if len(splits) == 1 {
			outs = append(outs, splits[0])
		} else {
			outs = append(outs, b.op("Concat", splits, IntAttr("axis", 2))) // [S, B, D]
		}
	}
	logits := outs[0]
	if U > 1 {
		logits = b.op("Concat", outs, IntAttr("axis", 0))
	}
	b.rename(b.op("Transpose", []string{logits}, IntsAttr("perm", 1, 0, 2)), "logits")
	b.rename(mu, "mu")
	b.rename(sigma, "sigma")
	b.output("logits", []int64{-1, T, D})
	b.output("mu", []int64{-1, Z})
	b.output("sigma", []int64{-1, Z})
	return b.model([2]string{"mvae.config", string(c.JSON())})
}

package graphs

import (
	"fmt"

	"github.com/musicvae-go/mvae/model"
)

// The graphs a bundle carries, built from canonical weights (spec §2). Their
// inputs and outputs, by name (B is the batch, dynamic):
//
//	encoder       x [B,T,D]                                -> mu [B,Z], sigma [B,Z]
//	conductor     z [B,Z]                                  -> cond [B,U,Hc]
//	decoder_init  c [B,Hc]                                 -> h [Ld,B,Hd], c0 [Ld,B,Hd]
//	decoder_step  prev [B,D], cu [B,Hc], h [Ld,B,Hd], c [Ld,B,Hd]
//	                                                       -> logits [B,D], h_out, c_out [Ld,B,Hd]
//	full          x [B,T,D], eps [B,Z]                     -> logits [B,T,D], mu, sigma (spec §3)
const (
	Encoder     = "encoder"
	Conductor   = "conductor"
	DecoderInit = "decoder_init"
	DecoderStep = "decoder_step"
	Full        = "full"
)

// GenerationGraphs are the graphs the runtimes run to encode and generate.
var GenerationGraphs = []string{Encoder, Conductor, DecoderInit, DecoderStep}

// BuildAll builds every graph of a bundle, serialized.
func BuildAll(c *model.Config, w model.Weights) (map[string][]byte, error) {
	if err := w.Check(c); err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for name, f := range map[string]func(*model.Config, model.Weights) *Model{
		Encoder: BuildEncoder, Conductor: BuildConductor, DecoderInit: BuildDecoderInit,
		DecoderStep: BuildDecoderStep, Full: BuildFull,
	} {
		out[name] = f(c, w).Marshal()
	}
	return out, nil
}

// linear adds y = x W^T + b as Gemm (transB=1), with W and b stored under
// their canonical names (prefix "" for shared graphs).
func (b *builder) linear(x, name string, w model.Weights) string {
	W, B := w[name+".weight"], w[name+".bias"]
	wn, bn := name+".weight", name+".bias"
	if !b.has(wn) {
		b.floats(wn, dims64(W.Shape), W.Data)
		b.floats(bn, dims64(B.Shape), B.Data)
	}
	return b.op("Gemm", []string{x, wn, bn}, IntAttr("transB", 1))
}

func (b *builder) has(name string) bool {
	for _, t := range b.g.Initializers {
		if t.Name == name {
			return true
		}
	}
	return false
}

func dims64(s []int) []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = int64(d)
	}
	return out
}

// lstmLayer adds one ONNX LSTM node for layer k of a PyTorch LSTM stack.
// x is [seq, B, I]; h0 and c0 [dirs, B, H] (or "" for zeros). It returns Y
// [seq, dirs, B, H], Y_h and Y_c [dirs, B, H].
func (b *builder) lstmLayer(x, prefix string, k int, bidir bool, h0, c0 string, w model.Weights) (y, yh, yc string) {
	dirs := []string{""}
	if bidir {
		dirs = append(dirs, "_reverse")
	}
	whh := w[fmt.Sprintf("%s.weight_hh_l%d", prefix, k)]
	wih := w[fmt.Sprintf("%s.weight_ih_l%d", prefix, k)]
	H, I := whh.Shape[1], wih.Shape[1]
	var Ws, Rs, Bs []float32
	for _, d := range dirs {
		sfx := fmt.Sprintf("_l%d%s", k, d)
		W, R, B := LSTMToONNX(w[prefix+".weight_ih"+sfx].Data, w[prefix+".weight_hh"+sfx].Data,
			w[prefix+".bias_ih"+sfx].Data, w[prefix+".bias_hh"+sfx].Data, H, I)
		Ws, Rs, Bs = append(Ws, W...), append(Rs, R...), append(Bs, B...)
	}
	nd := int64(len(dirs))
	base := fmt.Sprintf("%s.l%d.onnx", prefix, k)
	wn, rn, bn := base+".W", base+".R", base+".B"
	if !b.has(wn) {
		b.floats(wn, []int64{nd, int64(4 * H), int64(I)}, Ws)
		b.floats(rn, []int64{nd, int64(4 * H), int64(H)}, Rs)
		b.floats(bn, []int64{nd, int64(8 * H)}, Bs)
	}
	dir := "forward"
	if bidir {
		dir = "bidirectional"
	}
	outs := b.opN("LSTM", []string{x, wn, rn, bn, "", h0, c0}, 3,
		IntAttr("hidden_size", int64(H)), StringAttr("direction", dir))
	return outs[0], outs[1], outs[2]
}

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

// layerState picks layer k of a [L, B, H] state as [1, B, H].
func (b *builder) layerState(s string, k int) string {
	return b.op("Gather", []string{s, b.int64s(int64(k))}, IntAttr("axis", 0))
}

// encoder adds the encoder of spec §2 to x ([B, T, D]); returns mu, sigma.
func (b *builder) encoder(x string, c *model.Config, w model.Weights) (mu, sigma string) {
	seq := b.op("Transpose", []string{x}, IntsAttr("perm", 1, 0, 2)) // [T, B, D]
	var yh string
	for k := 0; k < c.Encoder.Layers; k++ {
		var y string
		y, yh, _ = b.lstmLayer(seq, "encoder.lstm", k, true, "", "", w)
		if k+1 < c.Encoder.Layers {
			y = b.op("Transpose", []string{y}, IntsAttr("perm", 0, 2, 1, 3)) // [T, B, 2, H]
			seq = b.op("Reshape", []string{y, b.int64s(0, 0, -1)})
		}
	}
	// h = concat(h_n[-2], h_n[-1]): the top layer's forward and backward finals.
	h := b.op("Transpose", []string{yh}, IntsAttr("perm", 1, 0, 2)) // [B, 2, He]
	h = b.op("Reshape", []string{h, b.int64s(0, -1)})
	mu = b.linear(h, "encoder.mu", w)
	sigma = b.op("Softplus", []string{b.linear(h, "encoder.sigma", w)})
	return mu, sigma
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

// decoderLayers runs the decoder LSTM stack on seq [S, B, D+Hc] from states
// h0, c0 [Ld, B, Hd]; returns the top layer's outputs [S, B, Hd] and the
// final states of each layer ([1, B, Hd] each).
func (b *builder) decoderLayers(seq, h0, c0 string, c *model.Config, w model.Weights) (string, []string, []string) {
	var hs, cs []string
	for k := 0; k < c.Decoder.Layers; k++ {
		y, yh, yc := b.lstmLayer(seq, "decoder.lstm", k, false, b.layerState(h0, k), b.layerState(c0, k), w)
		seq = b.op("Squeeze", []string{y, b.int64s(1)})
		hs, cs = append(hs, yh), append(cs, yc)
	}
	return seq, hs, cs
}

// BuildEncoder: x [B,T,D] -> mu, sigma [B,Z].
func BuildEncoder(c *model.Config, w model.Weights) *Model {
	b := newBuilder(Encoder)
	b.input("x", []int64{-1, int64(c.T()), int64(c.InputSize)})
	mu, sigma := b.encoder("x", c, w)
	b.rename(mu, "mu")
	b.rename(sigma, "sigma")
	b.output("mu", []int64{-1, int64(c.ZSize)})
	b.output("sigma", []int64{-1, int64(c.ZSize)})
	return b.model()
}

// BuildConductor: z [B,Z] -> cond [B,U,Hc].
func BuildConductor(c *model.Config, w model.Weights) *Model {
	b := newBuilder(Conductor)
	b.input("z", []int64{-1, int64(c.ZSize)})
	cond := b.conductor("z", c, w)
	b.rename(b.op("Transpose", []string{cond}, IntsAttr("perm", 1, 0, 2)), "cond")
	b.output("cond", []int64{-1, int64(c.Segments), int64(c.Conductor.Hidden)})
	return b.model()
}

// BuildDecoderInit: c [B,Hc] -> h, c0 [Ld,B,Hd].
func BuildDecoderInit(c *model.Config, w model.Weights) *Model {
	b := newBuilder(DecoderInit)
	b.input("c", []int64{-1, int64(c.Conductor.Hidden)})
	h0, c0 := b.initState("c", "decoder.init", c.Decoder.Layers, c.Decoder.Hidden, w)
	b.rename(h0, "h")
	b.rename(c0, "c0")
	st := []int64{int64(c.Decoder.Layers), -1, int64(c.Decoder.Hidden)}
	b.output("h", st)
	b.output("c0", st)
	return b.model()
}

// BuildDecoderStep: prev [B,D], cu [B,Hc], h, c [Ld,B,Hd] -> logits [B,D], h_out, c_out.
func BuildDecoderStep(c *model.Config, w model.Weights) *Model {
	b := newBuilder(DecoderStep)
	D, Hc, Hd, Ld := int64(c.InputSize), int64(c.Conductor.Hidden), int64(c.Decoder.Hidden), int64(c.Decoder.Layers)
	b.input("prev", []int64{-1, D})
	b.input("cu", []int64{-1, Hc})
	b.input("h", []int64{Ld, -1, Hd})
	b.input("c", []int64{Ld, -1, Hd})
	x := b.op("Concat", []string{"prev", "cu"}, IntAttr("axis", 1))
	x = b.op("Unsqueeze", []string{x, b.int64s(0)}) // [1, B, D+Hc]
	top, hs, cs := b.decoderLayers(x, "h", "c", c, w)
	top = b.op("Squeeze", []string{top, b.int64s(0)}) // [B, Hd]
	b.rename(b.linear(top, "decoder.out", w), "logits")
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

// BuildFull builds the teacher-forced forward of spec §2 as the graph a
// PyTorch user exports (spec §3): x [B,T,D], eps [B,Z] -> logits, mu, sigma,
// with the config in metadata_props["mvae.config"].
func BuildFull(c *model.Config, w model.Weights) *Model {
	b := newBuilder("mvae")
	T, D, Z := int64(c.T()), int64(c.InputSize), int64(c.ZSize)
	U, S := c.Segments, int64(c.S())
	b.input("x", []int64{-1, T, D})
	b.input("eps", []int64{-1, Z})
	mu, sigma := b.encoder("x", c, w)
	z := b.op("Add", []string{mu, b.op("Mul", []string{sigma, "eps"})})
	cond := b.conductor(z, c, w) // [U, B, Hc]
	// prev = concat(zeros[B,1,D], x[:, :-1]), time-major: [T, B, D].
	xt := b.op("Transpose", []string{"x"}, IntsAttr("perm", 1, 0, 2))
	head := b.op("Slice", []string{xt, b.int64s(0), b.int64s(T - 1), b.int64s(0)})
	first := b.op("Slice", []string{xt, b.int64s(0), b.int64s(1), b.int64s(0)})
	zero := b.op("ConstantOfShape", []string{b.op("Shape", []string{first})}) // zeros [1, B, D]
	prev := b.op("Concat", []string{zero, head}, IntAttr("axis", 0))
	var outs []string
	for u := 0; u < U; u++ {
		cu := b.op("Gather", []string{cond, b.int64s(int64(u))}, IntAttr("axis", 0))
		cu = b.op("Squeeze", []string{cu, b.int64s(0)}) // [B, Hc]
		h0, c0 := b.initState(cu, "decoder.init", c.Decoder.Layers, c.Decoder.Hidden, w)
		p := b.op("Slice", []string{prev, b.int64s(int64(u) * S), b.int64s(int64(u+1) * S), b.int64s(0)})
		rep := b.op("Expand", []string{b.op("Unsqueeze", []string{cu, b.int64s(0)}), b.int64s(S, 1, 1)})
		x := b.op("Concat", []string{p, rep}, IntAttr("axis", 2)) // [S, B, D+Hc]
		top, _, _ := b.decoderLayers(x, h0, c0, c, w)
		outs = append(outs, b.linearND(top, "decoder.out", w)) // [S, B, D]
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

// linearND adds y = x W^T + b for x of any rank as MatMul by the transposed
// weight and Add of the bias (Gemm takes matrices only).
func (b *builder) linearND(x, name string, w model.Weights) string {
	wn, bn := name+".weight", name+".bias"
	if !b.has(wn) {
		W, B := w[wn], w[bn]
		b.floats(wn, dims64(W.Shape), W.Data)
		b.floats(bn, dims64(B.Shape), B.Data)
	}
	wt := name + ".weight.T"
	if !b.hasValue(wt) {
		b.g.Nodes = append(b.g.Nodes, &Node{OpType: "Transpose", Name: wt + ".node", Inputs: []string{wn}, Outputs: []string{wt}, Attrs: []*Attr{IntsAttr("perm", 1, 0)}})
	}
	return b.op("Add", []string{b.op("MatMul", []string{x, wt}), bn})
}

func (b *builder) hasValue(v string) bool {
	for _, n := range b.g.Nodes {
		for _, o := range n.Outputs {
			if o == v {
				return true
			}
		}
	}
	return false
}

package native

import (
	"fmt"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// Model is a MusicVAE ready to run in Go. It holds its weights read-only and
// is safe for concurrent use; each decoding batch has its own State.
type Model struct {
	cfg  *model.Config
	in   music.EncoderInput // how tokens become the encoder's input
	prec model.Precision    // of its matrices: float32, or the lower one they are stored in (inference only)
	// inferenceOnly: the weights were packed in place (Open, NewStored):
	// every forward pass runs, training is refused.
	inferenceOnly bool

	enc        []encLevel // the levels of the encoder; a flat encoder is one level of one piece
	muW, muB   []float32  // [Z, 2He], He the top level's hidden size
	sigW, sigB []float32
	mu, sig    *matrix   // muW, sigW packed
	muT, sigT  *packedT  // muW, sigW packed transposed for the backward pass
	condInitW  []float32 // [2 Lc Hc, Z]; nil without a conductor
	condInitB  []float32
	condInit   *matrix   // condInitW packed
	condInitT  *packedT  // condInitW packed transposed for the backward pass
	cond       []*LSTM   // input size 1 (always fed zeros); none without a conductor
	decs       []decoder // one per split (the whole step for one decoder)
}

// encLevel is one level of the encoder: a stack of bidirectional layers
// that reads its input in pieces of len/pieces steps, each from zero state.
type encLevel struct {
	prefix string     // the parameters' name prefix, "encoder.lstm" or "encoder.level{ℓ}.lstm"
	layers [][2]*LSTM // per layer: forward, backward
	pieces int        // how many pieces the level's input is read in
}

// decoder is one (split) decoder: its init, LSTM stack and output layer,
// conditioned on C values (c_u, or z without a conductor).
type decoder struct {
	prefix       string    // "decoder" or "decoders.{k}"
	D, off       int       // its depth and first column in a step
	initW, initB []float32 // [2 Ld Hd, C]
	init         *matrix   // initW packed
	initT        *packedT  // initW packed transposed for the backward pass
	lstm         []*LSTM   // layer 0's input is [prev (D), cond (C)]
	prev         *matrix   // layer 0's W_ih columns for prev, [4Hd, D]; nil when oneHot
	prevWT       []float32 // when oneHot: those columns transposed, [D, 4Hd]
	oneHot       bool      // prev is one-hot (a categorical split): its product is one row of prevWT
	cond         *matrix   // layer 0's W_ih columns for cond: [4Hd, C]
	outW, outB   []float32 // [D, Hd], [D]
	out          *matrix   // outW packed
	outT         *packedT  // outW packed transposed for the backward pass
}

// New builds a model from canonical weights. Errors name what is wrong.
func New(c *model.Config, w model.Weights) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := w.Check(c); err != nil {
		return nil, err
	}
	return build(c, model.Store(w, model.F32), false, false, nil)
}

// NewStored builds a model for inference from weights as a bundle stores
// them (model.Bundle.Stored): matrices stored as bfloat16, float16 or int8
// stay so in memory and the products widen them on the fly (float32 sums;
// bfloat16, where the CPU has AVX-512 BF16, by VDPBF16PS, with x rounded to
// bfloat16 too: f32.MulAddPairsBF16); vectors are widened to float32. w is not changed: the model packs a copy
// of its matrices (Open packs a bundle's in place, in a private copy). A
// model with weights below float32 runs every forward pass but cannot train
// (LossAndGrad refuses gradients). Errors name what is wrong.
func NewStored(c *model.Config, w model.StoredWeights, p model.Precision) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := w.Check(c, p); err != nil {
		return nil, err
	}
	return build(c, w.Clone(), true, true, nil)
}

// build builds a model of checked weights: float32 tensors are used where
// they lie (and packed into copies), the others as matrices of their
// precision, packed in place (newMatrixStored): w's matrices below float32
// belong to the model afterwards. With own, w is the model's whole: its
// float32 matrices are packed in place too (newMatrixOwned), so the weights
// are held once, and the model is for inference only (training needs them
// as they were). pairs is newMatrixStored's (bfloat16 by VDPBF16PS).
//
// reuse, when not nil, holds the LSTMs of a model of the same config, in
// the order build makes them (Model.lstms): each is refilled with w's
// values in place (LSTM.refill) instead of made anew, so that Refresh
// allocates no packed weights.
func build(c *model.Config, w model.StoredWeights, own, pairs bool, reuse []*LSTM) (*Model, error) {
	in, err := music.ParseEncoderInput(c.EncoderInput)
	if err != nil {
		return nil, err
	}
	m := &Model{cfg: c, in: in, prec: model.F32, inferenceOnly: own, muT: new(packedT), sigT: new(packedT), condInitT: new(packedT)}
	for _, s := range w {
		if s.DType != model.F32 && len(s.Shape) == 2 {
			m.prec = s.DType
		}
	}
	// raw is a float32 tensor's values, nil for the others (training only
	// needs them); vec is a vector's values as float32.
	raw := func(name string) []float32 {
		if own {
			return nil
		}
		return w[name].F32
	}
	vec := func(name string) []float32 { return w[name].Float32().Data }
	mat := func(name string, rows, cols int) *matrix { return newMatrixStored(w[name], rows, cols, own, pairs) }
	lstm := func(prefix string, k int, sfx string, H int) *LSTM {
		n := fmt.Sprintf("_l%d%s", k, sfx)
		wih, whh := w[prefix+".weight_ih"+n], w[prefix+".weight_hh"+n]
		if wih.DType == model.F32 && whh.DType == model.F32 && !own {
			if len(reuse) > 0 {
				l := reuse[0]
				reuse = reuse[1:]
				l.refill(wih.F32, whh.F32, vec(prefix+".bias_ih"+n), vec(prefix+".bias_hh"+n), H, wih.Shape[1])
				return l
			}
			return NewLSTM(wih.F32, whh.F32, vec(prefix+".bias_ih"+n), vec(prefix+".bias_hh"+n), H, wih.Shape[1])
		}
		return newLSTMStored(wih, whh, vec(prefix+".bias_ih"+n), vec(prefix+".bias_hh"+n), H, wih.Shape[1], own, pairs)
	}
	sizes, pieces := []model.LSTMSize{c.Encoder}, 1
	if c.Hierarchical() {
		sizes, pieces = c.EncoderLevels, c.EncoderSegments
	}
	for l, sz := range sizes {
		lv := encLevel{prefix: "encoder.lstm", pieces: 1}
		if c.Hierarchical() {
			lv.prefix = fmt.Sprintf("encoder.level%d.lstm", l)
			if l == 0 {
				lv.pieces = pieces
			}
		}
		for k := 0; k < sz.Layers; k++ {
			lv.layers = append(lv.layers, [2]*LSTM{lstm(lv.prefix, k, "", sz.Hidden), lstm(lv.prefix, k, "_reverse", sz.Hidden)})
		}
		m.enc = append(m.enc, lv)
	}
	m.muW, m.muB = raw("encoder.mu.weight"), vec("encoder.mu.bias")
	m.sigW, m.sigB = raw("encoder.sigma.weight"), vec("encoder.sigma.bias")
	He := c.EncoderTop()
	m.mu, m.sig = mat("encoder.mu.weight", c.ZSize, 2*He), mat("encoder.sigma.weight", c.ZSize, 2*He)
	if c.HasConductor() {
		m.condInitW, m.condInitB = raw("conductor.init.weight"), vec("conductor.init.bias")
		m.condInit = mat("conductor.init.weight", 2*c.Conductor.Layers*c.Conductor.Hidden, c.ZSize)
		for k := 0; k < c.Conductor.Layers; k++ {
			m.cond = append(m.cond, lstm("conductor.lstm", k, "", c.Conductor.Hidden))
		}
	}
	C, Hd := c.CondWidth(), c.Decoder.Hidden
	for k, D := range c.SplitDepths() {
		p := c.DecoderPrefix(k)
		d := decoder{prefix: p, D: D, off: c.SplitOffset(k),
			initW: raw(p + ".init.weight"), initB: vec(p + ".init.bias"),
			outW: raw(p + ".out.weight"), outB: vec(p + ".out.bias"), outT: new(packedT), initT: new(packedT)}
		d.init = mat(p+".init.weight", 2*c.Decoder.Layers*Hd, C)
		d.out = mat(p+".out.weight", D, Hd)
		// Split layer 0's input weights: cond is fixed for a segment, so its
		// part of the gates is computed once per segment (DecoderInit).
		// A categorical split's prev is one-hot: its part of the gates is one
		// row of prevWT (linearAccT). (Before layer 0's matrices are built:
		// building one below float32 may rearrange its values.)
		I := D + C
		d.oneHot = c.SplitRep(k) != music.Groove
		wih := w[fmt.Sprintf("%s.lstm.weight_ih_l0", p)]
		if d.oneHot {
			d.prevWT = make([]float32, 4*Hd*D)
			transpose(d.prevWT, columns(wih, 4*Hd, I, 0, D).Float32().Data, 4*Hd, D)
		} else {
			d.prev = newMatrixStored(columns(wih, 4*Hd, I, 0, D), 4*Hd, D, true, pairs)
		}
		d.cond = newMatrixStored(columns(wih, 4*Hd, I, D, I), 4*Hd, C, true, pairs)
		for l := 0; l < c.Decoder.Layers; l++ {
			d.lstm = append(d.lstm, lstm(p+".lstm", l, "", Hd))
		}
		m.decs = append(m.decs, d)
	}
	return m, nil
}

// lstms is every LSTM of the model, in the order build makes them.
func (m *Model) lstms() []*LSTM {
	var out []*LSTM
	for _, lv := range m.enc {
		for _, pair := range lv.layers {
			out = append(out, pair[0], pair[1])
		}
	}
	out = append(out, m.cond...)
	for _, d := range m.decs {
		out = append(out, d.lstm...)
	}
	return out
}

// columns copies the columns [c0, c1) of the stored [rows, cols] matrix s
// into a contiguous stored matrix of the same precision (an int8 matrix
// keeps its rows' scales).
func columns(s *model.Stored, rows, cols, c0, c1 int) *model.Stored {
	n := c1 - c0
	out := &model.Stored{DType: s.DType, Shape: []int{rows, n}, Scale: s.Scale}
	switch {
	case s.F32 != nil:
		out.F32 = unpad(s.F32[c0:], rows, n, cols)
	case s.U16 != nil:
		out.U16 = make([]uint16, rows*n)
		for r := range rows {
			copy(out.U16[r*n:(r+1)*n], s.U16[r*cols+c0:r*cols+c1])
		}
	case s.Q != nil:
		out.Q = make([]int8, rows*n)
		for r := range rows {
			copy(out.Q[r*n:(r+1)*n], s.Q[r*cols+c0:r*cols+c1])
		}
	}
	return out
}

// Config is the model's config.
func (m *Model) Config() *model.Config { return m.cfg }

// Close does nothing: a Model holds only Go memory.
func (m *Model) Close() error { return nil }

// encoderInput returns the encoder's input [B, T, D_in] of tokens x
// [B, T, D] (docs/FAMILIES.md §3): x itself for the spec's encoder input.
func (m *Model) encoderInput(x []float32, B int) []float32 {
	if m.in == music.AsTokens {
		return x
	}
	c := m.cfg
	xin := make([]float32, B*c.T()*c.EncoderIn())
	m.in.Apply(xin, x, c.Rep(), B, c.T())
	return xin
}

// unpad copies the [rows, cols] matrix of row stride ld at the start of w
// into a contiguous one.
func unpad(w []float32, rows, cols, ld int) []float32 {
	out := make([]float32, rows*cols)
	for r := 0; r < rows; r++ {
		copy(out[r*cols:(r+1)*cols], w[r*ld:r*ld+cols])
	}
	return out
}

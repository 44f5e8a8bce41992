package importer

import (
	"fmt"

	"github.com/musicvae-go/mvae/model"
)

// A magentaPart is one layer of a Magenta checkpoint and the canonical
// parameters it becomes (docs/FAMILIES.md §2.3). magentaLayout lists them
// for a config; reading, conversion and export all walk that one list.
type magentaPart struct {
	// Scope is the TF variable scope: its tensors are Scope+"/kernel" and
	// Scope+"/bias".
	Scope string
	// LSTM: a fused LSTMBlockCell, kernel [In+Out, 4·Out], bias [4·Out],
	// stored as Canon+".{weight_ih,weight_hh,bias_ih,bias_hh}"+Suffix.
	// Otherwise a dense layer, kernel [In, Out], bias [Out], stored as
	// Canon+".weight" [Out, In] and Canon+".bias".
	LSTM   bool
	Canon  string
	Suffix string
	In     int
	Out    int
	// InitLayers > 0 marks an initial-state layer of that many LSTM layers
	// (of Out/(2·InitLayers) units): its outputs are permuted from
	// Magenta's [c0, h0, c1, h1, …] to the spec's [h…, c…].
	InitLayers int
	// Optional parts may be absent from a checkpoint (encoder/sigma).
	Optional bool
}

// Tensors are the part's Magenta tensor names and shapes.
func (p magentaPart) Tensors() (kernel, bias string, kshape, bshape []int) {
	if p.LSTM {
		return p.Scope + "/kernel", p.Scope + "/bias", []int{p.In + p.Out, 4 * p.Out}, []int{4 * p.Out}
	}
	return p.Scope + "/kernel", p.Scope + "/bias", []int{p.In, p.Out}, []int{p.Out}
}

// magentaLayout lists a config's Magenta layers in the order Magenta's
// converter writes them (REF §6.3): encoder, mu, sigma, conductor, the
// decoders.
func magentaLayout(c *model.Config) []magentaPart {
	var ps []magentaPart
	bidi := func(scope, canon string, k, in, h int) {
		for _, d := range []struct{ dir, sfx string }{{"fw", ""}, {"bw", "_reverse"}} {
			ps = append(ps, magentaPart{LSTM: true, Scope: fmt.Sprintf("%s/cell_%d/bidirectional_rnn/%s/multi_rnn_cell/cell_0/lstm_cell", scope, k, d.dir),
				Canon: canon, Suffix: fmt.Sprintf("_l%d%s", k, d.sfx), In: in, Out: h})
		}
	}
	stack := func(scope, canon string, in int, s model.LSTMSize) {
		for k := 0; k < s.Layers; k++ {
			if k > 0 {
				in = 2 * s.Hidden
			}
			bidi(scope, canon, k, in, s.Hidden)
		}
	}
	if c.Hierarchical() {
		in := c.EncoderIn()
		for l, lv := range c.EncoderLevels {
			stack(fmt.Sprintf("encoder/hierarchical_level_%d", l), fmt.Sprintf("encoder.level%d.lstm", l), in, lv)
			in = 2 * lv.Hidden
		}
	} else {
		stack("encoder", "encoder.lstm", c.EncoderIn(), c.Encoder)
	}
	top, Z := c.EncoderTop(), c.ZSize
	ps = append(ps,
		magentaPart{Scope: "encoder/mu", Canon: "encoder.mu", In: 2 * top, Out: Z},
		magentaPart{Scope: "encoder/sigma", Canon: "encoder.sigma", In: 2 * top, Out: Z, Optional: true})
	cells := func(scope, canon string, in int, s model.LSTMSize) {
		for l := 0; l < s.Layers; l++ {
			if l > 0 {
				in = s.Hidden
			}
			ps = append(ps, magentaPart{LSTM: true, Scope: fmt.Sprintf("%s/cell_%d/lstm_cell", scope, l), Canon: canon,
				Suffix: fmt.Sprintf("_l%d", l), In: in, Out: s.Hidden})
		}
	}
	base := ""
	if c.HasConductor() {
		const cond = "decoder/hierarchical_level_0"
		cells(cond, "conductor.lstm", 1, c.Conductor)
		ps = append(ps, magentaPart{Scope: cond + "/initial_state", Canon: "conductor.init", In: Z,
			Out: 2 * c.Conductor.Layers * c.Conductor.Hidden, InitLayers: c.Conductor.Layers})
		base = "core_decoder/"
	}
	C, Hd := c.CondWidth(), c.Decoder.Hidden
	for i, D := range c.SplitDepths() {
		pre := base + "decoder"
		if len(c.Splits) > 0 {
			pre = fmt.Sprintf("%score_decoder_%d/decoder", base, i)
		}
		canon := c.DecoderPrefix(i)
		cells(pre+"/multi_rnn_cell", canon+".lstm", D+C, c.Decoder)
		ps = append(ps,
			magentaPart{Scope: pre + "/z_to_initial_state", Canon: canon + ".init", In: C, Out: 2 * c.Decoder.Layers * Hd, InitLayers: c.Decoder.Layers},
			magentaPart{Scope: pre + "/output_projection", Canon: canon + ".out", In: Hd, Out: D})
	}
	return ps
}

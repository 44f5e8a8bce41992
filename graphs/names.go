package graphs

import (
	"fmt"
	"sort"

	"github.com/musicvae-go/mvae/model"
)

// The graphs a bundle carries, built from canonical weights (spec §2 and
// docs/FAMILIES.md §2). Their inputs and outputs, by name (B is the batch,
// dynamic; D_in = EncoderIn(), C = CondWidth(), D_k the depth of split k):
//
//	encoder        x [B,T,D_in]                      -> mu [B,Z], sigma [B,Z]
//	conductor      z [B,Z]                           -> cond [B,U,C]
//	decoder_init   c [B,C]                           -> h [Ld,B,Hd], c0 [Ld,B,Hd]
//	decoder_step   prev [B,D_k], cu [B,C], h [Ld,B,Hd], c [Ld,B,Hd]
//	                                                 -> logits [B,D_k], h_out, c_out [Ld,B,Hd]
//	full           x [B,T,D], eps [B,Z] (, x_in [B,T,D_in])
//	                                                 -> logits [B,T,D], mu, sigma (spec §3)
//
// A model without a conductor has no conductor graph: its cond is z itself
// ([B,1,Z]), which the runtime copies. A model with split decoders has
// decoder_init_k and decoder_step_k for each split k (DecoderInitOf,
// DecoderStepOf) instead of decoder_init and decoder_step. The full graph
// takes the tokens x, which it feeds back to the decoders, and, for a model
// whose encoder_input transforms them (roll, humanize, tapify), the encoder's
// input x_in = encoder_input(x) as a third input, computed by the caller with
// music.EncoderInput.Apply; otherwise the encoder reads x.
const (
	Encoder     = "encoder"
	Conductor   = "conductor"
	DecoderInit = "decoder_init"
	DecoderStep = "decoder_step"
	Full        = "full"
)

// EncoderInput is the name of the full graph's third input, the encoder's
// input, when the model has one (HasEncoderInput).
const EncoderInput = "x_in"

// HasEncoderInput reports whether the full graph of c takes the encoder's
// input x_in besides the tokens x.
func HasEncoderInput(c *model.Config) bool { return c.EncoderInput != "" }

// DecoderInitOf is the name of split decoder k's init graph: decoder_init
// for a model with one decoder, decoder_init_k for split decoders.
func DecoderInitOf(c *model.Config, k int) string { return splitName(c, DecoderInit, k) }

// DecoderStepOf is the name of split decoder k's step graph: decoder_step
// for a model with one decoder, decoder_step_k for split decoders.
func DecoderStepOf(c *model.Config, k int) string { return splitName(c, DecoderStep, k) }

func splitName(c *model.Config, base string, k int) string {
	if len(c.Splits) == 0 {
		return base
	}
	return fmt.Sprintf("%s_%d", base, k)
}

// GenerationGraphs are the graphs a runtime runs to encode and generate with
// a model of config c: the encoder, the conductor if it has one, and the
// init and step graphs of each decoder.
func GenerationGraphs(c *model.Config) []string {
	out := []string{Encoder}
	if c.HasConductor() {
		out = append(out, Conductor)
	}
	for k := range c.SplitDepths() {
		out = append(out, DecoderInitOf(c, k), DecoderStepOf(c, k))
	}
	return out
}

// NamesOf lists every graph mvae builds for a model of config c: the
// generation graphs, then full.
func NamesOf(c *model.Config) []string { return append(GenerationGraphs(c), Full) }

// Names lists the graphs mvae builds for a model of the spec (one decoder,
// a conductor), sorted.
func Names() []string {
	out := []string{Encoder, Conductor, DecoderInit, DecoderStep, Full}
	sort.Strings(out)
	return out
}

// Inputs are the input names of graph name of a model of config c, in the
// order the graph declares them; nil for a graph c does not have.
func Inputs(c *model.Config, name string) []string {
	switch kindOf(c, name) {
	case Encoder:
		return []string{"x"}
	case Conductor:
		return []string{"z"}
	case DecoderInit:
		return []string{"c"}
	case DecoderStep:
		return []string{"prev", "cu", "h", "c"}
	case Full:
		if HasEncoderInput(c) {
			return []string{"x", "eps", EncoderInput}
		}
		return []string{"x", "eps"}
	}
	return nil
}

// Outputs are the output names of graph name, in order; nil for a graph c
// does not have.
func Outputs(c *model.Config, name string) []string {
	switch kindOf(c, name) {
	case Encoder:
		return []string{"mu", "sigma"}
	case Conductor:
		return []string{"cond"}
	case DecoderInit:
		return []string{"h", "c0"}
	case DecoderStep:
		return []string{"logits", "h_out", "c_out"}
	case Full:
		return []string{"logits", "mu", "sigma"}
	}
	return nil
}

// kindOf says which graph name is for a model of config c (DecoderInit for
// every decoder_init_k), "" if c has no graph of that name.
func kindOf(c *model.Config, name string) string {
	_, kind, ok := graphOf(c, name)
	if !ok {
		return ""
	}
	return kind
}

// graphOf finds graph name among c's: its kind and its split (0 for graphs
// of the whole model); ok is false if c has no graph of that name.
func graphOf(c *model.Config, name string) (k int, kind string, ok bool) {
	switch name {
	case Encoder, Full:
		return 0, name, true
	case Conductor:
		return 0, name, c.HasConductor()
	}
	for k := range c.SplitDepths() {
		switch name {
		case DecoderInitOf(c, k):
			return k, DecoderInit, true
		case DecoderStepOf(c, k):
			return k, DecoderStep, true
		}
	}
	return 0, "", false
}

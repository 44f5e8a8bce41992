package model

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/musicvae-go/mvae/music"
)

// MaxSplits bounds the number of split decoders a config may declare.
const MaxSplits = 16

// validateInput checks encoder_input_size and encoder_input against the
// representation (docs/FAMILIES.md §1).
func (c *Config) validateInput(rep music.Representation, bad func(string, ...any)) {
	if c.EncoderInputSize < 0 || c.EncoderInputSize > 1<<16 {
		bad("encoder_input_size %d out of 0..%d", c.EncoderInputSize, 1<<16)
	}
	in, err := music.ParseEncoderInput(c.EncoderInput)
	if err != nil {
		bad("encoder_input: %v", err)
		return
	}
	if rep == "" {
		return
	}
	if want, ok := in.Depth(rep); !ok {
		bad("encoder_input %q does not apply to %s", c.EncoderInput, rep)
	} else if c.EncoderIn() != want {
		bad("encoder_input_size %d does not fit encoder_input %q on %s (D_in=%d)", c.EncoderIn(), c.EncoderInput, rep, want)
	}
}

// validateFamily checks the split decoders, the groove feedback and the
// sampling order (docs/FAMILIES.md §1).
func (c *Config) validateFamily(bad func(string, ...any)) {
	if len(c.Splits) > 0 {
		if len(c.Splits) < 2 || len(c.Splits) > MaxSplits {
			bad("splits: %d decoders, want 2..%d", len(c.Splits), MaxSplits)
		}
		sum := 0
		for i, d := range c.Splits {
			if d < 1 || d > c.InputSize {
				bad("splits[%d] is %d, out of 1..%d", i, d, c.InputSize)
			}
			sum += d
		}
		if sum != c.InputSize {
			bad("splits %v add up to %d, not input_size %d", c.Splits, sum, c.InputSize)
		}
		if c.Rep() == music.Trio && !slices.Equal(c.Splits, music.TrioSplits()) {
			bad("a trio's splits are %v, not %v", music.TrioSplits(), c.Splits)
		}
	} else if c.Rep() == music.Trio {
		bad("a trio has split decoders %v", music.TrioSplits())
	}
	switch c.GrooveFeedback {
	case "", "masked":
	case "unmasked":
		if c.Rep() != music.Groove {
			bad("groove_feedback %q on %s", c.GrooveFeedback, c.Representation)
		}
	default:
		bad("groove_feedback %q (want masked or unmasked)", c.GrooveFeedback)
	}
	switch c.SamplingOrder {
	case "", "step":
	case "split":
		if len(c.Splits) == 0 {
			bad("sampling_order split without splits")
		}
	default:
		bad("sampling_order %q (want step or split)", c.SamplingOrder)
	}
}

// validateMagenta checks a Magenta model's converter against the config:
// it parses, and reads and writes the model's representation, T steps and
// encoder input.
func (c *Config) validateMagenta(bad func(string, ...any)) {
	if c.Magenta == nil {
		return
	}
	conv, err := music.ParseMagentaConverter(c.Magenta.Converter)
	if err != nil {
		bad("magenta.converter: %v", err)
		return
	}
	if r := conv.Representation(); r != c.Rep() {
		bad("magenta.converter: a %s reads %s, not %s", conv.Type, r, c.Representation)
	}
	if conv.NumSteps != c.T() {
		bad("magenta.converter: numSteps %d, but the model has %d steps (%d bars)", conv.NumSteps, c.T(), c.Bars)
	}
	if in := conv.EncoderInput(); in != music.EncoderInput(c.EncoderInput) {
		bad("magenta.converter: the %s's encoder input is %q, the config's encoder_input %q", conv.Type, in, c.EncoderInput)
	}
}

// Equal reports whether two configs are the same, field by field.
func (c *Config) Equal(o *Config) bool { return reflect.DeepEqual(c, o) }

// EncoderTop is the hidden size of the encoder's top layer (of the top level
// of a hierarchical encoder): mu and sigma read 2·EncoderTop values.
func (c *Config) EncoderTop() int {
	if c.Hierarchical() {
		return c.EncoderLevels[len(c.EncoderLevels)-1].Hidden
	}
	return c.Encoder.Hidden
}

// SplitRep is the representation of split decoder k's tokens: a trio's
// melody, bass and drums; the model's own for one decoder.
func (c *Config) SplitRep(k int) music.Representation {
	if c.Rep() == music.Trio {
		return [...]music.Representation{music.Melody, music.Melody, music.Drums}[k]
	}
	return c.Rep()
}

// SplitOffset is the first column of split decoder k in a step's D values.
func (c *Config) SplitOffset(k int) int {
	off := 0
	for _, d := range c.SplitDepths()[:k] {
		off += d
	}
	return off
}

// Network describes the network in plain words: depths, encoder, conductor
// and decoders, as `mvae info` prints it.
func (c *Config) Network() string {
	var parts []string
	if c.EncoderIn() != c.InputSize {
		parts = append(parts, fmt.Sprintf("D %d (encoder input %d, %s)", c.InputSize, c.EncoderIn(), c.EncoderInput))
	} else if c.EncoderInput != "" {
		parts = append(parts, fmt.Sprintf("D %d (encoder input %s)", c.InputSize, c.EncoderInput))
	} else {
		parts = append(parts, fmt.Sprintf("D %d", c.InputSize))
	}
	parts = append(parts, fmt.Sprintf("z %d", c.ZSize))
	if c.Hierarchical() {
		lv := make([]string, len(c.EncoderLevels))
		for i, l := range c.EncoderLevels {
			lv[i] = fmt.Sprintf("%dx%d", l.Hidden, l.Layers)
		}
		parts = append(parts, fmt.Sprintf("hierarchical encoder %s over %d pieces (bidirectional)", strings.Join(lv, " then "), c.EncoderSegments))
	} else {
		parts = append(parts, fmt.Sprintf("encoder %dx%d (bidirectional)", c.Encoder.Hidden, c.Encoder.Layers))
	}
	if c.HasConductor() {
		parts = append(parts, fmt.Sprintf("conductor %dx%d", c.Conductor.Hidden, c.Conductor.Layers))
	} else {
		parts = append(parts, "no conductor")
	}
	if len(c.Splits) > 0 {
		ds := make([]string, len(c.Splits))
		for i, d := range c.Splits {
			ds[i] = fmt.Sprint(d)
		}
		order := ""
		if c.SplitOrder() {
			order = ", sampled split by split"
		}
		parts = append(parts, fmt.Sprintf("%d split decoders %dx%d (D %s%s)", len(c.Splits), c.Decoder.Hidden, c.Decoder.Layers, strings.Join(ds, ", "), order))
	} else {
		parts = append(parts, fmt.Sprintf("decoder %dx%d", c.Decoder.Hidden, c.Decoder.Layers))
	}
	if !c.MaskedFeedback() {
		parts = append(parts, "unmasked groove feedback")
	}
	return strings.Join(parts, ", ")
}

package graphs

import (
	"fmt"

	"github.com/musicvae-go/mvae/model"
)

// BuildAll builds every graph of a bundle (NamesOf), serialized.
func BuildAll(c *model.Config, w model.Weights) (map[string][]byte, error) {
	if err := w.Check(c); err != nil {
		return nil, err
	}
	if err := Buildable(c); err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, name := range NamesOf(c) {
		out[name] = build(c, w, name).Marshal()
	}
	return out, nil
}

// Build builds one graph of a bundle (one of NamesOf(c)), serialized, so
// that a caller can hold one graph at a time.
func Build(c *model.Config, w model.Weights, name string) ([]byte, error) {
	if err := w.Check(c); err != nil {
		return nil, err
	}
	if err := Buildable(c); err != nil {
		return nil, err
	}
	if kindOf(c, name) == "" {
		return nil, fmt.Errorf("a model of this config has no graph %q", name)
	}
	return build(c, w, name).Marshal(), nil
}

// Buildable is an error if mvae does not build graphs for config c: a
// hierarchical encoder of other than 2 levels, which docs/FAMILIES.md §2.2
// does not define (level ℓ > 0 reads the encoder_segments embeddings of
// level 0; Magenta's models have 2 levels).
func Buildable(c *model.Config) error {
	if c.Hierarchical() && len(c.EncoderLevels) != 2 {
		return fmt.Errorf("a hierarchical encoder of %d levels: mvae builds graphs for 2 (docs/FAMILIES.md §2.2)", len(c.EncoderLevels))
	}
	return nil
}

// build builds graph name of a model of config c; name must be one of
// NamesOf(c).
func build(c *model.Config, w model.Weights, name string) *Model {
	return buildGraph(c, w, name, false)
}

// buildGraph is build; chunked leaves the weights it converts (the LSTMs')
// unconverted, as lists of w's blocks in the graph's order, for
// Externalize to write: no converted copy of them is held (writeExternal's
// graphs alone, which write their weights to a file and never marshal
// them).
func buildGraph(c *model.Config, w model.Weights, name string, chunked bool) *Model {
	k, kind, ok := graphOf(c, name)
	if !ok {
		panic(fmt.Sprintf("graphs: a model of this config has no graph %q", name))
	}
	switch kind {
	case Encoder:
		return buildEncoder(c, w, chunked)
	case Conductor:
		return buildConductor(c, w, chunked)
	case DecoderInit:
		return buildDecoderInit(c, w, k, chunked)
	case DecoderStep:
		return buildDecoderStep(c, w, k, chunked)
	}
	return buildFull(c, w, chunked)
}

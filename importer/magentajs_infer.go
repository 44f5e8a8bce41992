package importer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// inferMagenta reads a model's architecture from its tensors' names and
// shapes, as magenta.js does (REF §2: it probes cell_%d until one is
// missing; flat or hierarchical encoder; a conductor iff the converter has
// numSegments, under decoder/hierarchical_level_0; split decoders
// core_decoder_i), and its music from the converter, and checks every
// tensor against the layout found. Nothing here reads a value.
func inferMagenta(s *magentaSpec, shapes map[string][]int) (*model.Config, error) {
	names := make([]string, 0, len(shapes))
	for n := range shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		switch {
		case strings.Contains(n, "/nade/"):
			return nil, fmt.Errorf("a NADE decoder (%s): mvae does not run NADE models", n)
		case strings.HasPrefix(n, "control_preprocessing/"):
			return nil, fmt.Errorf("a model with controls (%s): mvae does not run models with controls", n)
		}
	}
	// A kernel's shape, when it is a matrix.
	kernel := func(scope string) (rows, cols int, ok bool) {
		sh, ok := shapes[scope+"/kernel"]
		if !ok || len(sh) != 2 || sh[0] < 1 || sh[1] < 1 {
			return 0, 0, false
		}
		return sh[0], sh[1], true
	}
	// An LSTM stack's layers, probed as magenta.js does: units from the
	// first layer (the layout check holds the others to it).
	var bad []string
	stack := func(what string, scope func(k int) string) (s model.LSTMSize, in int) {
		for k := 0; ; k++ {
			rows, cols, ok := kernel(scope(k))
			if !ok || k >= model.MaxLayers {
				break
			}
			if k == 0 {
				s.Hidden, in = cols/4, rows-cols/4
				if cols%4 != 0 || in < 1 {
					bad = append(bad, fmt.Sprintf("%s: %s/kernel is [%d %d], not an LSTM kernel [in+H, 4H]", what, scope(k), rows, cols))
				}
			} else if cols != 4*s.Hidden {
				bad = append(bad, fmt.Sprintf("%s: %s has %d units, layer 0 has %d: mvae's stacks have one size", what, scope(k), cols/4, s.Hidden))
			}
			s.Layers++
		}
		return s, in
	}
	c := &model.Config{Format: model.ConfigFormat, StepsPerQuarter: music.StepsPerQuarter, Segments: 1, FreeBits: 48, MaxBeta: 0.2}
	const bidi = "bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell"
	var Din int
	if _, _, ok := kernel("encoder/hierarchical_level_0/cell_0/" + bidi); ok {
		for l := 0; ; l++ {
			if _, _, ok := kernel(fmt.Sprintf("encoder/hierarchical_level_%d/cell_0/%s", l, bidi)); !ok || l >= model.MaxLayers {
				break
			}
			lv, in := stack(fmt.Sprintf("encoder level %d", l), func(k int) string {
				return fmt.Sprintf("encoder/hierarchical_level_%d/cell_%d/%s", l, k, bidi)
			})
			if l == 0 {
				Din = in
			}
			c.EncoderLevels = append(c.EncoderLevels, lv)
		}
	} else if _, _, ok := kernel("encoder/cell_0/" + bidi); ok {
		c.Encoder, Din = stack("encoder", func(k int) string { return fmt.Sprintf("encoder/cell_%d/%s", k, bidi) })
	} else {
		return nil, unknownLayout("no encoder: neither encoder/cell_0/"+bidi+"/kernel nor encoder/hierarchical_level_0/cell_0/"+bidi+"/kernel", shapes)
	}
	if _, cols, ok := kernel("encoder/mu"); ok {
		c.ZSize = cols
	} else {
		return nil, unknownLayout("no encoder/mu/kernel", shapes)
	}
	hasConductor := false
	if _, _, ok := kernel("decoder/hierarchical_level_0/cell_0/lstm_cell"); ok {
		hasConductor = true
		c.Conductor, _ = stack("conductor", func(l int) string { return fmt.Sprintf("decoder/hierarchical_level_0/cell_%d/lstm_cell", l) })
	}
	base := ""
	if hasConductor {
		base = "core_decoder/"
	}
	var prefixes []string
	if _, _, ok := kernel(base + "core_decoder_0/decoder/output_projection"); ok {
		for i := 0; ; i++ {
			p := fmt.Sprintf("%score_decoder_%d/decoder", base, i)
			if _, _, ok := kernel(p + "/output_projection"); !ok || i >= model.MaxSplits {
				break
			}
			prefixes = append(prefixes, p)
		}
	} else {
		prefixes = []string{base + "decoder"}
	}
	var depths []int
	for i, p := range prefixes {
		_, D, ok := kernel(p + "/output_projection")
		if !ok {
			return nil, unknownLayout("no "+p+"/output_projection/kernel", shapes)
		}
		depths = append(depths, D)
		dec, _ := stack("decoder", func(l int) string { return fmt.Sprintf("%s/multi_rnn_cell/cell_%d/lstm_cell", p, l) })
		if i == 0 {
			c.Decoder = dec
		} else if dec != c.Decoder {
			bad = append(bad, fmt.Sprintf("%s is %v, %s is %v: mvae's split decoders have one size", p, dec, prefixes[0], c.Decoder))
		}
	}
	if len(prefixes) > 1 {
		c.Splits = depths
	}
	for _, d := range depths {
		c.InputSize += d
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	if err := magentaMusic(c, s, Din, hasConductor); err != nil {
		return nil, converterError{err}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := checkMagentaShapes(magentaLayout(c), shapes); err != nil {
		return nil, err
	}
	return c, nil
}

// magentaMusic fills what the converter says (bars, segments,
// representation, encoder input, drum map, feedback, sampling order,
// config.Magenta) and checks it against the layout.
func magentaMusic(c *model.Config, s *magentaSpec, Din int, hasConductor bool) error {
	a := s.Args
	if a.NumSteps < music.StepsPerBar || a.NumSteps%music.StepsPerBar != 0 || a.NumSteps/music.StepsPerBar > model.MaxBars {
		return fmt.Errorf("dataConverter numSteps %d: mvae runs whole 4/4 bars of 16 steps, 1..%d of them", a.NumSteps, model.MaxBars)
	}
	c.Bars = a.NumSteps / music.StepsPerBar
	if a.StepsPerQuarter != nil && *a.StepsPerQuarter != music.StepsPerQuarter {
		return fmt.Errorf("dataConverter stepsPerQuarter %d: mvae runs 4 steps a quarter", *a.StepsPerQuarter)
	}
	switch {
	case a.NumSegments != 0 && !hasConductor:
		return fmt.Errorf("dataConverter numSegments %d, but the checkpoint has no conductor (decoder/hierarchical_level_0/cell_0/lstm_cell)", a.NumSegments)
	case a.NumSegments == 0 && hasConductor:
		return fmt.Errorf("the checkpoint has a conductor (decoder/hierarchical_level_0), but the dataConverter has no numSegments")
	case hasConductor:
		if a.NumSegments < 1 || a.NumSteps%a.NumSegments != 0 {
			return fmt.Errorf("dataConverter numSegments %d does not divide numSteps %d", a.NumSegments, a.NumSteps)
		}
		c.Segments = a.NumSegments
	}
	if c.Hierarchical() {
		if !hasConductor {
			return fmt.Errorf("a hierarchical encoder without a conductor: the converter has no numSegments to cut the window by")
		}
		c.EncoderSegments = a.NumSegments
	}
	var rep music.Representation
	drums := false
	switch s.Type {
	case "MelodyConverter":
		rep = music.Melody
		if err := checkPitchRange("MelodyConverter", &a); err != nil {
			return err
		}
	case "DrumsConverter":
		rep, drums = music.Drums, true
		c.EncoderInput = string(music.Roll)
		if err := checkPitchClasses("DrumsConverter", &a); err != nil {
			return err
		}
	case "GrooveConverter":
		rep, drums = music.Groove, true
		c.GrooveFeedback = "unmasked"
		switch {
		case a.Humanize && a.Tapify:
			return fmt.Errorf("GrooveConverter with both humanize and tapify: magenta.js applies one; mvae will not guess which")
		case a.Humanize:
			c.EncoderInput = string(music.Humanize)
		case a.Tapify:
			c.EncoderInput = string(music.Tapify)
		}
		if a.SplitInstruments {
			return fmt.Errorf("GrooveConverter with splitInstruments: not supported")
		}
		if err := checkPitchClasses("GrooveConverter", &a); err != nil {
			return err
		}
	case "TrioConverter":
		rep, drums = music.Trio, true
		c.SamplingOrder = "split"
		if err := checkPitchRange("TrioConverter melArgs", a.MelArgs); err != nil {
			return err
		}
		if err := checkPitchRange("TrioConverter bassArgs", a.BassArgs); err != nil {
			return err
		}
		if err := checkPitchClasses("TrioConverter drumsArgs", a.DrumsArgs); err != nil {
			return err
		}
		if len(c.Splits) == 0 {
			return fmt.Errorf("a TrioConverter model without split decoders (core_decoder_0, _1, _2): mvae runs trios with three split decoders")
		}
	}
	c.Representation = string(rep)
	c.DrumMap = "gm"
	if drums {
		c.DrumMap = "magenta"
	}
	if c.InputSize != rep.Depth() {
		return fmt.Errorf("%s models have depth %d; the checkpoint's output projections have %d", s.Type, rep.Depth(), c.InputSize)
	}
	if len(c.Splits) > 0 && rep != music.Trio {
		return fmt.Errorf("split decoders (core_decoder_0, …) with a %s: mvae runs split decoders for trios only", s.Type)
	}
	want, _ := music.EncoderInput(c.EncoderInput).Depth(rep)
	if Din != want {
		return fmt.Errorf("%s: the encoder reads %d values a step, the converter gives %d", s.Type, Din, want)
	}
	if Din != c.InputSize {
		c.EncoderInputSize = Din
	}
	// magenta.js loads a flat model with a one-layer flat encoder, and a
	// hierarchical one with a two-level encoder (REF §2); others (TF's
	// hierdec and flat 16-bar models) come from TF.
	source := "tf"
	if !hasConductor && !c.Hierarchical() && c.Encoder.Layers == 1 && len(c.Splits) == 0 ||
		hasConductor && len(c.EncoderLevels) == 2 && c.EncoderLevels[0].Layers == 1 && c.EncoderLevels[1].Layers == 1 {
		source = "magenta.js"
	}
	c.Magenta = &model.MagentaInfo{Converter: s.Converter, UseBooleanDecoder: s.UseBooleanDecoder, Source: source}
	return nil
}

// converterError is an error of the converter config.json names, or of
// the converter against the weights.
type converterError struct{ error }

func (e converterError) Unwrap() error { return e.error }

// unknownLayout is the error of a checkpoint whose names fit no layout: it
// lists them.
func unknownLayout(why string, shapes map[string][]int) error {
	names := make([]string, 0, len(shapes))
	for n := range shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	const show = 40
	more := ""
	if len(names) > show {
		more = fmt.Sprintf(" and %d more", len(names)-show)
		names = names[:show]
	}
	return fmt.Errorf("not a MusicVAE layout mvae knows (%s); the tensors that did not fit: %s%s", why, strings.Join(names, ", "), more)
}

package music

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ConverterType names a magenta.js data converter (core/data.ts).
type ConverterType string

// The converters mvae reads and writes MIDI through.
const (
	MelodyConverter ConverterType = "MelodyConverter"
	DrumsConverter  ConverterType = "DrumsConverter"
	GrooveConverter ConverterType = "GrooveConverter"
	TrioConverter   ConverterType = "TrioConverter"
)

// MagentaConverter is a magenta.js data converter with its arguments (a
// model's config.json "dataConverter": {"type": …, "args": {…}}) as plain
// values, defaults filled in as magenta.js fills them.
type MagentaConverter struct {
	Type        ConverterType
	NumSteps    int
	NumSegments int // 0: not set

	// MelodyConverter (and a trio's melody and bass).
	MinPitch, MaxPitch int
	IgnorePolyphony    bool // default true: the highest of the notes starting on a step

	// GrooveConverter.
	Humanize, Tapify bool
	StepsPerQuarter  int // default 4

	// DrumsConverter, GrooveConverter, a trio's drums: the classes and the
	// pitch each is written back as (its first); nil: magenta.js's default.
	DrumMap *DrumMap

	// TrioConverter: the melody and bass converters (MelodyConverter).
	Mel, Bass *MagentaConverter
}

type converterJSON struct {
	Type string          `json:"type"`
	Args json.RawMessage `json:"args"`
}

type converterArgs struct {
	NumSteps         *int            `json:"numSteps"`
	NumSegments      *int            `json:"numSegments"`
	MinPitch         *int            `json:"minPitch"`
	MaxPitch         *int            `json:"maxPitch"`
	IgnorePolyphony  *bool           `json:"ignorePolyphony"`
	Humanize         bool            `json:"humanize"`
	Tapify           bool            `json:"tapify"`
	StepsPerQuarter  *int            `json:"stepsPerQuarter"`
	PitchClasses     [][]int         `json:"pitchClasses"`
	SplitInstruments bool            `json:"splitInstruments"`
	MelArgs          json.RawMessage `json:"melArgs"`
	BassArgs         json.RawMessage `json:"bassArgs"`
	DrumsArgs        json.RawMessage `json:"drumsArgs"`
}

// ParseMagentaConverter reads a converter spec, {"type": …, "args": {…}}, as
// a Magenta model's config records it. Converters mvae does not read
// (multitrack, the rhythm and shape converters, DrumRollConverter, groove's
// splitInstruments) are an error that says so.
func ParseMagentaConverter(data []byte) (*MagentaConverter, error) {
	var j converterJSON
	if err := strictUnmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("magenta converter: %v", err)
	}
	var a converterArgs
	if len(j.Args) > 0 {
		if err := strictUnmarshal(j.Args, &a); err != nil {
			return nil, fmt.Errorf("magenta converter %s: args: %v", j.Type, err)
		}
	}
	c, err := converterOf(ConverterType(j.Type), &a)
	if err != nil {
		return nil, fmt.Errorf("magenta converter %s: %v", j.Type, err)
	}
	return c, nil
}

func strictUnmarshal(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

func converterOf(t ConverterType, a *converterArgs) (*MagentaConverter, error) {
	c := &MagentaConverter{Type: t, IgnorePolyphony: true, StepsPerQuarter: StepsPerQuarter}
	if a.NumSteps == nil || *a.NumSteps < StepsPerBar || *a.NumSteps%StepsPerBar != 0 || *a.NumSteps > 64*StepsPerBar {
		return nil, fmt.Errorf("numSteps must be a whole number of 16-step bars, 1 to 64 of them (got %s)", intOrUnset(a.NumSteps))
	}
	c.NumSteps = *a.NumSteps
	if a.NumSegments != nil {
		if *a.NumSegments < 1 || c.NumSteps%*a.NumSegments != 0 {
			return nil, fmt.Errorf("numSegments %d does not divide numSteps %d", *a.NumSegments, c.NumSteps)
		}
		c.NumSegments = *a.NumSegments
	}
	melody := func() error {
		if a.MinPitch == nil || a.MaxPitch == nil {
			return fmt.Errorf("minPitch and maxPitch are required")
		}
		c.MinPitch, c.MaxPitch = *a.MinPitch, *a.MaxPitch
		if c.MinPitch < 0 || c.MaxPitch > 127 || c.MaxPitch-c.MinPitch+3 != Melody.Depth() {
			return fmt.Errorf("pitches %d..%d: mvae's melodies are %d pitches in 0..127 (depth %d)", c.MinPitch, c.MaxPitch, Melody.Depth()-2, Melody.Depth())
		}
		if a.IgnorePolyphony != nil {
			c.IgnorePolyphony = *a.IgnorePolyphony
		}
		return nil
	}
	drums := func() error {
		if a.PitchClasses == nil {
			c.DrumMap = Magenta
			return nil
		}
		m, err := drumMapOfClasses(a.PitchClasses)
		c.DrumMap = m
		return err
	}
	var err error
	switch t {
	case MelodyConverter:
		err = melody()
	case DrumsConverter:
		err = drums()
	case GrooveConverter:
		if a.StepsPerQuarter != nil && *a.StepsPerQuarter != StepsPerQuarter {
			return nil, fmt.Errorf("stepsPerQuarter %d: mvae's grid is %d steps a quarter", *a.StepsPerQuarter, StepsPerQuarter)
		}
		if a.SplitInstruments {
			return nil, fmt.Errorf("splitInstruments is not supported")
		}
		if a.Humanize && a.Tapify {
			return nil, fmt.Errorf("humanize and tapify together are not supported")
		}
		c.Humanize, c.Tapify = a.Humanize, a.Tapify
		err = drums()
	case TrioConverter:
		for _, part := range []struct {
			name string
			raw  json.RawMessage
			dst  **MagentaConverter
		}{{"melArgs", a.MelArgs, &c.Mel}, {"bassArgs", a.BassArgs, &c.Bass}} {
			var pa converterArgs
			if len(part.raw) == 0 {
				return nil, fmt.Errorf("%s is required", part.name)
			}
			if err := strictUnmarshal(part.raw, &pa); err != nil {
				return nil, fmt.Errorf("%s: %v", part.name, err)
			}
			pa.NumSteps = a.NumSteps // the trio copies numSteps to its parts
			if *part.dst, err = converterOf(MelodyConverter, &pa); err != nil {
				return nil, fmt.Errorf("%s: %v", part.name, err)
			}
		}
		var da converterArgs
		if len(a.DrumsArgs) > 0 {
			if err := strictUnmarshal(a.DrumsArgs, &da); err != nil {
				return nil, fmt.Errorf("drumsArgs: %v", err)
			}
		}
		a = &da
		err = drums()
	default:
		return nil, fmt.Errorf("not a converter mvae reads (it reads MelodyConverter, DrumsConverter, GrooveConverter and TrioConverter)")
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

func intOrUnset(p *int) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(*p)
}

// drumMapOfClasses is the drum map of a converter's pitchClasses: 9 classes,
// each written back as its first pitch. A pitch listed twice belongs to the
// later class, as magenta.js's Map.set leaves it.
func drumMapOfClasses(pcs [][]int) (*DrumMap, error) {
	if len(pcs) != NumDrumClasses {
		return nil, fmt.Errorf("pitchClasses has %d classes; mvae's drums have %d", len(pcs), NumDrumClasses)
	}
	m := &DrumMap{Name: "converter"}
	for i := range m.classOf {
		m.classOf[i] = -1
	}
	for c, ps := range pcs {
		if len(ps) == 0 {
			return nil, fmt.Errorf("pitchClasses[%d] is empty", c)
		}
		for _, p := range ps {
			if p < 0 || p > 127 {
				return nil, fmt.Errorf("pitchClasses[%d] holds pitch %d, outside 0..127", c, p)
			}
			m.classOf[p] = int8(c)
		}
		m.out[c] = uint8(ps[0])
	}
	return m, nil
}

// Representation is the tensor encoding of the converter's tokens.
func (c *MagentaConverter) Representation() Representation {
	switch c.Type {
	case MelodyConverter:
		return Melody
	case DrumsConverter:
		return Drums
	case GrooveConverter:
		return Groove
	case TrioConverter:
		return Trio
	}
	return ""
}

// EncoderInput is how the converter's toTensor differs from its tokens: a
// drums roll, a humanized or tapped groove, or the tokens themselves.
func (c *MagentaConverter) EncoderInput() EncoderInput {
	switch {
	case c.Type == DrumsConverter:
		return Roll
	case c.Humanize:
		return Humanize
	case c.Tapify:
		return Tapify
	}
	return AsTokens
}

// Bars is numSteps in 16-step bars.
func (c *MagentaConverter) Bars() int { return c.NumSteps / StepsPerBar }

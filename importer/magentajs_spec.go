package importer

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/musicvae-go/mvae/music"
)

// magentaSpec is what mvae reads of a magenta.js config.json (a
// MusicVAESpec, REF §1.1).
type magentaSpec struct {
	// Converter is dataConverter, compacted JSON, kept verbatim.
	Converter         json.RawMessage
	Type              string // dataConverter.type
	Args              converterArgs
	UseBooleanDecoder bool
}

// converterArgs are the dataConverter args mvae knows (REF §4).
type converterArgs struct {
	NumSteps         int            `json:"numSteps"`
	NumSegments      int            `json:"numSegments"`
	MinPitch         *int           `json:"minPitch"`
	MaxPitch         *int           `json:"maxPitch"`
	StepsPerQuarter  *int           `json:"stepsPerQuarter"`
	Humanize         bool           `json:"humanize"`
	Tapify           bool           `json:"tapify"`
	SplitInstruments bool           `json:"splitInstruments"`
	PitchClasses     [][]int        `json:"pitchClasses"`
	MelArgs          *converterArgs `json:"melArgs"`
	BassArgs         *converterArgs `json:"bassArgs"`
	DrumsArgs        *converterArgs `json:"drumsArgs"`
}

// parseMagentaSpec reads config.json. Models mvae cannot run (controls,
// multitrack, converters it does not know) are refused with a message that
// says so.
func parseMagentaSpec(data []byte) (*magentaSpec, error) {
	var raw struct {
		Type              string          `json:"type"`
		DataConverter     json.RawMessage `json:"dataConverter"`
		UseBooleanDecoder bool            `json:"useBooleanDecoder"`
		ChordEncoder      json.RawMessage `json:"chordEncoder"`
		ConditionOnKey    bool            `json:"conditionOnKey"`
		ExtraControls     json.RawMessage `json:"extraControls"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not a magenta.js model config: %v", err)
	}
	if raw.Type != "MusicVAE" {
		return nil, fmt.Errorf("type %q: not a MusicVAE (magenta.js configs say \"type\": \"MusicVAE\")", raw.Type)
	}
	isSet := func(r json.RawMessage) bool {
		r = bytes.TrimSpace(r)
		return len(r) > 0 && !bytes.Equal(r, []byte("null")) && !bytes.Equal(r, []byte("[]")) && !bytes.Equal(r, []byte("false"))
	}
	switch {
	case isSet(raw.ChordEncoder):
		return nil, fmt.Errorf("a model conditioned on chords (chordEncoder %s): mvae does not run models with controls", bytes.TrimSpace(raw.ChordEncoder))
	case raw.ConditionOnKey:
		return nil, fmt.Errorf("a model conditioned on the key (conditionOnKey): mvae does not run models with controls")
	case isSet(raw.ExtraControls):
		return nil, fmt.Errorf("a model with extraControls: mvae does not run models with controls")
	}
	if !isSet(raw.DataConverter) {
		return nil, fmt.Errorf("no dataConverter: mvae needs to know how the model reads and writes music")
	}
	var conv struct {
		Type string          `json:"type"`
		Args json.RawMessage `json:"args"`
	}
	if err := json.Unmarshal(raw.DataConverter, &conv); err != nil {
		return nil, fmt.Errorf("dataConverter: %v", err)
	}
	s := &magentaSpec{Type: conv.Type, UseBooleanDecoder: raw.UseBooleanDecoder}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw.DataConverter); err != nil {
		return nil, fmt.Errorf("dataConverter: %v", err)
	}
	s.Converter = buf.Bytes()
	switch conv.Type {
	case "MelodyConverter", "DrumsConverter", "GrooveConverter", "TrioConverter":
	case "MultitrackConverter":
		return nil, fmt.Errorf("a multitrack model (MultitrackConverter): mvae does not run multitrack models (variable-length segments, a 490-event vocabulary)")
	default:
		return nil, fmt.Errorf("dataConverter type %q: mvae runs MusicVAEs with MelodyConverter, DrumsConverter, GrooveConverter or TrioConverter", conv.Type)
	}
	if isSet(conv.Args) {
		if err := json.Unmarshal(conv.Args, &s.Args); err != nil {
			return nil, fmt.Errorf("dataConverter %s args: %v", conv.Type, err)
		}
	}
	return s, nil
}

// checkPitchRange requires a MelodyConverter's pitch range to be mvae's
// melody representation's, 21..108 (90 classes).
func checkPitchRange(what string, a *converterArgs) error {
	if a == nil || a.MinPitch == nil || a.MaxPitch == nil {
		return fmt.Errorf("%s without minPitch and maxPitch: mvae's melodies are 21..108", what)
	}
	if *a.MinPitch != music.MinMelodyPitch || *a.MaxPitch != music.MaxMelodyPitch {
		return fmt.Errorf("%s with pitches %d..%d: mvae's melody representation is %d..%d (90 classes); other ranges are not supported",
			what, *a.MinPitch, *a.MaxPitch, music.MinMelodyPitch, music.MaxMelodyPitch)
	}
	return nil
}

// checkPitchClasses accepts a drum converter's pitchClasses only when they
// are magenta.js's default map (music.Magenta).
func checkPitchClasses(what string, a *converterArgs) error {
	if a == nil || a.PitchClasses == nil {
		return nil
	}
	m := music.Magenta
	pc := a.PitchClasses
	ok := len(pc) == music.NumDrumClasses
	class := map[int]int{}
	for k := 0; ok && k < len(pc); k++ {
		ok = len(pc[k]) > 0 && pc[k][0] == int(m.OutputPitch(k))
		for _, p := range pc[k] {
			if _, dup := class[p]; dup || p < 0 || p > 127 {
				ok = false
			}
			class[p] = k
		}
	}
	for p := 0; ok && p < 128; p++ {
		k, in := class[p]
		if !in {
			k = -1
		}
		ok = m.Class(uint8(p)) == k
	}
	if !ok {
		return fmt.Errorf("%s with its own pitchClasses: mvae runs drum models with magenta.js's default pitch classes only", what)
	}
	return nil
}

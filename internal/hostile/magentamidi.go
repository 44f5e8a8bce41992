package hostile

import (
	"encoding/binary"
	"path/filepath"

	"github.com/musicvae-go/mvae/model"
)

// smf is a format-0 Standard MIDI File of one track holding body (delta-timed
// events, End of Track added).
func smf(tpq uint16, body ...byte) []byte {
	out := []byte("MThd\x00\x00\x00\x06\x00\x00\x00\x01")
	out = binary.BigEndian.AppendUint16(out, tpq)
	body = append(body, 0, 0xFF, 0x2F, 0)
	out = append(out, "MTrk"...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

// magentaModel writes a tiny Magenta model of a family of model.TinyFamilies.
func magentaModel(dir, family string) (string, error) {
	c := model.TinyFamilies()[family]
	p := filepath.Join(dir, family+".mvae")
	return p, model.WriteBundleFile(p, model.NewBundle(model.Manifest{Config: c}, tinyWeights(c), nil), false)
}

// MIDI files that a Magenta model's converter refuses: each one error naming
// the file and the problem.
func init() {
	for _, c := range []struct {
		name, family string
		midi         []byte
		want         []string
	}{
		// A melody note below the model's 21..108: magenta.js throws; mvae says
		// which note, where, and the range.
		{"melody-out-of-range", "mel_2bar", smf(96, 0, 0x90, 60, 100, 24, 0x80, 60, 0, 0, 0x91, 12, 100, 24, 0x81, 12, 0),
			[]string{"pitch 12", "channel 2", "21..108"}},
		// A tempo change: magenta.js quantizes one tempo only.
		{"tempo-change", "groove_4bar", smf(96, 0, 0xFF, 0x51, 3, 0x07, 0xA1, 0x20, 0, 0x99, 36, 100, 96, 0xFF, 0x51, 3, 0x06, 0x1A, 0x80, 0, 0x89, 36, 0),
			[]string{"tempo change", "one tempo"}},
		// A Set Tempo event of two bytes (magenta.js's reader throws).
		{"malformed-tempo", "drums_2bar", smf(96, 0, 0xFF, 0x51, 2, 0x07, 0xA1, 0, 0x99, 36, 100, 24, 0x89, 36, 0),
			[]string{"malformed tempo"}},
		// A drum hit 2^28-1 ticks in at one tick a quarter: a billion steps, not
		// a billion-step roll.
		{"hit-far-away", "groove_4bar", smf(1, 0xFF, 0xFF, 0xFF, 0x7F, 0x99, 36, 100, 1, 0x89, 36, 0),
			[]string{"past the", "bars mvae reads"}},
		// A trio's bass (program 34) above the range.
		{"trio-bass-out-of-range", "trio_hier", smf(96, 0, 0xC1, 33, 0, 0x91, 110, 100, 24, 0x81, 110, 0),
			[]string{"bass", "pitch 110", "21..108"}},
	} {
		Register(Case{
			Name: "magenta-midi/" + c.name,
			Make: func(dir string) ([]string, string, error) {
				m, err := magentaModel(dir, c.family)
				if err != nil {
					return nil, "", err
				}
				p, err := writeFile(dir, "notes.mid", c.midi)
				return []string{"data", "show", p, "--model", m, "-o", filepath.Join(dir, "w.npy")}, p, err
			},
			Want: c.want,
		})
	}
}

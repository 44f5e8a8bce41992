package hostile

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/musicvae-go/mvae/internal/craft"
)

// The magenta.js cases damage REF §6.3's tiny mel checkpoint (craft.MagentaMel)
// and import it: each must be refused naming the folder's file at fault.

// MagentaDamage is one way to damage a magenta.js checkpoint folder.
type MagentaDamage struct {
	Name string
	// Damage edits the checkpoint in dir and returns the file the error must
	// name (config.json, weights_manifest.json or a shard).
	Damage func(dir string) (file string, err error)
	// Want are substrings (case-insensitive) the error must hold.
	Want []string
}

const (
	magentaShard    = "group1-shard1of1"
	magentaManifest = "weights_manifest.json"
	magentaConfig   = "config.json"
	lastTensor      = "decoder/output_projection/bias" // [90], the shard's last 360 bytes
)

// editManifest applies edit to dir's manifest.
func editManifest(dir string, edit func(m []craft.MagentaGroup)) (string, error) {
	m, err := craft.ReadMagentaManifest(dir)
	if err != nil {
		return "", err
	}
	edit(m)
	return magentaManifest, craft.WriteMagentaManifest(dir, m)
}

// quantizeLast stores the last tensor as uint8 values q under quant.
func quantizeLast(dir string, quant map[string]any, q []byte) (string, error) {
	if _, err := editManifest(dir, func(m []craft.MagentaGroup) { craft.MagentaEntry(m, lastTensor)["quantization"] = quant }); err != nil {
		return "", err
	}
	p := filepath.Join(dir, magentaShard)
	if err := os.Truncate(p, craft.MagentaMelShardBytes-90*4); err != nil {
		return "", err
	}
	return magentaShard, craft.AppendFile(p, q)
}

func setConfig(dir, conv string) (string, error) {
	return magentaConfig, os.WriteFile(filepath.Join(dir, magentaConfig), []byte(`{"type":"MusicVAE","dataConverter":`+conv+`}`), 0o644)
}

// MagentaDamages are the damaged magenta.js checkpoints mvae must refuse;
// the importer's tests run them in process, TestHostileInputs through mvae.
func MagentaDamages() []MagentaDamage {
	varying := make([]byte, 90)
	for i := range varying {
		varying[i] = byte(i)
	}
	return []MagentaDamage{
		{"missing-shard", func(dir string) (string, error) {
			return magentaShard, os.Remove(filepath.Join(dir, magentaShard))
		}, []string{"missing"}},
		{"short-shard", func(dir string) (string, error) {
			return magentaShard, os.Truncate(filepath.Join(dir, magentaShard), craft.MagentaMelShardBytes-10)
		}, []string{"too short", lastTensor}},
		{"long-shard", func(dir string) (string, error) {
			return magentaShard, craft.AppendFile(filepath.Join(dir, magentaShard), make([]byte, 8))
		}, []string{"too long", "8 more"}},
		{"nan-min", func(dir string) (string, error) {
			if _, err := quantizeLast(dir, map[string]any{"dtype": "uint8", "min": craft.RawJSON("NaN"), "scale": 0.01}, varying); err != nil {
				return "", err
			}
			return magentaManifest, nil
		}, []string{lastTensor, "min NaN", "not a finite number"}},
		{"infinite-scale", func(dir string) (string, error) {
			if _, err := quantizeLast(dir, map[string]any{"dtype": "uint8", "min": 0, "scale": craft.RawJSON("1e999")}, varying); err != nil {
				return "", err
			}
			return magentaManifest, nil
		}, []string{lastTensor, "scale", "not a finite number"}},
		{"zero-scale", func(dir string) (string, error) {
			return quantizeLast(dir, map[string]any{"dtype": "uint8", "min": 0.5, "scale": 0}, varying)
		}, []string{lastTensor, "scale 0", "vary"}},
		{"shape-mismatch", func(dir string) (string, error) {
			return editManifest(dir, func(m []craft.MagentaGroup) {
				craft.MagentaEntry(m, "decoder/z_to_initial_state/kernel")["shape"] = []int{24, 4}
			})
		}, []string{"decoder/z_to_initial_state/kernel", "do not fit"}},
		{"duplicate-name", func(dir string) (string, error) {
			return editManifest(dir, func(m []craft.MagentaGroup) {
				craft.MagentaEntry(m, "encoder/sigma/bias")["name"] = "encoder/mu/bias"
			})
		}, []string{"encoder/mu/bias", "named twice"}},
		{"unknown-dtype", func(dir string) (string, error) {
			return editManifest(dir, func(m []craft.MagentaGroup) { craft.MagentaEntry(m, "encoder/mu/bias")["dtype"] = "int32" })
		}, []string{"encoder/mu/bias", "int32"}},
		{"huge-shape", func(dir string) (string, error) {
			return editManifest(dir, func(m []craft.MagentaGroup) {
				craft.MagentaEntry(m, "encoder/mu/kernel")["shape"] = []int64{1 << 40, 1 << 40}
			})
		}, []string{"encoder/mu/kernel", "more than"}},
		{"huge-shape-in-budget", func(dir string) (string, error) {
			// 400 M values: within the limit on values, far beyond the shard.
			_, err := editManifest(dir, func(m []craft.MagentaGroup) {
				craft.MagentaEntry(m, "encoder/mu/kernel")["shape"] = []int64{20000, 20000}
			})
			return magentaShard, err
		}, []string{"encoder/mu/kernel", "too short"}},
		{"unsupported-converter", func(dir string) (string, error) {
			return setConfig(dir, `{"type":"MelodyConverter","args":{"numSteps":32,"minPitch":0,"maxPitch":127}}`)
		}, []string{"0..127", "not supported"}},
		{"multitrack", func(dir string) (string, error) {
			return setConfig(dir, `{"type":"MultitrackConverter","args":{"numSteps":512,"numSegments":8,"stepsPerQuarter":24,"totalSteps":96,"numVelocityBins":8}}`)
		}, []string{"multitrack"}},
		{"chords", func(dir string) (string, error) {
			return magentaConfig, os.WriteFile(filepath.Join(dir, magentaConfig), []byte(strings.Replace(craft.MagentaMelConfig, `"type":"MusicVAE",`, `"type":"MusicVAE","chordEncoder":"TriadChordEncoder",`, 1)), 0o644)
		}, []string{"chord", "controls"}},
		{"nade", func(dir string) (string, error) {
			if _, err := editManifest(dir, func(m []craft.MagentaGroup) {
				m[0].Weights = append(m[0].Weights,
					map[string]any{"name": "decoder/nade/w_enc", "shape": []int{90, 1, 8}, "dtype": "float32"},
					map[string]any{"name": "decoder/nade/w_dec_t", "shape": []int{90, 8, 1}, "dtype": "float32"})
			}); err != nil {
				return "", err
			}
			return magentaManifest, craft.AppendFile(filepath.Join(dir, magentaShard), make([]byte, 2*720*4))
		}, []string{"NADE", "decoder/nade/"}},
		{"unknown-layout", func(dir string) (string, error) {
			return editManifest(dir, func(m []craft.MagentaGroup) {
				for _, w := range m[0].Weights {
					w["name"] = strings.Replace(w["name"].(string), "encoder/cell_0", "encoder/cell_9", 1)
				}
			})
		}, []string{"not a MusicVAE layout", "encoder/cell_9/"}},
		{"manifest-is-a-device", func(dir string) (string, error) {
			p := filepath.Join(dir, magentaManifest)
			if err := os.Remove(p); err != nil {
				return "", err
			}
			return magentaManifest, os.Symlink("/dev/zero", p)
		}, []string{"not a regular file"}},
		{"shard-is-a-device", func(dir string) (string, error) {
			p := filepath.Join(dir, magentaShard)
			if err := os.Remove(p); err != nil {
				return "", err
			}
			return magentaShard, os.Symlink("/dev/zero", p)
		}, []string{"not a regular file"}},
		{"escaping-shard-path", func(dir string) (string, error) {
			return editManifest(dir, func(m []craft.MagentaGroup) { m[0].Paths = []string{"../" + magentaShard} })
		}, []string{"not a file name"}},
	}
}

func init() {
	for _, d := range MagentaDamages() {
		Register(Case{
			Name: "magenta/" + d.Name,
			Make: func(dir string) ([]string, string, error) {
				ck := filepath.Join(dir, "mel")
				if err := craft.MagentaMel(ck); err != nil {
					return nil, "", err
				}
				file, err := d.Damage(ck)
				if err != nil {
					return nil, "", err
				}
				return []string{"import", ck, "-o", filepath.Join(dir, "out.mvae")}, filepath.Join(ck, file), nil
			},
			Want: d.Want,
		})
	}
}

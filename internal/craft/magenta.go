package craft

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
)

// Magenta.js checkpoints (a folder: config.json, weights_manifest.json and
// shards) must be refused when their manifest and shards disagree, or the
// manifest declares what no file holds. These helpers edit a checkpoint a
// test wrote (with mvae's exporter) into a damaged one.

// MagentaGroup is one group of a tfjs weights manifest, as generic JSON.
type MagentaGroup struct {
	Paths   []string         `json:"paths"`
	Weights []map[string]any `json:"weights"`
}

// ReadMagentaManifest reads dir/weights_manifest.json.
func ReadMagentaManifest(dir string) ([]MagentaGroup, error) {
	b, err := os.ReadFile(filepath.Join(dir, "weights_manifest.json"))
	if err != nil {
		return nil, err
	}
	var m []MagentaGroup
	err = json.Unmarshal(b, &m)
	return m, err
}

// WriteMagentaManifest writes m as dir/weights_manifest.json. Values of
// type RawJSON are written as they are (e.g. NaN, which Python's json
// module writes and encoding/json cannot).
func WriteMagentaManifest(dir string, m []MagentaGroup) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	b = rawJSON.ReplaceAll(b, []byte("$1"))
	return os.WriteFile(filepath.Join(dir, "weights_manifest.json"), b, 0o644)
}

// RawJSON is a JSON value written verbatim.
type RawJSON string

// MarshalJSON writes r as a marked string that WriteMagentaManifest
// unquotes (encoding/json checks what a Marshaler writes).
func (r RawJSON) MarshalJSON() ([]byte, error) { return json.Marshal("@raw:" + string(r) + "@") }

var rawJSON = regexp.MustCompile(`"@raw:([^"@]*)@"`)

// MagentaEntry returns the manifest entry of the tensor named name (nil if
// none).
func MagentaEntry(m []MagentaGroup, name string) map[string]any {
	for _, g := range m {
		for _, w := range g.Weights {
			if w["name"] == name {
				return w
			}
		}
	}
	return nil
}

// AppendFile appends b to a file.
func AppendFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// MagentaMelManifest is REF §6.3's manifest of a tiny mel_2bar_small (one
// float32 shard of 39,832 bytes).
const MagentaMelManifest = `[{"paths":["group1-shard1of1"],"weights":[
 {"name":"encoder/cell_0/bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell/kernel","shape":[98,32],"dtype":"float32"},
 {"name":"encoder/cell_0/bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell/bias","shape":[32],"dtype":"float32"},
 {"name":"encoder/cell_0/bidirectional_rnn/bw/multi_rnn_cell/cell_0/lstm_cell/kernel","shape":[98,32],"dtype":"float32"},
 {"name":"encoder/cell_0/bidirectional_rnn/bw/multi_rnn_cell/cell_0/lstm_cell/bias","shape":[32],"dtype":"float32"},
 {"name":"encoder/mu/kernel","shape":[16,4],"dtype":"float32"},
 {"name":"encoder/mu/bias","shape":[4],"dtype":"float32"},
 {"name":"encoder/sigma/kernel","shape":[16,4],"dtype":"float32"},
 {"name":"encoder/sigma/bias","shape":[4],"dtype":"float32"},
 {"name":"decoder/multi_rnn_cell/cell_0/lstm_cell/kernel","shape":[100,24],"dtype":"float32"},
 {"name":"decoder/multi_rnn_cell/cell_0/lstm_cell/bias","shape":[24],"dtype":"float32"},
 {"name":"decoder/multi_rnn_cell/cell_1/lstm_cell/kernel","shape":[12,24],"dtype":"float32"},
 {"name":"decoder/multi_rnn_cell/cell_1/lstm_cell/bias","shape":[24],"dtype":"float32"},
 {"name":"decoder/z_to_initial_state/kernel","shape":[4,24],"dtype":"float32"},
 {"name":"decoder/z_to_initial_state/bias","shape":[24],"dtype":"float32"},
 {"name":"decoder/output_projection/kernel","shape":[6,90],"dtype":"float32"},
 {"name":"decoder/output_projection/bias","shape":[90],"dtype":"float32"}]}]`

// MagentaMelConfig is REF §6.3's config.json (mel_2bar_small's).
const MagentaMelConfig = `{"type":"MusicVAE","dataConverter":{"type":"MelodyConverter","args":{"numSteps":32,"minPitch":21,"maxPitch":108}}}`

// MagentaMelShardBytes is the size of MagentaMel's shard.
const MagentaMelShardBytes = 39832

// MagentaMel writes REF §6.3's tiny mel checkpoint into dir (made if
// missing), with small deterministic float32 values.
func MagentaMel(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	shard := make([]byte, 0, MagentaMelShardBytes)
	x := uint32(11)
	for len(shard) < MagentaMelShardBytes {
		x = x*1664525 + 1013904223
		v := float32(int32(x>>8)%2000-1000) / 2000
		shard = binary.LittleEndian.AppendUint32(shard, math.Float32bits(v))
	}
	for name, b := range map[string][]byte{"config.json": []byte(MagentaMelConfig), "weights_manifest.json": []byte(MagentaMelManifest),
		"group1-shard1of1": shard} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

package importer

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/musicvae-go/mvae/internal/fsutil"
	"github.com/musicvae-go/mvae/model"
)

// MagentaShardBytes is the most an exported shard holds: the 4 MiB of
// Magenta's checkpoint converter (REF §1.1).
const MagentaShardBytes = 4 << 20

// ErrNotMagenta is wrapped by the error of an export to magenta.js of a
// model whose config records no Magenta origin (config.magenta).
var ErrNotMagenta = errors.New("the model has no Magenta converter (config.magenta)")

// WriteMagenta writes the model as a magenta.js checkpoint into the folder
// dir (made if missing; its parent must exist): config.json (a
// MusicVAESpec with the converter the config records), weights_manifest.json
// and float32 shards of at most MagentaShardBytes, the tensors under
// Magenta's TF names (ToMagenta; encoder/sigma included). Every file is
// written atomically, and none may replace an input of the running command
// (internal/fsutil). It returns the files written. A model without
// config.magenta is refused (ErrNotMagenta): its music is the spec's, not
// that of a magenta.js converter.
func WriteMagenta(dir string, c *model.Config, w model.Weights) ([]string, error) {
	return writeMagenta(dir, c, w, MagentaShardBytes)
}

func writeMagenta(dir string, c *model.Config, w model.Weights, shardBytes int) ([]string, error) {
	if c.Magenta == nil {
		return nil, fmt.Errorf("%s: %w; export --magenta writes models imported from Magenta checkpoints: a spec model's MIDI (its drum map, groove offsets and feedback) is not what any magenta.js converter reads and writes", dir, ErrNotMagenta)
	}
	if err := w.Check(c); err != nil {
		return nil, err
	}
	ts, err := ToMagenta(c, w)
	if err != nil {
		return nil, err
	}
	spec := struct {
		Type              string          `json:"type"`
		DataConverter     json.RawMessage `json:"dataConverter"`
		UseBooleanDecoder bool            `json:"useBooleanDecoder,omitempty"`
	}{"MusicVAE", c.Magenta.Converter, c.Magenta.UseBooleanDecoder}
	cj, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("%s: the recorded converter: %v", dir, err)
	}
	return writeMagentaFiles(dir, cj, ts, shardBytes)
}

// writeMagentaFiles writes config.json, the manifest of ts (float32, one
// group) and its shards into dir.
func writeMagentaFiles(dir string, config []byte, ts []MagentaTensor, shardBytes int) ([]string, error) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("%s is a file; name a folder to write the magenta.js checkpoint into", dir)
	} else if errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, err
		}
	}
	type entry struct {
		Name  string `json:"name"`
		Shape []int  `json:"shape"`
		DType string `json:"dtype"`
	}
	var data []byte
	var entries []entry
	for _, t := range ts {
		entries = append(entries, entry{t.Name, t.Tensor.Shape, "float32"})
		for _, v := range t.Tensor.Data {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
		}
	}
	n := max(1, (len(data)+shardBytes-1)/shardBytes)
	paths := make([]string, n)
	for i := range paths {
		paths[i] = fmt.Sprintf("group1-shard%dof%d", i+1, n)
	}
	manifest, err := json.Marshal([]struct {
		Paths   []string `json:"paths"`
		Weights []entry  `json:"weights"`
	}{{paths, entries}})
	if err != nil {
		return nil, err
	}
	// Every target is checked before anything is written: none may be a
	// folder or an input of the running command.
	for _, n := range append(paths, MagentaConfigFile, MagentaManifestFile) {
		if err := fsutil.CheckTarget(filepath.Join(dir, n)); err != nil {
			return nil, err
		}
	}
	var written []string
	write := func(name string, b []byte) error {
		p := filepath.Join(dir, name)
		if err := fsutil.WriteAtomic(p, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
			return err
		}
		written = append(written, p)
		return nil
	}
	// The shards first, the manifest last.
	for i, p := range paths {
		if err := write(p, data[i*shardBytes:min(len(data), (i+1)*shardBytes)]); err != nil {
			return written, err
		}
	}
	if err := write(MagentaConfigFile, append(config, '\n')); err != nil {
		return written, err
	}
	if err := write(MagentaManifestFile, append(manifest, '\n')); err != nil {
		return written, err
	}
	return written, nil
}

package importer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/internal/mapfile"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// Options carry what the user says about a model besides the file.
type Options struct {
	Config   *model.Config // --config: a whole config
	DrumMap  string        // --drum-map
	Bars     int           // --bars (0: not given)
	Segments int           // --segments (0: not given)
	FreeBits *float64      // --free-bits
	MaxBeta  *float64      // --max-beta
}

// ErrNeedBars is wrapped by the error of a graph that does not say how many
// bars its input has: Options must say (Bars, or a whole Config).
var ErrNeedBars = errors.New("say how many bars (or give a whole config)")

// ErrNeedBarsSegments is wrapped by the error of a state_dict imported with
// neither a config nor the numbers of bars and segments, which its weights
// do not show.
var ErrNeedBarsSegments = errors.New("a state_dict does not say how many bars and segments the model has")

// Result is an imported model: canonical weights and config, plus where they
// came from and what had to be assumed.
type Result struct {
	Config     *model.Config
	Weights    model.Weights
	Provenance model.Provenance
	Notes      []string
	// ONNX is the original graph for an ONNX import (nil for a .pt), so that
	// the import can be verified against it; for an ONNX file File leaves it
	// nil and sets ONNXFile, the file's path, instead (the model is not held
	// in memory: graphs.ExternalizeFile reads it again for the check).
	ONNX     []byte
	ONNXFile string
}

// MaxImportSize bounds the files the importer reads.
const MaxImportSize = 2 << 30

// File imports an ONNX model, a PyTorch state_dict (.pt, zip format), or a
// magenta.js checkpoint (a folder with weights_manifest.json). Errors name
// the file and say what is wrong.
func File(path string, o Options) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return fromMagentaDir(path, o)
	}
	if st.Size() > MaxImportSize {
		return nil, fmt.Errorf("%s: %d bytes is more than mvae imports (%d)", path, st.Size(), int64(MaxImportSize))
	}
	// A zip (a state_dict) of a regular file is read through the file, each
	// storage from its record; anything else is read whole (an ONNX graph is
	// parsed in memory and kept to verify the import against).
	var data []byte
	var zipFile io.ReaderAt
	if st.Mode().IsRegular() {
		var head [4]byte
		if n, _ := f.ReadAt(head[:], 0); sniffHead(head[:n]) == kindZip {
			zipFile = f
		}
	}
	mapped := false
	switch {
	case zipFile != nil:
	case st.Mode().IsRegular():
		// Mapped, not read: the pages of each tensor leave memory once the
		// tensor is decoded (graphs.ReadModelReleasing).
		data, err = mapfile.Map(f, st.Size())
		if err == nil {
			mapped = true
			defer mapfile.Unmap(data)
		}
	default:
		data, err = io.ReadAll(io.LimitReader(f, MaxImportSize+1))
		if len(data) > MaxImportSize {
			err = fmt.Errorf("more than the %d bytes mvae imports", int64(MaxImportSize))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var r *Result
	var notes []string
	kind, what := kindZip, ""
	if zipFile == nil {
		kind, what = sniff(data)
	}
	switch kind {
	case kindZip:
		if o.Config == nil && o.Bars == 0 {
			// A state_dict carries no config: take the one saved beside it.
			side := filepath.Join(filepath.Dir(path), "config.json")
			if b, err := os.ReadFile(side); err == nil {
				c, err := model.ParseConfig(b)
				if err != nil {
					return nil, fmt.Errorf("%s: %v", side, err)
				}
				o.Config = c
				notes = append(notes, "config from "+side)
			}
		}
		if zipFile != nil {
			r, err = fromPT(zipFile, st.Size(), o)
		} else {
			r, err = fromPT(bytes.NewReader(data), int64(len(data)), o)
		}
	case kindLegacyPyTorch:
		err = fmt.Errorf("%s, which PyTorch wrote before version 1.6 (or another program): mvae reads the zip format; re-save with torch.save(model.state_dict(), path) in PyTorch 1.6 or later", what)
	case kindOther:
		err = fmt.Errorf("%s, not a model: mvae imports a PyTorch state_dict (.pt, zip format) or an ONNX model", what)
	default:
		var release func([]byte)
		if mapped {
			release = mapfile.Release
		}
		err = mapfile.Do(func() (err error) {
			r, err = fromONNX(data, o, release)
			return err
		})
		if err == nil && mapped {
			r.ONNX, r.ONNXFile = nil, path // data is unmapped on return
		}
		if errors.Is(err, graphs.ErrNotONNX) {
			detail := strings.TrimPrefix(err.Error(), graphs.ErrNotONNX.Error()+": ")
			err = fmt.Errorf("neither a PyTorch state_dict (zip or pickle) nor an ONNX model (%s)", detail)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.Notes = append(notes, r.Notes...)
	h := sha256.New()
	if zipFile != nil || mapped {
		if _, err := io.Copy(h, io.NewSectionReader(f, 0, st.Size())); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
	} else {
		h.Write(data)
	}
	r.Provenance.Source = path
	r.Provenance.SourceSHA256 = hex.EncodeToString(h.Sum(nil))
	return r, nil
}

// FromONNXBytes imports an ONNX model held in memory.
func FromONNXBytes(data []byte, o Options) (*Result, error) { return fromONNX(data, o, nil) }

// fromONNX imports the ONNX model data; release, if not nil, is given each
// tensor's bytes once they are decoded (data mapped from a file).
func fromONNX(data []byte, o Options, release func([]byte)) (*Result, error) {
	m, err := graphs.ReadModelReleasing(data, release)
	if err != nil {
		return nil, err
	}
	if m.Opset != 0 && m.Opset < 13 {
		return nil, fmt.Errorf("ONNX opset %d; mvae imports opset 13 and later", m.Opset)
	}
	w, sh, err := onnxWeights(m)
	if err != nil {
		return nil, fmt.Errorf("not a MusicVAE graph mvae can read: %w", err)
	}
	var meta *model.Config
	if s, ok := m.Meta("mvae.config"); ok {
		meta, err = model.ParseConfig([]byte(s))
		if err != nil {
			return nil, fmt.Errorf("metadata mvae.config: %v", err)
		}
	}
	r := &Result{Weights: w, ONNX: data}
	r.Provenance.SourceKind = "onnx"
	r.Provenance.Producer = strings.TrimSpace(m.ProducerName + " " + m.ProducerVersion)
	r.Provenance.Opset = int(m.Opset)
	if sh.outputsByIndex {
		r.Notes = append(r.Notes, "outputs are not named logits, mu, sigma: taken in that order")
	}
	cfg, notes, err := reconcile(sh, meta, o)
	if err != nil {
		return nil, err
	}
	r.Config = cfg
	r.Notes = append(r.Notes, notes...)
	if err := w.Check(cfg); err != nil {
		return nil, err
	}
	return r, nil
}

// reconcile builds the config from the graph's metadata (if any), the
// user's flags, and what the weights show; any contradiction is an error that
// names both sides.
func reconcile(sh *shown, meta *model.Config, o Options) (*model.Config, []string, error) {
	var notes []string
	var base *model.Config
	from := ""
	switch {
	case meta != nil && o.Config != nil:
		if err := sameConfig(meta, "the graph's mvae.config", o.Config, "the config given"); err != nil {
			return nil, nil, err
		}
		base, from = meta, "the graph's mvae.config"
	case meta != nil:
		base, from = meta, "the graph's mvae.config"
	case o.Config != nil:
		base, from = o.Config, "the config given"
	}
	var c model.Config
	if base != nil {
		c = *base
	} else {
		rep, err := music.RepresentationForDepth(sh.D)
		if err != nil {
			return nil, nil, fmt.Errorf("input size %d: %v", sh.D, err)
		}
		c = model.Config{Format: model.ConfigFormat, Representation: string(rep), DrumMap: "gm", StepsPerQuarter: music.StepsPerQuarter,
			InputSize: sh.D, ZSize: sh.Z, Encoder: model.LSTMSize{Hidden: sh.He, Layers: sh.Le},
			Conductor: model.LSTMSize{Hidden: sh.Hc, Layers: sh.Lc}, Decoder: model.LSTMSize{Hidden: sh.Hd, Layers: sh.Ld},
			FreeBits: 48, MaxBeta: 0.2}
		from = "the weights"
		notes = append(notes, "no mvae.config in the graph and no --config: sizes taken from the weights")
		switch {
		case o.Bars > 0:
			c.Bars = o.Bars
		case sh.T > 0 && sh.T%music.StepsPerBar == 0:
			c.Bars = sh.T / music.StepsPerBar
			notes = append(notes, fmt.Sprintf("bars %d from the input's %d steps", c.Bars, sh.T))
		default:
			return nil, nil, fmt.Errorf("the graph's input has no fixed number of steps and there is no mvae.config: %w", ErrNeedBars)
		}
		switch {
		case o.Segments > 0:
			c.Segments = o.Segments
		default:
			c.Segments = sh.decoderNodes
			notes = append(notes, fmt.Sprintf("segments %d: one decoder LSTM node per segment (give --segments if the graph folds segments into the batch)", c.Segments))
		}
		if o.DrumMap == "" && c.Rep() != music.Melody {
			notes = append(notes, "drum map gm assumed (give --drum-map roland for Groove MIDI Dataset models)")
		}
		if o.FreeBits == nil || o.MaxBeta == nil {
			notes = append(notes, "free_bits/max_beta not known: 48 and 0.2 assumed (they matter only for fine-tuning)")
		}
	}
	// Flags against the base.
	flag := func(name string, given bool, got, want any) error {
		if given && base != nil && got != want { // both of one comparable type
			return fmt.Errorf("%s %v (given) contradicts %s, which says %v", name, got, from, want)
		}
		return nil
	}
	if err := flag("bars", o.Bars > 0, o.Bars, c.Bars); err != nil {
		return nil, nil, err
	}
	if err := flag("segments", o.Segments > 0, o.Segments, c.Segments); err != nil {
		return nil, nil, err
	}
	if o.DrumMap != "" {
		if err := flag("drum-map", true, o.DrumMap, c.DrumMap); err != nil {
			return nil, nil, err
		}
		c.DrumMap = o.DrumMap
	}
	if o.FreeBits != nil {
		if err := flag("free-bits", true, *o.FreeBits, c.FreeBits); err != nil {
			return nil, nil, err
		}
		c.FreeBits = *o.FreeBits
	}
	if o.MaxBeta != nil {
		if err := flag("max-beta", true, *o.MaxBeta, c.MaxBeta); err != nil {
			return nil, nil, err
		}
		c.MaxBeta = *o.MaxBeta
	}
	// The weights against the config.
	var bad []string
	check := func(field string, cfg, w int) {
		if cfg != w {
			bad = append(bad, fmt.Sprintf("%s: %s says %d, the weights show %d", field, from, cfg, w))
		}
	}
	check("input_size", c.InputSize, sh.D)
	check("z_size", c.ZSize, sh.Z)
	check("encoder.hidden", c.Encoder.Hidden, sh.He)
	check("encoder.layers", c.Encoder.Layers, sh.Le)
	check("conductor.hidden", c.Conductor.Hidden, sh.Hc)
	check("conductor.layers", c.Conductor.Layers, sh.Lc)
	check("decoder.hidden", c.Decoder.Hidden, sh.Hd)
	check("decoder.layers", c.Decoder.Layers, sh.Ld)
	if sh.decoderNodes > 1 {
		check("segments", c.Segments, sh.decoderNodes)
	}
	if sh.T > 0 && c.Bars*music.StepsPerBar != sh.T {
		bad = append(bad, fmt.Sprintf("bars: %s says %d (%d steps), the graph's input has %d steps", from, c.Bars, c.Bars*music.StepsPerBar, sh.T))
	}
	if len(bad) > 0 {
		return nil, nil, fmt.Errorf("config and weights disagree: %s", strings.Join(bad, "; "))
	}
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	return &c, notes, nil
}

// sameConfig reports the fields where two configs differ.
func sameConfig(a *model.Config, an string, b *model.Config, bn string) error {
	va, vb := reflect.ValueOf(*a), reflect.ValueOf(*b)
	var diff []string
	for i := range va.NumField() {
		fa, fb := va.Field(i).Interface(), vb.Field(i).Interface()
		if !reflect.DeepEqual(fa, fb) {
			name, _, _ := strings.Cut(va.Type().Field(i).Tag.Get("json"), ",")
			diff = append(diff, fmt.Sprintf("%s: %s says %v, %s says %v", name, an, fa, bn, fb))
		}
	}
	if len(diff) > 0 {
		sort.Strings(diff)
		return errors.New("configs disagree: " + strings.Join(diff, "; "))
	}
	return nil
}

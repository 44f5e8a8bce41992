package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/musicvae-go/mvae/model"
)

// IsMagentaDir reports whether path is a folder holding a magenta.js
// checkpoint (a weights_manifest.json).
func IsMagentaDir(path string) bool {
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		return false
	}
	st, err = os.Stat(filepath.Join(path, MagentaManifestFile))
	return err == nil && !st.IsDir()
}

// fromMagentaDir imports a magenta.js checkpoint folder: config.json and
// the manifest are read and checked, the shards' sizes checked against the
// manifest, the architecture inferred from names and shapes alone, and only
// then are the values read (streaming, each tensor allocated at its
// checked size), converted to canonical weights, and converted back to
// check that the conversion reproduces every value of the checkpoint.
func fromMagentaDir(dir string, o Options) (*Result, error) {
	cpath, mpath := filepath.Join(dir, MagentaConfigFile), filepath.Join(dir, MagentaManifestFile)
	if _, err := os.Stat(mpath); err != nil {
		return nil, fmt.Errorf("%s: a folder, but not a magenta.js checkpoint (it has no %s)", dir, MagentaManifestFile)
	}
	cdata, err := readSmallFile(cpath, maxMagentaConfig)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: missing (a magenta.js checkpoint has a config.json beside %s)", cpath, MagentaManifestFile)
		}
		return nil, err
	}
	spec, err := parseMagentaSpec(cdata)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", cpath, err)
	}
	mdata, err := readSmallFile(mpath, maxMagentaManifest)
	if err != nil {
		return nil, err
	}
	groups, err := parseMagentaManifest(mdata)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", mpath, err)
	}
	sizes, err := checkShardSizes(dir, groups)
	if err != nil {
		return nil, err
	}
	_, shapes := manifestShapes(groups)
	c, err := inferMagenta(spec, shapes)
	if ce := (converterError{}); errors.As(err, &ce) {
		return nil, fmt.Errorf("%s: %v", cpath, err)
	} else if err != nil {
		return nil, fmt.Errorf("%s: %v", mpath, err)
	}
	notes, err := magentaOptions(c, o)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	sum := sha256.New()
	sum.Write(cdata)
	sum.Write(mdata)
	read, err := readShards(dir, groups, sizes, sum)
	if err != nil {
		return nil, err
	}
	w, absent, err := fromMagentaChecked(c, read)
	if ce := (roundTripError{}); errors.As(err, &ce) {
		return nil, fmt.Errorf("%s: %v", dir, err)
	} else if err != nil {
		return nil, fmt.Errorf("%s: %v", mpath, err)
	}
	for _, a := range absent {
		notes = append(notes, fmt.Sprintf("the checkpoint has no %s (magenta.js never reads it): its weights are zeros, sigma = softplus(0) until fine-tuning learns it", a))
	}
	if err := w.Check(c); err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	notes = append(notes, fmt.Sprintf("a %s model from %s (%s): sizes, layers and segments from the tensors' names and shapes; converted back, the weights reproduce every tensor of the checkpoint",
		c.Representation, c.Magenta.Source, spec.Type))
	if spec.UseBooleanDecoder && spec.Type != "GrooveConverter" {
		notes = append(notes, "useBooleanDecoder is set: magenta.js samples such a model's outputs as independent booleans, mvae as the categorical its converter reads (recorded in config.magenta; decodes may differ from magenta.js's)")
	}
	r := &Result{Config: c, Weights: w, Notes: notes}
	r.Provenance.SourceKind = "magenta.js"
	r.Provenance.Producer = "Magenta"
	if c.Magenta.Source == "tf" {
		r.Provenance.Producer = "Magenta (TensorFlow)"
	}
	r.Provenance.Source = dir
	r.Provenance.SourceSHA256 = hex.EncodeToString(sum.Sum(nil))
	r.Provenance.Notes = "source_sha256 is of config.json, weights_manifest.json and the shards, concatenated in that order"
	return r, nil
}

// readSmallFile reads a regular file of at most limit bytes (a device or
// a pipe is refused, whatever it would yield). Errors name the file.
func readSmallFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d mvae reads of it", path, st.Size(), limit)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: more than the %d bytes mvae reads of it", path, limit)
	}
	return b, nil
}

// magentaOptions applies what the user said to a config inferred from a
// checkpoint: a whole config must say the same (but for free_bits and
// max_beta, which a checkpoint does not record), flags must not contradict
// it.
func magentaOptions(c *model.Config, o Options) ([]string, error) {
	var notes []string
	if o.Config != nil {
		c.FreeBits, c.MaxBeta = o.Config.FreeBits, o.Config.MaxBeta
		if err := sameConfig(c, "the checkpoint", o.Config, "the config given"); err != nil {
			return nil, err
		}
	}
	if o.Bars > 0 && o.Bars != c.Bars {
		return nil, fmt.Errorf("bars %d (given) contradicts the checkpoint's converter, which says %d", o.Bars, c.Bars)
	}
	if o.Segments > 0 && o.Segments != c.Segments {
		return nil, fmt.Errorf("segments %d (given) contradicts the checkpoint, which has %d", o.Segments, c.Segments)
	}
	if o.DrumMap != "" && o.DrumMap != c.DrumMap {
		return nil, fmt.Errorf("drum-map %s (given) contradicts the checkpoint's converter, which reads MIDI with the %s map", o.DrumMap, c.DrumMap)
	}
	if o.FreeBits != nil {
		c.FreeBits = *o.FreeBits
	}
	if o.MaxBeta != nil {
		c.MaxBeta = *o.MaxBeta
	}
	if o.Config == nil && (o.FreeBits == nil || o.MaxBeta == nil) {
		notes = append(notes, fmt.Sprintf("free_bits/max_beta not recorded in a magenta.js checkpoint: %g and %g (they matter only for fine-tuning)", c.FreeBits, c.MaxBeta))
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return notes, nil
}

// fromMagentaChecked is FromMagenta part by part, each part converted back
// (checkMagentaPart) and its checkpoint tensors deleted from read before the
// next: the checkpoint and the weights are not held whole at once.
func fromMagentaChecked(c *model.Config, read map[string]*model.Tensor) (model.Weights, []string, error) {
	parts := magentaLayout(c)
	if err := checkMagentaTensors(parts, read); err != nil {
		return nil, nil, err
	}
	w := model.Weights{}
	var absent []string
	for _, p := range parts {
		if !fromMagentaPart(p, read, w) {
			absent = append(absent, p.Scope)
			continue
		}
		if err := checkMagentaPart(p, w, read); err != nil {
			return nil, nil, roundTripError{err}
		}
		kn, bn, _, _ := p.Tensors()
		delete(read, kn)
		delete(read, bn)
		if c.NumParams() > 1<<24 {
			// A big model's part, read and converted back, goes back
			// to the system before the next is converted.
			debug.FreeOSMemory()
		}
	}
	return w, absent, nil
}

// roundTripError is an error of checkMagentaPart.
type roundTripError struct{ error }

// checkMagentaPart converts part p of w back (toMagentaPart) and requires
// every tensor the checkpoint holds to come back bit for bit, but for the
// forget gate's biases, which must come back as float32(float32(b+1)-1):
// the one rounding of the conversion.
func checkMagentaPart(p magentaPart, w model.Weights, read map[string]*model.Tensor) error {
	for k, t := range toMagentaPart(p, w) {
		orig, ok := read[t.Name]
		if !ok {
			continue // an optional part the checkpoint lacks
		}
		for i, v := range t.Tensor.Data {
			want := orig.Data[i]
			if p.LSTM && k == 1 && i >= 2*p.Out && i < 3*p.Out {
				want = float32(float32(want+forgetBias) - forgetBias)
			}
			if math.Float32bits(v) != math.Float32bits(want) {
				return fmt.Errorf("converting the weights back changed tensor %s at %d: %v, not %v (an mvae bug)", t.Name, i, v, want)
			}
		}
	}
	return nil
}

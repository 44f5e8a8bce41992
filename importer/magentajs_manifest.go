package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// A magenta.js checkpoint is a folder (REF §1.1): config.json (a
// MusicVAESpec), weights_manifest.json (a tfjs WeightsManifestConfig: groups
// of shard files, each group's shards concatenated holding its tensors in
// order) and the shards. This file reads the manifest; nothing in it
// touches the shards.

// Names of a magenta.js checkpoint's files.
const (
	MagentaConfigFile   = "config.json"
	MagentaManifestFile = "weights_manifest.json"
)

// Limits of what a magenta.js checkpoint may declare. The largest hosted
// one (trio_16bar) holds 1.7 GB of float32 in a 40 KB manifest.
const (
	maxMagentaConfig   = 1 << 20
	maxMagentaManifest = 16 << 20
	maxMagentaTensors  = 4096
	maxMagentaShards   = 4096
	maxMagentaRank     = 8
	// MaxMagentaValues bounds the values of all tensors together (2 GiB of
	// float32 once dequantised).
	MaxMagentaValues = 1 << 29
)

// mjEntry is one tensor of the manifest, checked: its bytes lie at
// [Offset, Offset+Bytes) of its group's concatenated shards.
type mjEntry struct {
	Name   string
	Shape  []int
	Numel  int
	Store  string  // what the shard holds: float32, uint8, uint16 or float16
	Min    float64 // uint8/uint16: value = q*Scale + Min
	Scale  float64
	Offset int64
	Bytes  int64
}

// mjGroup is one group of the manifest: its shards and tensors.
type mjGroup struct {
	Paths   []string
	Entries []*mjEntry
	Bytes   int64 // what its tensors need
}

// storeWidth is the bytes a value of a stored dtype takes.
var storeWidth = map[string]int64{"float32": 4, "uint8": 1, "uint16": 2, "float16": 2}

// parseMagentaManifest reads and checks a weights_manifest.json: every
// group names at least one shard, shard names are plain and unique, every
// tensor has a unique name, a float32 dtype, a known quantisation with
// finite parameters, and a shape whose size fits the limits. Errors name the
// tensor (the caller adds the file).
func parseMagentaManifest(data []byte) ([]*mjGroup, error) {
	type quant struct {
		DType *string  `json:"dtype"`
		Min   *jsFloat `json:"min"`
		Scale *jsFloat `json:"scale"`
	}
	type entry struct {
		Name         *string `json:"name"`
		Shape        []int64 `json:"shape"`
		DType        string  `json:"dtype"`
		Quantization *quant  `json:"quantization"`
	}
	type group struct {
		Paths   []string `json:"paths"`
		Weights []entry  `json:"weights"`
	}
	var raw []group
	if err := json.Unmarshal(quoteNonFinite(data), &raw); err != nil {
		return nil, fmt.Errorf("not a tfjs weights manifest (a list of groups of paths and weights): %v", err)
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("no weight groups")
	}
	names := map[string]bool{}
	shards := map[string]bool{}
	nt, ns := 0, 0
	var values int64
	var out []*mjGroup
	for gi, g := range raw {
		grp := &mjGroup{}
		if len(g.Paths) == 0 {
			return nil, fmt.Errorf("group %d names no shard files", gi+1)
		}
		for _, p := range g.Paths {
			if ns++; ns > maxMagentaShards {
				return nil, fmt.Errorf("more than %d shard files", maxMagentaShards)
			}
			if p == "" || p == "." || p == ".." || strings.ContainsAny(p, "/\\\x00") {
				return nil, fmt.Errorf("group %d: shard path %q is not a file name in the checkpoint's folder", gi+1, p)
			}
			if shards[p] {
				return nil, fmt.Errorf("shard %s is named twice", p)
			}
			shards[p] = true
			grp.Paths = append(grp.Paths, p)
		}
		for _, w := range g.Weights {
			if nt++; nt > maxMagentaTensors {
				return nil, fmt.Errorf("more than %d tensors", maxMagentaTensors)
			}
			if w.Name == nil || *w.Name == "" {
				return nil, fmt.Errorf("group %d: tensor %d has no name", gi+1, len(grp.Entries)+1)
			}
			name := *w.Name
			if names[name] {
				return nil, fmt.Errorf("tensor %s is named twice", name)
			}
			names[name] = true
			e := &mjEntry{Name: name, Store: w.DType}
			if w.DType != "float32" {
				return nil, fmt.Errorf("tensor %s: dtype %q; mvae reads float32 weights", name, w.DType)
			}
			if w.Shape == nil {
				return nil, fmt.Errorf("tensor %s has no shape", name)
			}
			if len(w.Shape) > maxMagentaRank {
				return nil, fmt.Errorf("tensor %s: shape %v has more than %d dimensions", name, w.Shape, maxMagentaRank)
			}
			n := int64(1)
			for _, d := range w.Shape {
				if d < 0 {
					return nil, fmt.Errorf("tensor %s: shape %v has a negative dimension", name, w.Shape)
				}
				if d > 0 && n > MaxMagentaValues/d {
					return nil, fmt.Errorf("tensor %s: shape %v declares more than the %d values mvae reads", name, w.Shape, int64(MaxMagentaValues))
				}
				n *= d
				e.Shape = append(e.Shape, int(d))
			}
			if values += n; values > MaxMagentaValues {
				return nil, fmt.Errorf("tensor %s: the tensors up to it declare %d values, more than the %d mvae reads", name, values, int64(MaxMagentaValues))
			}
			e.Numel = int(n)
			if q := w.Quantization; q != nil {
				if q.DType == nil {
					return nil, fmt.Errorf("tensor %s: quantization without a dtype", name)
				}
				e.Store = *q.DType
				switch e.Store {
				case "uint8", "uint16":
					if q.Min == nil || q.Scale == nil {
						return nil, fmt.Errorf("tensor %s: %s quantization without min and scale", name, e.Store)
					}
					e.Min, e.Scale = float64(*q.Min), float64(*q.Scale)
					if math.IsNaN(e.Min) || math.IsInf(e.Min, 0) {
						return nil, fmt.Errorf("tensor %s: quantization min %v is not a finite number", name, e.Min)
					}
					if math.IsNaN(e.Scale) || math.IsInf(e.Scale, 0) {
						return nil, fmt.Errorf("tensor %s: quantization scale %v is not a finite number", name, e.Scale)
					}
					if e.Scale < 0 {
						return nil, fmt.Errorf("tensor %s: quantization scale %v is negative", name, e.Scale)
					}
				case "float16":
				default:
					return nil, fmt.Errorf("tensor %s: quantization dtype %q (want uint8, uint16 or float16)", name, e.Store)
				}
			}
			e.Offset = grp.Bytes
			e.Bytes = n * storeWidth[e.Store]
			grp.Bytes += e.Bytes
			grp.Entries = append(grp.Entries, e)
		}
		out = append(out, grp)
	}
	return out, nil
}

// manifestShapes lists every tensor's name and shape, in manifest order.
func manifestShapes(groups []*mjGroup) ([]string, map[string][]int) {
	var order []string
	shapes := map[string][]int{}
	for _, g := range groups {
		for _, e := range g.Entries {
			order = append(order, e.Name)
			shapes[e.Name] = e.Shape
		}
	}
	return order, shapes
}

// jsFloat is a JSON number that may also be NaN, Infinity or -Infinity (as
// quoteNonFinite quotes them) or out of float64's range (an infinity), so
// that such quantisation parameters are refused by name, not as bad JSON.
type jsFloat float64

func (f *jsFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*f = jsFloat(math.NaN())
		return nil
	case `"Infinity"`:
		*f = jsFloat(math.Inf(1))
		return nil
	case `"-Infinity"`:
		*f = jsFloat(math.Inf(-1))
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return fmt.Errorf("%s is not a number", b)
	}
	*f = jsFloat(v)
	return nil
}

// quoteNonFinite quotes the bare NaN, Infinity and -Infinity that Python's
// json module writes (tfjs's converter is Python), which are not JSON.
func quoteNonFinite(data []byte) []byte {
	out := make([]byte, 0, len(data)+16)
	in := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case in && c == '\\' && i+1 < len(data):
			out = append(out, c, data[i+1])
			i++
			continue
		case in:
			in = c != '"'
		case c == '"':
			in = true
		default:
			quoted := false
			for _, tok := range []string{"NaN", "Infinity", "-Infinity"} {
				if !quoted && bytes.HasPrefix(data[i:], []byte(tok)) {
					out = append(append(append(out, '"'), tok...), '"')
					i += len(tok) - 1
					quoted = true
				}
			}
			if quoted {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// Package magentajs runs magenta.js (@magenta/music 1.23.1, under Node) for
// mvae's conformance suite: harness.mjs beside this file writes magenta.js
// checkpoint folders with random weights, loads them with magenta.js and
// encodes and decodes with it (categorical draws from the spec's SplitMix64
// streams), and runs magenta.js's own MIDI reader and data converters on
// files. Find locates node and the installed package
// (scripts/fetch-magentajs.sh); where either is missing the test is skipped,
// or fails in CI (testenv.Missing).
package magentajs

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/model"
)

// Version is the magenta.js version package.json pins.
const Version = "1.23.1"

// Harness is a node and a magenta.js install to run harness.mjs with.
type Harness struct {
	Node    string // the node executable
	Script  string // harness.mjs
	Modules string // the node_modules folder holding @magenta/music
}

// Find returns the harness, or skips the test (fails it in CI) when node or
// magenta.js is not installed. magenta.js is looked for in
// $MVAE_MAGENTAJS_MODULES, conformance/magentajs/node_modules, then the
// cache folder scripts/fetch-magentajs.sh installs into.
func Find(t testing.TB) *Harness {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node (Node.js 20)")
		return nil
	}
	// harness.mjs needs module.register (Node 18.19 and 20.6 on).
	out, err := exec.Command(node, "-e", "process.stdout.write(typeof require('node:module').register)").Output()
	if err != nil || string(out) != "function" {
		v, _ := exec.Command(node, "--version").Output()
		testenv.Missing(t, "Node.js 20 (node "+strings.TrimSpace(string(v))+" has no module.register)")
		return nil
	}
	_, file, _, _ := runtime.Caller(0)
	here := filepath.Dir(file)
	var cands []string
	if m := os.Getenv("MVAE_MAGENTAJS_MODULES"); m != "" {
		cands = append(cands, m)
	}
	cands = append(cands, filepath.Join(here, "node_modules"))
	base := os.Getenv("MVAE_CACHE_DIR")
	if base == "" {
		if c, err := os.UserCacheDir(); err == nil {
			base = filepath.Join(c, "mvae")
		}
	}
	if base != "" {
		cands = append(cands, filepath.Join(base, "magentajs", Version, "node_modules"))
	}
	for _, m := range cands {
		data, err := os.ReadFile(filepath.Join(m, "@magenta", "music", "package.json"))
		if err != nil {
			continue
		}
		var pkg struct{ Version string }
		if json.Unmarshal(data, &pkg) == nil && pkg.Version == Version {
			return &Harness{Node: node, Script: filepath.Join(here, "harness.mjs"), Modules: m}
		}
	}
	testenv.Missing(t, "magenta.js "+Version+" (scripts/fetch-magentajs.sh installs it)")
	return nil
}

// Do runs one request of harness.mjs and decodes its answer into resp.
func (h *Harness) Do(req, resp any) error {
	dir, err := os.MkdirTemp("", "mvae-magentajs-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "request.json"), filepath.Join(dir, "response.json")
	data, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if err := os.WriteFile(in, data, 0o644); err != nil {
		return err
	}
	cmd := exec.Command(h.Node, h.Script, in, out)
	cmd.Env = append(os.Environ(), "MVAE_MAGENTAJS_MODULES="+h.Modules)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("node harness.mjs: %v\n%s", err, log.Bytes())
	}
	data, err = os.ReadFile(out)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, resp)
}

// Tensor is a tensor as harness.mjs writes it: a shape and its values in
// row-major order (float32 values, written exactly).
type Tensor struct {
	Shape  []int     `json:"shape"`
	Values []float64 `json:"values"`
}

// Float32 returns the values as float32 (exact: they are float32 values).
func (t *Tensor) Float32() []float32 {
	out := make([]float32, len(t.Values))
	for i, v := range t.Values {
		out[i] = float32(v)
	}
	return out
}

// EncoderSpec is the encoder of a checkpoint to write: a flat bidirectional
// stack (Layers, one size a layer) or a hierarchical one (Levels).
type EncoderSpec struct {
	Input  int   `json:"input"`
	Layers []int `json:"layers,omitempty"`
	Levels []int `json:"levels,omitempty"`
}

// WriteRequest asks harness.mjs for a magenta.js checkpoint folder
// (config.json, weights_manifest.json, shards) with Magenta's TF variable
// names and random N(0, Scale²) weights drawn from SplitMix64(Seed).
type WriteRequest struct {
	Op        string          `json:"op"` // "write"
	Dir       string          `json:"dir"`
	Seed      string          `json:"seed"`
	Scale     float64         `json:"scale,omitempty"`
	Config    json.RawMessage `json:"config"` // config.json: a MusicVAESpec
	Encoder   EncoderSpec     `json:"encoder"`
	Z         int             `json:"z"`
	Conductor []int           `json:"conductor"`
	Decoder   []int           `json:"decoder"`
	Depth     int             `json:"depth"`
	Splits    []int           `json:"splits"`
	Sigma     bool            `json:"sigma"`
	// DummyHierarchicalEncoder adds 1-wide hierarchical encoder tensors so
	// that magenta.js loads a TF hierdec layout (REF §6.6).
	DummyHierarchicalEncoder bool `json:"dummyHierarchicalEncoder,omitempty"`
	// Quantization is "", "uint8" or "uint16" (tfjs's min/scale form).
	Quantization string `json:"quantization,omitempty"`
	ShardBytes   int    `json:"shardBytes,omitempty"`
}

// ManifestEntry is one weight of a weights_manifest.json.
type ManifestEntry struct {
	Name         string `json:"name"`
	Shape        []int  `json:"shape"`
	DType        string `json:"dtype"`
	Quantization *struct {
		DType string  `json:"dtype"`
		Min   float64 `json:"min"`
		Scale float64 `json:"scale"`
	} `json:"quantization,omitempty"`
}

// WriteResponse lists what was written.
type WriteResponse struct {
	Weights []ManifestEntry `json:"weights"`
	Bytes   int             `json:"bytes"`
	Shards  int             `json:"shards"`
}

// CheckpointRequest is the WriteRequest of a magenta.js checkpoint with the
// layout and sizes of config c (a Magenta family of docs/FAMILIES.md, such
// as model.TinyFamilies' configs): its config.json holds c.Magenta's
// converter. A TF layout (several flat encoder layers with a conductor) is
// written as TF writes it; set DummyHierarchicalEncoder to make magenta.js
// load it.
func CheckpointRequest(c *model.Config, dir string, seed uint64) (*WriteRequest, error) {
	if c.Magenta == nil {
		return nil, fmt.Errorf("the config has no magenta converter")
	}
	spec, err := json.Marshal(map[string]any{"type": "MusicVAE", "dataConverter": c.Magenta.Converter})
	if err != nil {
		return nil, err
	}
	rep := func(s model.LSTMSize) []int {
		out := make([]int, s.Layers)
		for i := range out {
			out[i] = s.Hidden
		}
		return out
	}
	r := &WriteRequest{Op: "write", Dir: dir, Seed: strconv.FormatUint(seed, 10), Config: spec,
		Z: c.ZSize, Conductor: []int{}, Decoder: rep(c.Decoder), Depth: c.InputSize, Splits: c.Splits,
		Sigma: true, ShardBytes: 4096}
	r.Encoder.Input = c.EncoderIn()
	if c.Hierarchical() {
		for _, l := range c.EncoderLevels {
			if l.Layers != 1 {
				return nil, fmt.Errorf("a hierarchical encoder level of %d layers (Magenta's have 1)", l.Layers)
			}
			r.Encoder.Levels = append(r.Encoder.Levels, l.Hidden)
		}
	} else {
		r.Encoder.Layers = rep(c.Encoder)
	}
	if c.HasConductor() {
		r.Conductor = rep(c.Conductor)
	}
	if r.Splits == nil {
		r.Splits = []int{}
	}
	return r, nil
}

// RunRequest asks harness.mjs to load a checkpoint folder with magenta.js,
// encode (encodeTensors: Encode [B,T,D_in] → mu [B,Z]) and decode
// (decodeTensors: z [B,Z] → tokens [B,T,D]) with it.
type RunRequest struct {
	Op      string          `json:"op"` // "run"
	Dir     string          `json:"dir"`
	Weights bool            `json:"weights"` // answer magenta.js's loaded tensors
	Encode  *Tensor         `json:"encode,omitempty"`
	Decodes []DecodeRequest `json:"decodes"`
}

// DecodeRequest is one decodeTensors call. At a Temperature > 0 (categorical
// decoders only) row i of the batch draws from SplitMix64(Seed + i).
type DecodeRequest struct {
	Shape       []int     `json:"shape"` // [B, Z]
	Z           []float64 `json:"z"`
	Temperature float64   `json:"temperature"`
	Seed        string    `json:"seed"`
}

// RunResponse is magenta.js's answer; Error is set (and nothing else) when
// magenta.js refused the checkpoint at initialize().
type RunResponse struct {
	Error    string            `json:"error"`
	Versions map[string]string `json:"versions"`
	Weights  map[string]Tensor `json:"weights"`
	Mu       *Tensor           `json:"mu"`
	Decodes  []DecodeResponse  `json:"decodes"`
}

// DecodeResponse is one decode: the tokens, and every tf.multinomial call
// magenta.js made, in order.
type DecodeResponse struct {
	Temperature float64 `json:"temperature"`
	Seed        string  `json:"seed"`
	Tokens      Tensor  `json:"tokens"`
	Draws       []Draw  `json:"draws"`
}

// Draw is one tf.multinomial call: the logits it saw (divided by the
// temperature, float32), [Rows, Depth]; the uniform each row drew and the
// class it picked.
type Draw struct {
	Rows   int       `json:"rows"`
	Depth  int       `json:"depth"`
	Logits []float64 `json:"logits"`
	U      []float64 `json:"u"`
	Pick   []int     `json:"pick"`
}

// Converter is a magenta.js data converter spec (config.json's dataConverter).
type Converter struct {
	Type string          `json:"type"`
	Args json.RawMessage `json:"args"`
}

// ConvertRequest asks harness.mjs to read MIDI files with magenta.js
// (midi_io.midiToSequenceProto, sequences.quantizeNoteSequence) and run
// converters' toTensor on the whole file: window w of a converter is rows
// [w·numSteps, (w+1)·numSteps). Drums and groove converters are given the
// drum notes, melody converters the others, trio converters all.
type ConvertRequest struct {
	Op              string      `json:"op"` // "convert"
	Files           []string    `json:"files"`
	Converters      []Converter `json:"converters"`
	StepsPerQuarter int         `json:"stepsPerQuarter"`
}

// ConvertResponse holds, for each file, one tensor (or error) a converter.
type ConvertResponse struct {
	Files []struct {
		File                string  `json:"file"`
		Error               string  `json:"error"`
		TotalQuantizedSteps int     `json:"totalQuantizedSteps"`
		QPM                 float64 `json:"qpm"`
		Notes               int     `json:"notes"`
		Tensors             []struct {
			Tensor
			Error string `json:"error"`
		} `json:"tensors"`
	} `json:"files"`
}

// ReadWeights reads a magenta.js checkpoint folder's weights_manifest.json
// and shards as tfjs's loader does (REF §1.1): each group's shards
// concatenated in order, each weight prod(shape) values little-endian,
// quantised ones dequantised as float32(float64(q)·scale + min). It is the
// suite's own small reader, to check the harness's folders; mvae's importer
// is the one under test.
func ReadWeights(dir string) ([]ManifestEntry, map[string][]float32, error) {
	data, err := os.ReadFile(filepath.Join(dir, "weights_manifest.json"))
	if err != nil {
		return nil, nil, err
	}
	var groups []struct {
		Paths   []string        `json:"paths"`
		Weights []ManifestEntry `json:"weights"`
	}
	if err := json.Unmarshal(data, &groups); err != nil {
		return nil, nil, fmt.Errorf("weights_manifest.json: %v", err)
	}
	var order []ManifestEntry
	out := map[string][]float32{}
	for _, g := range groups {
		var buf []byte
		for _, p := range g.Paths {
			b, err := os.ReadFile(filepath.Join(dir, filepath.Base(p)))
			if err != nil {
				return nil, nil, err
			}
			buf = append(buf, b...)
		}
		for _, w := range g.Weights {
			n := 1
			for _, d := range w.Shape {
				n *= d
			}
			dt := w.DType
			if w.Quantization != nil {
				dt = w.Quantization.DType
			}
			size := map[string]int{"float32": 4, "uint8": 1, "uint16": 2}[dt]
			if size == 0 || dt == "float32" && w.Quantization != nil {
				return nil, nil, fmt.Errorf("%s: dtype %s not read here", w.Name, dt)
			}
			if len(buf) < n*size {
				return nil, nil, fmt.Errorf("%s: the shards end %d bytes early", w.Name, n*size-len(buf))
			}
			v := make([]float32, n)
			for i := range v {
				switch dt {
				case "float32":
					v[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
				case "uint8":
					v[i] = float32(float64(buf[i])*w.Quantization.Scale + w.Quantization.Min)
				case "uint16":
					v[i] = float32(float64(binary.LittleEndian.Uint16(buf[2*i:]))*w.Quantization.Scale + w.Quantization.Min)
				}
			}
			buf = buf[n*size:]
			out[w.Name] = v
			order = append(order, w)
		}
		if len(buf) != 0 {
			return nil, nil, fmt.Errorf("%d bytes left over in the shards of %v", len(buf), g.Paths)
		}
	}
	return order, out, nil
}

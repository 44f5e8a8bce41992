package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/conformance/magentajs"
	"github.com/musicvae-go/mvae/finetune"
	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// magentaCase is one checkpoint the magenta.js suite writes and runs.
type magentaCase struct {
	name   string
	config *model.Config
	quant  string // "", "uint8", "uint16"
	dummy  bool   // dummy hierarchical encoder tensors (REF §6.6)
	refuse string // magenta.js must refuse it at initialize() with this
}

// magentaCases are every family of model.TinyFamilies as a magenta.js
// checkpoint, plus quantised ones, a 3-layer decoder, and the TF hierdec
// layout both as TF writes it (magenta.js refuses it) and with the dummy
// hierarchical encoder that lets magenta.js decode it.
func magentaCases() []magentaCase {
	fs := model.TinyFamilies()
	names := make([]string, 0, len(fs))
	for n := range fs {
		names = append(names, n)
	}
	sort.Strings(names)
	var cs []magentaCase
	for _, n := range names {
		c := magentaCase{name: n, config: fs[n]}
		if n == "hierdec_mel" {
			cs = append(cs, magentaCase{name: n + "_as_tf", config: fs[n], refuse: "Only 2 hierarchical encoder levels are supported"})
			c.dummy = true
		}
		cs = append(cs, c)
	}
	mel3 := *fs["mel_2bar"]
	mel3.Decoder.Layers = 3
	return append(cs,
		magentaCase{name: "mel_2bar_q8", config: fs["mel_2bar"], quant: "uint8"},
		magentaCase{name: "drums_2bar_q16", config: fs["drums_2bar"], quant: "uint16"},
		magentaCase{name: "trio_hier_q8", config: fs["trio_hier"], quant: "uint8"},
		magentaCase{name: "mel_2bar_dec3", config: &mel3},
	)
}

// magentaName maps Magenta's TF variable scopes to mvae's canonical
// prefixes (docs/FAMILIES.md §2.3).
var magentaName = []struct {
	re  *regexp.Regexp
	out string // with $1… of re; "/" in the canonical suffix is added later
}{
	{regexp.MustCompile(`^encoder/cell_(\d+)/bidirectional_rnn/(fw|bw)/multi_rnn_cell/cell_0/lstm_cell$`), "encoder.lstm|$1|$2"},
	{regexp.MustCompile(`^encoder/hierarchical_level_(\d+)/cell_0/bidirectional_rnn/(fw|bw)/multi_rnn_cell/cell_0/lstm_cell$`), "encoder.level$1.lstm|0|$2"},
	{regexp.MustCompile(`^encoder/(mu|sigma)$`), "encoder.$1"},
	{regexp.MustCompile(`^decoder/hierarchical_level_0/cell_(\d+)/lstm_cell$`), "conductor.lstm|$1|fw"},
	{regexp.MustCompile(`^decoder/hierarchical_level_0/initial_state$`), "conductor.init"},
	{regexp.MustCompile(`^(?:core_decoder/)?decoder/multi_rnn_cell/cell_(\d+)/lstm_cell$`), "decoder.lstm|$1|fw"},
	{regexp.MustCompile(`^(?:core_decoder/)?decoder/z_to_initial_state$`), "decoder.init"},
	{regexp.MustCompile(`^(?:core_decoder/)?decoder/output_projection$`), "decoder.out"},
	{regexp.MustCompile(`^(?:core_decoder/)?core_decoder_(\d+)/decoder/multi_rnn_cell/cell_(\d+)/lstm_cell$`), "decoders.$1.lstm|$2|fw"},
	{regexp.MustCompile(`^(?:core_decoder/)?core_decoder_(\d+)/decoder/z_to_initial_state$`), "decoders.$1.init"},
	{regexp.MustCompile(`^(?:core_decoder/)?core_decoder_(\d+)/decoder/output_projection$`), "decoders.$1.out"},
}

// canonicalShapes turns a manifest into mvae's canonical parameters and
// shapes (FAMILIES §2.3: an LSTM kernel [in+H, 4H] and bias [4H] become
// weight_ih [4H, in], weight_hh [4H, H], bias_ih and bias_hh [4H]; a dense
// kernel [in, out] a weight [out, in]). skip drops names on purpose (the
// dummy hierarchical encoder).
func canonicalShapes(ws []magentajs.ManifestEntry, skip func(string) bool) (map[string][]int, error) {
	kernels := map[string][]int{}
	out := map[string][]int{}
	for _, w := range ws {
		if skip != nil && skip(w.Name) {
			continue
		}
		cut := strings.LastIndex(w.Name, "/")
		if cut < 0 {
			return nil, fmt.Errorf("%s: not a name of docs/FAMILIES.md §2.3", w.Name)
		}
		scope, leaf := w.Name[:cut], w.Name[cut+1:]
		var canon string
		for _, m := range magentaName {
			if sub := m.re.FindStringSubmatchIndex(scope); sub != nil {
				canon = string(m.re.ExpandString(nil, m.out, scope, sub))
				break
			}
		}
		if canon == "" {
			return nil, fmt.Errorf("%s: not a name of docs/FAMILIES.md §2.3", w.Name)
		}
		if prefix, rest, isLSTM := strings.Cut(canon, "|"); isLSTM {
			layer, dir, _ := strings.Cut(rest, "|")
			sfx := "_l" + layer
			if dir == "bw" {
				sfx += "_reverse"
			}
			switch leaf {
			case "kernel":
				kernels[prefix+sfx] = w.Shape
			case "bias":
				if len(w.Shape) != 1 || w.Shape[0]%4 != 0 {
					return nil, fmt.Errorf("%s: shape %v is not an LSTM bias", w.Name, w.Shape)
				}
				out[prefix+".bias_ih"+sfx] = w.Shape
				out[prefix+".bias_hh"+sfx] = w.Shape
			default:
				return nil, fmt.Errorf("%s: unknown leaf", w.Name)
			}
			continue
		}
		switch leaf {
		case "kernel":
			if len(w.Shape) != 2 {
				return nil, fmt.Errorf("%s: shape %v", w.Name, w.Shape)
			}
			out[canon+".weight"] = []int{w.Shape[1], w.Shape[0]}
		case "bias":
			out[canon+".bias"] = w.Shape
		default:
			return nil, fmt.Errorf("%s: unknown leaf", w.Name)
		}
	}
	for name, k := range kernels {
		prefix, sfx, _ := strings.Cut(name, "_l")
		b, ok := out[prefix+".bias_ih_l"+sfx]
		if !ok || len(k) != 2 || k[1] != b[0] {
			return nil, fmt.Errorf("%s: kernel %v without its bias", name, k)
		}
		H := b[0] / 4
		out[prefix+".weight_ih_l"+sfx] = []int{4 * H, k[0] - H}
		out[prefix+".weight_hh_l"+sfx] = []int{4 * H, H}
	}
	return out, nil
}

// magentaDummy reports the dummy hierarchical encoder tensors of REF §6.6.
func magentaDummy(name string) bool { return strings.HasPrefix(name, "encoder/hierarchical_level_") }

// TestMagentaJSHarness proves the magenta.js harness, without mvae's
// Magenta importer or runtimes: for every case of magentaCases it writes a
// magenta.js checkpoint (harness.mjs), and checks that
//   - its manifest maps name by name to the config's canonical parameters
//     and shapes (model.Config.Params, FAMILIES §2.3);
//   - magenta.js loads every tensor bit-identical to this suite's own
//     reading of the shards (float32 and uint8/uint16 dequantised);
//   - magenta.js refuses the TF hierdec layout, as REF §2 says;
//   - encodeTensors gives a finite mu [B, Z];
//   - decodeTensors at temperature 0 gives one-hot steps per split
//     (groove: hits 0/1, unmasked velocities and offsets);
//   - at temperatures 0.5 and 1 every tf.multinomial call drew, row i, the
//     next uniform of Go's generate.SplitMix64(seed + i) (uint64
//     wrap-around included) and picked what generate.Sampler picks from
//     the same logits, and the decoded tokens are those picks laid out in
//     FAMILIES §4's order (a trio: within each segment, the melody's
//     steps, then the bass's, then the drums').
func TestMagentaJSHarness(t *testing.T) {
	h := magentajs.Find(t)
	for _, mc := range magentaCases() {
		t.Run(mc.name, func(t *testing.T) {
			c := mc.config
			dir, written := writeCheckpoint(t, h, c, 1000+uint64(len(mc.name)), mc.quant, mc.dummy)
			if written.Shards < 2 {
				t.Errorf("%d shard(s) of %d bytes: want tensors straddling shards", written.Shards, written.Bytes)
			}
			manifest, values, err := magentajs.ReadWeights(dir)
			if err != nil {
				t.Fatal(err)
			}
			skip := func(string) bool { return false }
			if mc.dummy {
				skip = magentaDummy
			}
			got, err := canonicalShapes(manifest, skip)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][]int{}
			for _, p := range c.Params() {
				want[p.Name] = p.Shape
			}
			for n, s := range want {
				if !slices.Equal(got[n], s) {
					t.Errorf("%s: manifest gives %v, Params %v", n, got[n], s)
				}
			}
			for n := range got {
				if _, ok := want[n]; !ok {
					t.Errorf("%s: in the manifest, not in Params", n)
				}
			}

			rng := rand.New(rand.NewPCG(uint64(len(mc.name)), 7))
			const B = 2
			run := &magentajs.RunRequest{Op: "run", Dir: dir, Weights: true}
			var tokens []float32
			if !mc.dummy && mc.refuse == "" {
				tokens = generate.RandomWindows(c, B, rng)
				run.Encode = encoderInput(c, tokens, B)
			}
			z := make([]float64, B*c.ZSize)
			for i := range z {
				z[i] = float64(float32(rng.NormFloat64()))
			}
			temps := []float64{0}
			if c.Rep() != music.Groove {
				temps = append(temps, 0.5, 1)
			}
			seeds := map[float64]string{0: "0", 0.5: "7", 1: "18446744073709551615"}
			for _, temp := range temps {
				run.Decodes = append(run.Decodes, magentajs.DecodeRequest{Shape: []int{B, c.ZSize}, Z: z, Temperature: temp, Seed: seeds[temp]})
			}
			var res magentajs.RunResponse
			if err := h.Do(run, &res); err != nil {
				t.Fatal(err)
			}
			if mc.refuse != "" {
				if !strings.Contains(res.Error, mc.refuse) {
					t.Fatalf("magenta.js answered %q; want a refusal with %q", res.Error, mc.refuse)
				}
				t.Logf("magenta.js refuses it: %s", res.Error)
				return
			}
			if res.Error != "" {
				t.Fatalf("magenta.js refused the checkpoint: %s", res.Error)
			}
			if res.Versions["magenta"] != magentajs.Version || res.Versions["tfjs"] != "2.8.6" {
				t.Errorf("versions %v: want magenta.js %s with tfjs 2.8.6", res.Versions, magentajs.Version)
			}
			if len(res.Weights) != len(values) {
				t.Errorf("magenta.js loaded %d tensors; the manifest has %d", len(res.Weights), len(values))
			}
			for name, v := range values {
				mw, ok := res.Weights[name]
				if !ok {
					t.Errorf("%s: not loaded by magenta.js", name)
					continue
				}
				if !slices.Equal(mw.Float32(), v) {
					t.Errorf("%s: magenta.js loaded other values than the shards hold", name)
				}
			}
			if run.Encode != nil {
				if res.Mu == nil || !slices.Equal(res.Mu.Shape, []int{B, c.ZSize}) {
					t.Fatalf("mu: %v", res.Mu)
				}
				for _, v := range res.Mu.Values {
					if math.IsNaN(v) || math.IsInf(v, 0) || v == 0 {
						t.Fatalf("mu %v", res.Mu.Values)
					}
				}
			}
			if len(res.Decodes) != len(run.Decodes) {
				t.Fatalf("%d decodes; asked %d", len(res.Decodes), len(run.Decodes))
			}
			for _, d := range res.Decodes {
				checkMagentaDecode(t, c, B, d)
			}
			_ = tokens // the mvae comparison (compareMagentaJS) encodes these tokens
		})
	}
}

// encoderInput is what magenta.js's encodeTensors is given for tokens
// [B,T,D]: the encoder's input (docs/FAMILIES.md §3, music.EncoderInput).
func encoderInput(c *model.Config, tokens []float32, B int) *magentajs.Tensor {
	e, err := music.ParseEncoderInput(c.EncoderInput)
	if err != nil {
		panic(err)
	}
	x := make([]float32, B*c.T()*c.EncoderIn())
	e.Apply(x, tokens, c.Rep(), B, c.T())
	v := make([]float64, len(x))
	for i, f := range x {
		v[i] = float64(f)
	}
	return &magentajs.Tensor{Shape: []int{B, c.T(), c.EncoderIn()}, Values: v}
}

// checkMagentaDecode checks one magenta.js decode for self-consistency.
func checkMagentaDecode(t *testing.T, c *model.Config, B int, d magentajs.DecodeResponse) {
	t.Helper()
	T, D := c.T(), c.InputSize
	if !slices.Equal(d.Tokens.Shape, []int{B, T, D}) {
		t.Fatalf("T=%g: tokens of shape %v; want [%d %d %d]", d.Temperature, d.Tokens.Shape, B, T, D)
	}
	tok := d.Tokens.Values
	if c.Rep() == music.Groove {
		const C = music.NumDrumClasses
		unmasked := 0
		for i := 0; i < B*T; i++ {
			row := tok[i*D : (i+1)*D]
			for k := 0; k < C; k++ {
				if row[k] != 0 && row[k] != 1 || row[C+k] <= 0 || row[C+k] >= 1 || math.Abs(row[2*C+k]) >= 1 {
					t.Fatalf("step %d: groove token %v", i, row)
				}
				if row[k] == 0 && row[C+k] != 0 {
					unmasked++
				}
			}
		}
		if unmasked == 0 {
			t.Error("no unhit class with a velocity: magenta.js's groove feedback should be unmasked")
		}
		if len(d.Draws) != 0 {
			t.Errorf("a groove decode called tf.multinomial %d times", len(d.Draws))
		}
		return
	}
	// One-hot per split.
	for i := 0; i < B*T; i++ {
		for k, Dk := range c.SplitDepths() {
			off := c.SplitOffset(k)
			ones, sum := 0, 0.0
			for _, v := range tok[i*D+off : i*D+off+Dk] {
				sum += v
				if v == 1 {
					ones++
				}
			}
			if ones != 1 || sum != 1 {
				t.Fatalf("T=%g: step %d of split %d is not one-hot", d.Temperature, i, k)
			}
		}
	}
	if d.Temperature == 0 {
		if len(d.Draws) != 0 {
			t.Errorf("an argmax decode called tf.multinomial %d times", len(d.Draws))
		}
		return
	}
	seed, err := strconv.ParseUint(d.Seed, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	streams := make([]*generate.SplitMix64, B) // drives Sampler.Token
	mirrors := make([]*generate.SplitMix64, B) // the same stream, for u
	for i := range streams {
		streams[i] = generate.NewSplitMix64(seed + uint64(i))
		mirrors[i] = generate.NewSplitMix64(seed + uint64(i))
	}
	U, S, splits := c.Segments, c.S(), c.SplitDepths()
	if len(d.Draws) != U*S*len(splits) {
		t.Fatalf("T=%g: %d multinomial calls; want %d (%d segments × %d steps × %d splits)", d.Temperature, len(d.Draws), U*S*len(splits), U, S, len(splits))
	}
	want := make([]float64, B*T*D)
	n := 0
	for u := 0; u < U; u++ {
		for k, Dk := range splits { // FAMILIES §4: split by split within a segment
			smp := &generate.Sampler{Rep: c.SplitRep(k), Temperature: 1} // the logits are already l/T
			for s := 0; s < S; s++ {
				dr := d.Draws[n]
				n++
				if dr.Rows != B || dr.Depth != Dk || len(dr.Logits) != B*Dk {
					t.Fatalf("draw %d: %d rows of %d; want %d of split %d's %d", n-1, dr.Rows, dr.Depth, B, k, Dk)
				}
				for i := 0; i < B; i++ {
					if u := mirrors[i].Uniform(); dr.U[i] != u {
						t.Fatalf("draw %d row %d: u = %v; SplitMix64(%d + %d) gives %v", n-1, i, dr.U[i], seed, i, u)
					}
					l := make([]float32, Dk)
					for j := range l {
						l[j] = float32(dr.Logits[i*Dk+j])
					}
					one := make([]float32, Dk)
					smp.Token(l, streams[i], one)
					if pick := slices.Index(one, 1); pick != dr.Pick[i] {
						t.Fatalf("draw %d row %d: magenta.js picked %d; generate.Sampler %d", n-1, i, dr.Pick[i], pick)
					}
					want[(i*T+u*S+s)*D+c.SplitOffset(k)+dr.Pick[i]] = 1
				}
			}
		}
	}
	if !slices.Equal(want, tok) {
		t.Errorf("T=%g: the decoded tokens are not the multinomial picks in FAMILIES §4's order", d.Temperature)
	}
}

// TestMagentaJSConverters runs magenta.js's own MIDI reader and converters
// (every converter of model.TinyFamilies, and GrooveConverter without
// humanize/tapify) on every 40th MMA groove and checks the tensors for
// self-consistency: one-hot melody and trio parts, the drum roll's NOR bit,
// groove hits 0/1 with velocity 0 where there is no hit, humanize = the plain
// groove's hits with velocities and offsets 0, tapify: hits in the open
// hi-hat column only, velocity 0, a hit wherever the plain groove has one.
func TestMagentaJSConverters(t *testing.T) {
	h := magentajs.Find(t)
	pick := corpusSample(t, 40)
	seen := map[string]bool{}
	var convs []magentajs.Converter
	for _, name := range sortedFamilies() {
		c := model.TinyFamilies()[name]
		var cv magentajs.Converter
		if err := json.Unmarshal(c.Magenta.Converter, &cv); err != nil {
			t.Fatal(err)
		}
		if cv.Type == "GrooveConverter" {
			plain := magentajs.Converter{Type: cv.Type, Args: []byte(`{"numSteps":32}`)}
			if !seen[string(plain.Args)] {
				seen[string(plain.Args)] = true
				convs = append(convs, plain)
			}
		}
		if key := cv.Type + string(cv.Args); !seen[key] {
			seen[key] = true
			convs = append(convs, cv)
		}
	}
	req := &magentajs.ConvertRequest{Op: "convert", Files: pick, Converters: convs, StepsPerQuarter: 4}
	var res magentajs.ConvertResponse
	if err := h.Do(req, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != len(pick) {
		t.Fatalf("%d files answered; asked %d", len(res.Files), len(pick))
	}
	index := map[string]int{}
	for i, cv := range convs {
		index[cv.Type+string(cv.Args)] = i
	}
	ok, errs := 0, map[string]int{}
	for _, f := range res.Files {
		if f.Error != "" {
			errs["file: "+f.Error]++
			continue
		}
		var plain []float64
		if i, found := index[`GrooveConverter{"numSteps":32}`]; found && f.Tensors[i].Error == "" {
			plain = f.Tensors[i].Values
		}
		for i, cv := range convs {
			tt := f.Tensors[i]
			if tt.Error != "" {
				errs[cv.Type+": "+tt.Error]++
				continue
			}
			ok++
			if err := checkConverted(cv, &tt.Tensor, plain); err != nil {
				t.Errorf("%s, %s %s: %v", f.File, cv.Type, cv.Args, err)
			}
		}
	}
	for e, n := range errs {
		t.Logf("magenta.js threw on %d: %s", n, e)
	}
	t.Logf("%d files × %d converters: %d tensors checked", len(pick), len(convs), ok)
	if ok < len(pick)*len(convs)/2 {
		t.Errorf("only %d of %d conversions worked", ok, len(pick)*len(convs))
	}
}

// corpusDir is where testdata/corpus/build.sh renders the MMA grooves.
const corpusDir = "../testdata/corpus/mma"

func sortedFamilies() []string {
	var ns []string
	for n := range model.TinyFamilies() {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// checkConverted checks one converter tensor; plain is the plain groove
// tensor of the same file (for humanize and tapify).
func checkConverted(cv magentajs.Converter, t *magentajs.Tensor, plain []float64) error {
	var args struct {
		NumSteps int  `json:"numSteps"`
		Humanize bool `json:"humanize"`
		Tapify   bool `json:"tapify"`
	}
	if err := json.Unmarshal(cv.Args, &args); err != nil {
		return err
	}
	if len(t.Shape) != 2 || t.Shape[0]%args.NumSteps != 0 || t.Shape[0] == 0 {
		return fmt.Errorf("shape %v: not windows of %d steps", t.Shape, args.NumSteps)
	}
	N, D := t.Shape[0], t.Shape[1]
	v := t.Values
	oneHot := func(row []float64) bool {
		n := 0
		for _, x := range row {
			if x != 0 && x != 1 {
				return false
			}
			n += int(x)
		}
		return n == 1
	}
	want := map[string]int{"MelodyConverter": 90, "DrumsConverter": 10, "GrooveConverter": 27, "TrioConverter": 692}[cv.Type]
	if D != want {
		return fmt.Errorf("depth %d; want %d", D, want)
	}
	for s := 0; s < N; s++ {
		row := v[s*D : (s+1)*D]
		switch cv.Type {
		case "MelodyConverter":
			if !oneHot(row) {
				return fmt.Errorf("step %d not one-hot", s)
			}
		case "TrioConverter":
			// magenta.js's DrumsOneHotConverter adds 2^class for every
			// note: two notes of one class at a step carry into the
			// next class, and a sum of 512 or more is a row of zeros.
			if !oneHot(row[:90]) || !oneHot(row[90:180]) || !oneHot(row[180:]) && slices.ContainsFunc(row[180:], func(x float64) bool { return x != 0 }) {
				return fmt.Errorf("step %d: a part is not one-hot", s)
			}
		case "DrumsConverter":
			// magenta.js 1.23.1 writes the NOR bit with
			// buffer.set(v, step, -1), which tfjs 2.8 reads as the last
			// column of the *previous* row: column 9 of row s is 1 iff
			// no note (mapped or not) starts at step s+1, and 0 in the
			// last row of every window.
			if s%args.NumSteps == args.NumSteps-1 && row[9] != 0 {
				return fmt.Errorf("step %d: NOR set in a window's last row", s)
			}
			if s+1 < N && s%args.NumSteps != args.NumSteps-1 && row[9] == 1 && slices.Contains(v[(s+1)*D:(s+1)*D+9], 1) {
				return fmt.Errorf("step %d: NOR set with hits at the next step", s)
			}
		case "GrooveConverter":
			const C = 9
			for k := 0; k < C; k++ {
				hit, vel, off := row[k], row[C+k], row[2*C+k]
				if hit != 0 && hit != 1 || hit == 0 && (vel != 0 || off != 0) {
					return fmt.Errorf("step %d class %d: hit %g vel %g off %g", s, k, hit, vel, off)
				}
				switch {
				case args.Humanize:
					if hit != plain[s*D+k] || vel != 0 || off != 0 {
						return fmt.Errorf("step %d class %d: humanize gives %g/%g/%g, the plain hit %g", s, k, hit, vel, off, plain[s*D+k])
					}
				case args.Tapify:
					if k != 3 && hit != 0 || vel != 0 {
						return fmt.Errorf("step %d class %d: tapify gives hit %g vel %g", s, k, hit, vel)
					}
				}
			}
			if args.Tapify && plain != nil && slices.Contains(plain[s*D:s*D+C], 1) && row[3] != 1 {
				return fmt.Errorf("step %d: tapify has no hit where the groove has one", s)
			}
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// mvae against magenta.js: neither is trusted alone.

// TestMagentaJSParity writes every family's checkpoint, runs it in
// magenta.js and imports the same folder into mvae (compareMagentaJS).
func TestMagentaJSParity(t *testing.T) {
	h := magentajs.Find(t)
	for _, mc := range magentaCases() {
		t.Run(mc.name, func(t *testing.T) { compareMagentaJS(t, h, mc) })
	}
}

// bundleWithoutDummies converts the tensors of a magenta.js folder, less
// the dummy hierarchical encoder of REF §6.6, into a bundle of config c.
func bundleWithoutDummies(c *model.Config, dir string) (*model.Bundle, error) {
	entries, values, err := magentajs.ReadWeights(dir)
	if err != nil {
		return nil, err
	}
	m := map[string]*model.Tensor{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name, "encoder/hierarchical_level_") {
			continue
		}
		m[e.Name] = &model.Tensor{Shape: e.Shape, Data: values[e.Name]}
	}
	w, _, err := importer.FromMagenta(c, m)
	if err != nil {
		return nil, err
	}
	return model.NewBundle(model.Manifest{Config: c}, w, nil), nil
}

// TestMagentaJSLoadsFineTuned: a Magenta model imported, fine-tuned in Go
// and exported with mvae's writer (mvae export --magenta) loads in
// magenta.js, which reproduces mvae's outputs on it.
func TestMagentaJSLoadsFineTuned(t *testing.T) {
	h := magentajs.Find(t)
	for _, name := range []string{"mel_2bar", "groove_4bar", "trio_hier"} {
		t.Run(name, func(t *testing.T) {
			c := model.TinyFamilies()[name]
			dir, _ := writeCheckpoint(t, h, c, 77, "", false)
			b, err := importMagentaFolder(dir)
			if err != nil {
				t.Fatal(err)
			}
			w, err := b.Weights()
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(5, 6))
			const n = 8
			x := generate.RandomWindows(c, n, rng)
			res, err := finetune.Run(c, w, x, n, nil, 0, finetune.Options{Steps: 5, Batch: 4, LR: 1e-2, LRDecay: 1, Beta: 0.2, FreeBits: 0, Workers: 1, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			if d := generate.MaxAbsDiff(res.Weights["encoder.mu.bias"].Data, w["encoder.mu.bias"].Data); d == 0 {
				t.Fatal("fine-tuning changed nothing")
			}
			out := filepath.Join(t.TempDir(), "tuned")
			if _, err := importer.WriteMagenta(out, c, res.Weights); err != nil {
				t.Fatal(err)
			}
			tuned := model.NewBundle(model.Manifest{Config: c}, res.Weights, nil)
			compareWithMagentaJS(t, h, name+"_tuned", c, out, tuned, false)
		})
	}
}

// importMagentaFolder imports a magenta.js checkpoint folder into a bundle
// with mvae's importer.
func importMagentaFolder(dir string) (*model.Bundle, error) {
	r, err := importer.File(dir, importer.Options{})
	if err != nil {
		return nil, err
	}
	b, _, err := r.Bundle(false)
	return b, err
}

// magentaWindows reads the first window of a MIDI file ([T, D] tokens, the
// notes whose start step is within the window) through model c's Magenta
// converter, as the harness windows magenta.js's tensors; nil when the
// window holds no note (mvae leaves such windows out).
func magentaWindows(c *model.Config, file string) ([]float32, error) {
	s, err := music.ReadMIDIFile(file)
	if err != nil {
		return nil, err
	}
	q, err := music.MagentaSequenceOf(s)
	if err != nil {
		return nil, err
	}
	kept := q.Notes[:0:0]
	for _, n := range q.Notes {
		if n.StartStep < c.T() {
			kept = append(kept, n)
		}
	}
	q.Notes = kept
	w, err := music.MagentaWindows(q, c.MusicOptions())
	var skip *music.SkipError
	if errors.As(err, &skip) && (skip.Kind == music.SkipNoDrums || skip.Kind == music.SkipNoNotes || skip.Kind == music.SkipNoWindow) {
		return nil, nil // magenta.js answers an empty window
	}
	if err != nil || w.N == 0 {
		return nil, err
	}
	return w.Window(0), nil
}

// classBits are the 9 class bits of each step's drums token: magenta.js's
// one-hot drums converters add 2^class once per note (docs/FAMILIES.md
// §3.1), so two notes of one class carry into the next; its DrumsConverter
// roll sets each bit once, and is compared instead (less its NOR column,
// which magenta.js writes one step early).
func classBits(tokens []float32, D, off int) []float32 {
	T := len(tokens) / D
	out := make([]float32, T*music.NumDrumClasses)
	for s := 0; s < T; s++ {
		k := 0
		for c, v := range tokens[s*D+off : s*D+off+music.Drums.Depth()] {
			if v > 0.5 {
				k = c
			}
		}
		for j := 0; j < music.NumDrumClasses; j++ {
			out[s*music.NumDrumClasses+j] = float32((k >> j) & 1)
		}
	}
	return out
}

// rollBits are the 9 class columns of magenta.js's DrumsConverter roll
// [T, 10].
func rollBits(roll []float32) []float32 {
	T := len(roll) / music.RollDepth
	out := make([]float32, 0, T*music.NumDrumClasses)
	for s := 0; s < T; s++ {
		out = append(out, roll[s*music.RollDepth:s*music.RollDepth+music.NumDrumClasses]...)
	}
	return out
}

// TestMagentaJSConvertersParity: mvae's MIDI path through each Magenta
// converter gives magenta.js's own tensors on real MIDI files (every 8th MMA
// groove). Melody models read each channel as a line where magenta.js reads
// what it is handed: they are compared through the trio's melody and bass
// parts, which select their notes alike.
func TestMagentaJSConvertersParity(t *testing.T) {
	h := magentajs.Find(t)
	compareConverters(t, h, corpusSample(t, 8))
}

// corpusSample lists every n-th MIDI file of the MMA corpus, in name order;
// a missing corpus skips the test (fails it in CI).
func corpusSample(t *testing.T, n int) []string {
	t.Helper()
	var files []string
	filepath.WalkDir(corpusDir+"/", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".mid") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	if len(files) == 0 {
		testenv.Missing(t, "the MMA corpus ("+corpusDir+", testdata/corpus/build.sh)")
	}
	var pick []string
	for i := 0; i < len(files); i += n {
		pick = append(pick, files[i])
	}
	return pick
}

// compareMagentaJS writes mc's checkpoint, runs it with magenta.js, imports
// the same folder with mvae and runs it on each runtime:
//   - mu from tokens within 1e-5 of encodeTensors' (magenta.js is given the
//     encoder input of the same tokens);
//   - decodes of the same z at temperature 0: categorical tokens identical;
//     groove hits identical, velocities and offsets within 1e-5;
//   - at 0.5 and 1 (categorical) with the same seed: tokens identical
//     (magenta.js draws from the spec's streams, see checkMagentaDecode).
//
// The hierdec layout (mc.dummy) is compared on decodes only; the refused one
// (mc.refuse) must import in mvae (it is TF's layout) but has no magenta.js
// result to compare with.
func compareMagentaJS(t *testing.T, h *magentajs.Harness, mc magentaCase) {
	c := mc.config
	dir, _ := writeCheckpoint(t, h, c, 2000+uint64(len(mc.name)), mc.quant, mc.dummy)
	var bundle *model.Bundle
	var err error
	if mc.dummy {
		// The dummy hierarchical encoder that lets magenta.js load TF's
		// hierdec layout is not part of the model: mvae takes the folder's
		// other tensors (the refused case imports the layout as TF writes it).
		bundle, err = bundleWithoutDummies(c, dir)
	} else {
		bundle, err = importMagentaFolder(dir)
	}
	if err != nil {
		t.Fatalf("mvae cannot import the magenta.js folder: %v", err)
	}
	if mc.refuse != "" {
		return
	}
	compareWithMagentaJS(t, h, mc.name, c, dir, bundle, mc.dummy)
}

// compareWithMagentaJS runs the magenta.js checkpoint in dir and mvae's
// bundle of it (config c) on both runtimes and holds them to each other (see
// compareMagentaJS). With encodeless, only decodes are compared.
func compareWithMagentaJS(t *testing.T, h *magentajs.Harness, name string, c *model.Config, dir string, bundle *model.Bundle, encodeless bool) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(len(name)), 11))
	const B = 2
	run := &magentajs.RunRequest{Op: "run", Dir: dir}
	var tokens []float32
	if !encodeless {
		tokens = generate.RandomWindows(c, B, rng)
		run.Encode = encoderInput(c, tokens, B)
	}
	z := make([]float32, B*c.ZSize)
	z64 := make([]float64, len(z))
	for i := range z {
		z[i] = float32(rng.NormFloat64())
		z64[i] = float64(z[i])
	}
	temps := []float64{0}
	if c.Rep() != music.Groove {
		temps = append(temps, 0.5, 1)
	}
	for _, temp := range temps {
		run.Decodes = append(run.Decodes, magentajs.DecodeRequest{Shape: []int{B, c.ZSize}, Z: z64, Temperature: temp, Seed: "41"})
	}
	var res magentajs.RunResponse
	if err := h.Do(run, &res); err != nil {
		t.Fatal(err)
	}
	if res.Error != "" {
		t.Fatalf("magenta.js refused the checkpoint: %s", res.Error)
	}
	forEachRuntime(t, func(t *testing.T, rt opener) {
		be, err := rt.open(bundle)
		if err != nil {
			t.Fatal(err)
		}
		defer be.Close()
		if tokens != nil {
			mu, _, err := generate.EncodeTokens(be, tokens, B)
			if err != nil {
				t.Fatal(err)
			}
			if d := generate.MaxAbsDiff(mu, res.Mu.Float32()); d > 1e-5 {
				t.Errorf("mu differs from magenta.js's by %g", d)
			}
		}
		for _, d := range res.Decodes {
			got, err := generate.Decode(be, z, B, generate.Options{Temperature: d.Temperature, Seed: 41})
			if err != nil {
				t.Fatal(err)
			}
			want := d.Tokens.Float32()
			if c.Rep() != music.Groove {
				if !slices.Equal(got, want) {
					t.Errorf("T=%g: tokens differ from magenta.js's (first at %d)", d.Temperature, firstDiff(got, want))
				}
				continue
			}
			const C = music.NumDrumClasses
			D := c.InputSize
			for i := 0; i < len(got)/D; i++ {
				g, w := got[i*D:(i+1)*D], want[i*D:(i+1)*D]
				if !slices.Equal(g[:C], w[:C]) {
					t.Fatalf("T=0: step %d: hits %v, magenta.js %v", i, g[:C], w[:C])
				}
				if d := generate.MaxAbsDiff(g[C:], w[C:]); d > 1e-5 {
					t.Fatalf("T=0: step %d: velocities/offsets differ from magenta.js's by %g", i, d)
				}
			}
		}
	})
}

// compareConverters checks mvae's windows of every 8th MMA groove, read
// through each family's Magenta converter (magentaWindows), against
// magenta.js's toTensor of the same file (op "convert", window by window):
// identical for melody, drums (the 512-way one-hot of magenta.js's
// DrumsOneHotConverter; its 10-wide roll has the NOR quirk of
// TestMagentaJSConverters and is not compared) and trio; groove hits identical, velocities and
// offsets within 1e-6. A file magenta.js throws on must be an error in mvae
// too (melody pitches out of range).
func compareConverters(t *testing.T, h *magentajs.Harness, files []string) {
	compared := 0
	for _, name := range sortedFamilies() {
		c := model.TinyFamilies()[name]
		if c.Rep() == music.Melody {
			continue // see TestMagentaJSConvertersParity
		}
		var cv magentajs.Converter
		if err := json.Unmarshal(c.Magenta.Converter, &cv); err != nil {
			t.Fatal(err)
		}
		T, D := c.T(), c.InputSize
		convs := []magentajs.Converter{cv}
		switch {
		case c.Rep() == music.Drums: // the roll's class bits (classBits)
		case c.Rep() == music.Trio: // melody and bass exactly, the drums as a roll's class bits
			convs = append(convs, magentajs.Converter{Type: "DrumsConverter", Args: json.RawMessage(fmt.Sprintf(`{"numSteps":%d}`, T))})
		case c.EncoderInput != "": // magenta.js's tensor is then the encoder's input: compare the plain tokens
			convs[0].Args = json.RawMessage(fmt.Sprintf(`{"numSteps":%d}`, T))
		}
		var res magentajs.ConvertResponse
		if err := h.Do(&magentajs.ConvertRequest{Op: "convert", Files: files, Converters: convs, StepsPerQuarter: 4}, &res); err != nil {
			t.Fatal(err)
		}
		for _, f := range res.Files {
			got, err := magentaWindows(c, f.File)
			jsErr := f.Error
			for _, x := range f.Tensors {
				if jsErr == "" {
					jsErr = x.Error
				}
			}
			if (err != nil) != (jsErr != "") {
				t.Errorf("%s %s: mvae says %v, magenta.js %q", name, f.File, err, jsErr)
				continue
			}
			if err != nil || got == nil {
				continue // refused by both, or no note in the first window
			}
			window := func(i, depth int) []float32 {
				x := f.Tensors[i].Float32()
				if len(x) < T*depth {
					t.Fatalf("%s %s: magenta.js answered %d values, fewer than a window", name, f.File, len(x))
				}
				return x[:T*depth]
			}
			compared++
			switch c.Rep() {
			case music.Groove:
				if d := generate.MaxAbsDiff(got, window(0, D)); d > 1e-6 {
					t.Errorf("%s %s: groove windows differ from magenta.js's by %g", name, f.File, d)
				}
			case music.Drums:
				if g, w := classBits(got, D, 0), rollBits(window(0, music.RollDepth)); !slices.Equal(g, w) {
					t.Errorf("%s %s: drum hits differ from magenta.js's (first at %d)", name, f.File, firstDiff(g, w))
				}
			case music.Trio:
				want := window(0, D)
				mb := 2 * music.Melody.Depth()
				for s := 0; s < T; s++ {
					if g, w := got[s*D:s*D+mb], want[s*D:s*D+mb]; !slices.Equal(g, w) {
						t.Errorf("%s %s: step %d: melody and bass differ from magenta.js's", name, f.File, s)
						break
					}
				}
				if g, w := classBits(got, D, mb), rollBits(window(1, music.RollDepth)); !slices.Equal(g, w) {
					t.Errorf("%s %s: drum hits differ from magenta.js's (first at %d)", name, f.File, firstDiff(g, w))
				}
			}
		}
	}
	if compared == 0 {
		t.Fatal("no window compared")
	}
	t.Logf("%d windows compared with magenta.js's", compared)
}

// firstDiff is the first index where a and b differ (or the shorter length).
func firstDiff(a, b []float32) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// writeCheckpoint has magenta.js's side of the harness write config c's
// checkpoint (random weights from seed; quant "" for float32, "uint8" or
// "uint16"; dummy adds REF §6.6's hierarchical encoder) into a new folder.
func writeCheckpoint(t *testing.T, h *magentajs.Harness, c *model.Config, seed uint64, quant string, dummy bool) (string, magentajs.WriteResponse) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ckpt")
	wr, err := magentajs.CheckpointRequest(c, dir, seed)
	if err != nil {
		t.Fatal(err)
	}
	wr.Quantization, wr.DummyHierarchicalEncoder = quant, dummy
	var written magentajs.WriteResponse
	if err := h.Do(wr, &written); err != nil {
		t.Fatal(err)
	}
	return dir, written
}

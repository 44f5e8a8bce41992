package importer

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/internal/craft"
	"github.com/musicvae-go/mvae/model"
)

// randomCanonical returns random weights for c with every bias_hh zero (a
// Magenta cell has one bias: what import makes).
func randomCanonical(c *model.Config, seed uint64) model.Weights {
	rng := rand.New(rand.NewPCG(seed, 2))
	w := model.Weights{}
	for _, p := range c.Params() {
		t := model.NewTensorOf(p.Shape)
		if !strings.Contains(p.Name, ".bias_hh") {
			for i := range t.Data {
				t.Data[i] = float32(rng.NormFloat64() * 0.6)
			}
		}
		w[p.Name] = t
	}
	return w
}

// forgetRows reports, for a canonical bias_ih name, the rows of the forget
// gate: [H, 2H).
func forgetRows(name string, t *model.Tensor) (lo, hi int, ok bool) {
	if !strings.Contains(name, ".bias_ih") {
		return 0, 0, false
	}
	H := t.Shape[0] / 4
	return H, 2 * H, true
}

// sameCanonical compares imported weights with the exported ones: bit for
// bit, but for the forget gate's biases, which come back as
// float32(float32(b-1)+1).
func sameCanonical(t *testing.T, c *model.Config, got, want model.Weights) {
	t.Helper()
	for _, p := range c.Params() {
		g, w := got[p.Name], want[p.Name]
		lo, hi, fb := forgetRows(p.Name, w)
		for i := range w.Data {
			exp := w.Data[i]
			if fb && i >= lo && i < hi {
				exp = float32(float32(exp-1) + 1)
				if d, m := math.Abs(float64(exp-w.Data[i])), max(1, math.Abs(float64(w.Data[i])), math.Abs(float64(w.Data[i])-1)); d > m*0x1p-23 {
					t.Fatalf("%s[%d]: the forget-bias round trip moved %v by %g, more than 1 ulp", p.Name, i, w.Data[i], d)
				}
			}
			if math.Float32bits(g.Data[i]) != math.Float32bits(exp) {
				t.Fatalf("%s[%d] = %v, want %v", p.Name, i, g.Data[i], exp)
			}
		}
	}
}

// TestMagentaRoundTripFamilies exports every family's tiny model with random
// weights as a magenta.js checkpoint (shards small enough that tensors
// straddle them), imports it, and gets the config and the weights back.
func TestMagentaRoundTripFamilies(t *testing.T) {
	for name, c := range model.TinyFamilies() {
		t.Run(name, func(t *testing.T) {
			w := randomCanonical(c, 1)
			for _, shard := range []int{MagentaShardBytes, 1000} {
				dir := filepath.Join(t.TempDir(), "ckpt")
				files, err := writeMagenta(dir, c, w, shard)
				if err != nil {
					t.Fatal(err)
				}
				if shard == 1000 && len(files) < 4 {
					t.Fatalf("wrote %v: want several shards", files)
				}
				r, err := File(dir, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if !r.Config.Equal(c) {
					t.Fatalf("config back:\n%s\nwant\n%s", r.Config.JSON(), c.JSON())
				}
				sameCanonical(t, c, r.Weights, w)
				if r.Provenance.SourceKind != "magenta.js" || len(r.Provenance.SourceSHA256) != 64 {
					t.Errorf("provenance %+v", r.Provenance)
				}
			}
		})
	}
}

// TestMagentaConversionInverse: ToMagenta(FromMagenta(m)) is m but for the
// forget-bias rounding, and FromMagenta(ToMagenta(w)) is w likewise.
func TestMagentaConversionInverse(t *testing.T) {
	for name, c := range model.TinyFamilies() {
		rng := rand.New(rand.NewPCG(3, 4))
		m := map[string]*model.Tensor{}
		forget := map[string]int{}
		for _, p := range magentaLayout(c) {
			kn, bn, ks, bs := p.Tensors()
			for _, x := range []struct {
				n string
				s []int
			}{{kn, ks}, {bn, bs}} {
				tt := model.NewTensorOf(x.s)
				for i := range tt.Data {
					tt.Data[i] = float32(rng.NormFloat64())
				}
				m[x.n] = tt
			}
			if p.LSTM {
				forget[bn] = p.Out
			}
		}
		w, absent, err := FromMagenta(c, m)
		if err != nil || len(absent) > 0 {
			t.Fatalf("%s: %v %v", name, err, absent)
		}
		back, err := ToMagenta(c, w)
		if err != nil {
			t.Fatal(err)
		}
		if len(back) != len(m) {
			t.Fatalf("%s: %d tensors back, want %d", name, len(back), len(m))
		}
		for _, b := range back {
			o := m[b.Name]
			for i, v := range b.Tensor.Data {
				want := o.Data[i]
				if H, ok := forget[b.Name]; ok && i >= 2*H && i < 3*H {
					want = float32(float32(want+1) - 1)
				}
				if math.Float32bits(v) != math.Float32bits(want) {
					t.Fatalf("%s: %s[%d] = %v, want %v", name, b.Name, i, v, want)
				}
			}
		}
		// And the other way.
		w0 := randomCanonical(c, 5)
		ts, err := ToMagenta(c, w0)
		if err != nil {
			t.Fatal(err)
		}
		m2 := map[string]*model.Tensor{}
		for _, x := range ts {
			m2[x.Name] = x.Tensor
		}
		w2, _, err := FromMagenta(c, m2)
		if err != nil {
			t.Fatal(err)
		}
		sameCanonical(t, c, w2, w0)
	}
}

const (
	handManifest = craft.MagentaMelManifest
	handConfig   = craft.MagentaMelConfig
)

// handTensors are the manifest's tensors in order, with random values.
type handTensor struct {
	name  string
	shape []int
	vals  []float32
}

func handTensors(t *testing.T) []handTensor {
	groups, err := parseMagentaManifest([]byte(handManifest))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	var out []handTensor
	for _, e := range groups[0].Entries {
		v := make([]float32, e.Numel)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * 0.6)
		}
		out = append(out, handTensor{e.Name, e.Shape, v})
	}
	return out
}

func writeDir(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mel")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// checkHandWeights checks the imported weights of the hand manifest
// against values picked by hand from vals (what the tensors read as).
func checkHandWeights(t *testing.T, w model.Weights, vals map[string][]float32) {
	t.Helper()
	enc := "encoder/cell_0/bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell/"
	K, b := vals[enc+"kernel"], vals[enc+"bias"] // [98, 32]: in 90, H 8
	at := func(name string, i int) float32 { return w[name].Data[i] }
	eq := func(what string, got, want float32) {
		if math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	// Spec gate f (rows 8..15) is Magenta's block 2 (columns 16..23); spec
	// g (rows 16..23) is Magenta's j (columns 8..15).
	eq("weight_ih_l0[11][5]", at("encoder.lstm.weight_ih_l0", 11*90+5), K[5*32+19])
	eq("weight_ih_l0[2][89]", at("encoder.lstm.weight_ih_l0", 2*90+89), K[89*32+2])
	eq("weight_hh_l0[18][4]", at("encoder.lstm.weight_hh_l0", 18*8+4), K[94*32+10])
	eq("weight_hh_l0[31][7]", at("encoder.lstm.weight_hh_l0", 31*8+7), K[97*32+31])
	eq("bias_ih_l0[9]", at("encoder.lstm.bias_ih_l0", 9), b[17]+1)
	eq("bias_ih_l0[17]", at("encoder.lstm.bias_ih_l0", 17), b[9])
	eq("bias_hh_l0[9]", at("encoder.lstm.bias_hh_l0", 9), 0)
	mu := vals["encoder/mu/kernel"] // [16, 4]
	eq("mu.weight[3][15]", at("encoder.mu.weight", 3*16+15), mu[15*4+3])
	// Init: Magenta's [c0 | h0 | c1 | h1] (6 each) → spec's [h0, h1, c0, c1].
	zi, zb := vals["decoder/z_to_initial_state/kernel"], vals["decoder/z_to_initial_state/bias"] // [4, 24]
	eq("init.weight[0][1]", at("decoder.init.weight", 0*4+1), zi[1*24+6])                        // h0[0]
	eq("init.weight[6][2]", at("decoder.init.weight", 6*4+2), zi[2*24+18])                       // h1[0]
	eq("init.weight[12][3]", at("decoder.init.weight", 12*4+3), zi[3*24+0])                      // c0[0]
	eq("init.weight[23][0]", at("decoder.init.weight", 23*4+0), zi[0*24+17])
	eq("init.bias[20]", at("decoder.init.bias", 20), zb[14])     // c1[2]
	dk := vals["decoder/multi_rnn_cell/cell_0/lstm_cell/kernel"] // [100, 24]: in 94 (90 + z 4), H 6
	eq("decoder weight_ih_l0[0][93]", at("decoder.lstm.weight_ih_l0", 0*94+93), dk[93*24+0])
	eq("decoder weight_hh_l0[23][5]", at("decoder.lstm.weight_hh_l0", 23*6+5), dk[99*24+23])
	op := vals["decoder/output_projection/kernel"] // [6, 90]
	eq("out.weight[89][5]", at("decoder.out.weight", 89*6+5), op[5*90+89])
}

// TestMagentaHandManifest imports REF §6.3's manifest, as float32 and
// quantised to uint8, uint16 and float16.
func TestMagentaHandManifest(t *testing.T) {
	ts := handTensors(t)
	for _, q := range []string{"float32", "uint8", "uint16", "float16"} {
		t.Run(q, func(t *testing.T) {
			var shard []byte
			vals := map[string][]float32{}
			man := handManifest
			for _, x := range ts {
				v := make([]float32, len(x.vals))
				lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
				for _, f := range x.vals {
					lo, hi = min(lo, f), max(hi, f)
				}
				levels := map[string]float64{"uint8": 255, "uint16": 65535}[q]
				scale := float64(hi-lo) / levels
				for i, f := range x.vals {
					switch q {
					case "float32":
						shard = binary.LittleEndian.AppendUint32(shard, math.Float32bits(f))
						v[i] = f
					case "float16":
						h := model.Float16(f)
						shard = binary.LittleEndian.AppendUint16(shard, h)
						v[i] = model.Float32FromHalf(h)
					default:
						k := uint16(math.Round(float64(f-lo) / scale))
						if q == "uint8" {
							shard = append(shard, byte(k))
						} else {
							shard = binary.LittleEndian.AppendUint16(shard, k)
						}
						v[i] = float32(float64(k)*scale + float64(lo))
					}
				}
				vals[x.name] = v
				if q != "float32" {
					quant := `{"dtype":"float16"}`
					if q != "float16" {
						quant = `{"min":` + fmtF(float64(lo)) + `,"scale":` + fmtF(scale) + `,"dtype":"` + q + `"}`
					}
					old := `{"name":"` + x.name + `","shape":` + shapeJSON(x.shape) + `,"dtype":"float32"}`
					if !strings.Contains(man, old) {
						t.Fatalf("manifest has no %s", old)
					}
					man = strings.Replace(man, old, old[:len(old)-1]+`,"quantization":`+quant+`}`, 1)
				}
			}
			if q == "float32" && len(shard) != 39832 {
				t.Fatalf("shard of %d bytes, REF §6.3 says 39,832", len(shard))
			}
			dir := writeDir(t, map[string][]byte{"config.json": []byte(handConfig), "weights_manifest.json": []byte(man), "group1-shard1of1": shard})
			r, err := File(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := model.TinyFamilies()["mel_2bar"]
			if !r.Config.Equal(want) {
				t.Fatalf("config %s, want %s", r.Config.JSON(), want.JSON())
			}
			checkHandWeights(t, r.Weights, vals)
			// Exported again: the manifest's float32 values (dequantised).
			out := filepath.Join(t.TempDir(), "again")
			if _, err := WriteMagenta(out, r.Config, r.Weights); err != nil {
				t.Fatal(err)
			}
			r2, err := File(out, Options{})
			if err != nil {
				t.Fatal(err)
			}
			sameCanonical(t, r.Config, r2.Weights, r.Weights)
		})
	}
}

func fmtF(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func shapeJSON(s []int) string {
	var parts []string
	for _, d := range s {
		parts = append(parts, strconv.Itoa(d))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// TestMagentaNoSigma: a checkpoint without encoder/sigma imports with zero
// sigma weights and a note.
func TestMagentaNoSigma(t *testing.T) {
	ts := handTensors(t)
	var shard []byte
	for _, x := range ts {
		if strings.HasPrefix(x.name, "encoder/sigma/") {
			continue
		}
		for _, f := range x.vals {
			shard = binary.LittleEndian.AppendUint32(shard, math.Float32bits(f))
		}
	}
	man := handManifest
	man = strings.Replace(man, ` {"name":"encoder/sigma/kernel","shape":[16,4],"dtype":"float32"},`+"\n", "", 1)
	man = strings.Replace(man, ` {"name":"encoder/sigma/bias","shape":[4],"dtype":"float32"},`+"\n", "", 1)
	dir := writeDir(t, map[string][]byte{"config.json": []byte(handConfig), "weights_manifest.json": []byte(man), "group1-shard1of1": shard})
	r, err := File(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range r.Weights["encoder.sigma.weight"].Data {
		if v != 0 {
			t.Fatal("sigma weights not zero")
		}
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "encoder/sigma") {
		t.Errorf("no note about sigma: %v", r.Notes)
	}
}

package conformance

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/conformance/magentajs"
	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/npy"
)

// magentaToCanonical converts a magenta.js checkpoint's tensors to mvae's
// canonical weights exactly as docs/FAMILIES.md §2.3 says, written here from
// that page alone as the suite's reference (mvae's importer is the code
// under test; the lead can compare its output with this):
//
//	W_ih = K[:in, :]ᵀ and W_hh = K[in:, :]ᵀ with row blocks (i, j, f, o) → (i, f, j, o),
//	b_ih = b reordered, + 1.0 on the f block (float32), b_hh = 0;
//	dense: weight = Kᵀ; an init layer's rows permuted from Magenta's
//	[c_0, h_0, c_1, h_1, …] to the spec's [h_0 … h_{L-1}, c_0 … c_{L-1}].
//
// skip drops names (the dummy hierarchical encoder of REF §6.6).
func magentaToCanonical(manifest []magentajs.ManifestEntry, values map[string][]float32, c *model.Config, skip func(string) bool) (model.Weights, error) {
	w := model.Weights{}
	shapes := map[string][]int{}
	for _, e := range manifest {
		shapes[e.Name] = e.Shape
	}
	for _, e := range manifest {
		if skip != nil && skip(e.Name) || !strings.HasSuffix(e.Name, "/kernel") {
			continue
		}
		scope := strings.TrimSuffix(e.Name, "/kernel")
		K, b := values[e.Name], values[scope+"/bias"]
		var canon string
		for _, m := range magentaName {
			if sub := m.re.FindStringSubmatchIndex(scope); sub != nil {
				canon = string(m.re.ExpandString(nil, m.out, scope, sub))
				break
			}
		}
		if canon == "" || b == nil {
			return nil, fmt.Errorf("%s: not a name of docs/FAMILIES.md §2.3", e.Name)
		}
		rows, cols := e.Shape[0], e.Shape[1]
		if prefix, rest, isLSTM := strings.Cut(canon, "|"); isLSTM {
			layer, dir, _ := strings.Cut(rest, "|")
			sfx := "_l" + layer
			if dir == "bw" {
				sfx += "_reverse"
			}
			H := cols / 4
			in := rows - H
			wih, whh := npy.New(4*H, in), npy.New(4*H, H)
			bih, bhh := npy.New(4*H), npy.New(4*H)
			for gc, gm := range []int{0, 2, 1, 3} { // canonical i, f, g, o ← Magenta i, j, f, o
				for h := 0; h < H; h++ {
					col := gm*H + h
					r := gc*H + h
					for x := 0; x < in; x++ {
						wih.Data[r*in+x] = K[x*cols+col]
					}
					for y := 0; y < H; y++ {
						whh.Data[r*H+y] = K[(in+y)*cols+col]
					}
					bih.Data[r] = b[col]
					if gc == 1 {
						bih.Data[r] += 1
					}
				}
			}
			w[prefix+".weight_ih"+sfx], w[prefix+".weight_hh"+sfx] = wih, whh
			w[prefix+".bias_ih"+sfx], w[prefix+".bias_hh"+sfx] = bih, bhh
			continue
		}
		wt, bias := npy.New(cols, rows), npy.New(cols)
		perm := make([]int, cols) // perm[spec row] = Magenta column
		for i := range perm {
			perm[i] = i
		}
		if strings.HasSuffix(canon, ".init") {
			L := c.Decoder.Layers
			if strings.HasPrefix(canon, "conductor") {
				L = c.Conductor.Layers
			}
			H := cols / (2 * L)
			for l := 0; l < L; l++ {
				for h := 0; h < H; h++ {
					perm[l*H+h] = (2*l+1)*H + h // h_l
					perm[(L+l)*H+h] = 2*l*H + h // c_l
				}
			}
		}
		for o := 0; o < cols; o++ {
			for i := 0; i < rows; i++ {
				wt.Data[o*rows+i] = K[i*cols+perm[o]]
			}
			bias.Data[o] = b[perm[o]]
		}
		w[canon+".weight"], w[canon+".bias"] = wt, bias
	}
	return w, w.CheckShapes(c)
}

// TestMagentaJSHierdecNative runs the one Magenta layout today's runtimes
// already run, TF's hierdec (a 2-layer flat encoder, a conductor, one
// decoder: the spec's network), against magenta.js: the checkpoint is
// written by harness.mjs, loaded by magenta.js with the dummy hierarchical
// encoder (REF §6.6; it then only decodes), converted with
// magentaToCanonical and decoded by each runtime from the same z. Tokens
// must be identical at temperature 0 (argmax), 0.5 and 1 (magenta.js's
// tf.multinomial draws from the spec's SplitMix64 streams, rows seed + i).
// This proves the harness's sampling against mvae's generation loop, and
// FAMILIES §2.3's conversion against magenta.js, before the importer lands.
func TestMagentaJSHierdecNative(t *testing.T) {
	h := magentajs.Find(t)
	c := model.TinyFamilies()["hierdec_mel"]
	for _, quant := range []string{"", "uint8"} {
		t.Run("q="+quant, func(t *testing.T) {
			dir, _ := writeCheckpoint(t, h, c, 31, quant, true)
			manifest, values, err := magentajs.ReadWeights(dir)
			if err != nil {
				t.Fatal(err)
			}
			w, err := magentaToCanonical(manifest, values, c, magentaDummy)
			if err != nil {
				t.Fatal(err)
			}
			const B = 3
			rng := rand.New(rand.NewPCG(5, 6))
			z := make([]float32, B*c.ZSize)
			z64 := make([]float64, len(z))
			for i := range z {
				z[i] = float32(rng.NormFloat64())
				z64[i] = float64(z[i])
			}
			run := &magentajs.RunRequest{Op: "run", Dir: dir}
			for _, temp := range []float64{0, 0.5, 1} {
				run.Decodes = append(run.Decodes, magentajs.DecodeRequest{Shape: []int{B, c.ZSize}, Z: z64, Temperature: temp, Seed: "1234"})
			}
			var res magentajs.RunResponse
			if err := h.Do(run, &res); err != nil {
				t.Fatal(err)
			}
			if res.Error != "" {
				t.Fatal(res.Error)
			}
			bundle := model.NewBundle(model.Manifest{Config: c}, w, nil)
			forEachRuntime(t, func(t *testing.T, rt opener) {
				be, err := rt.open(bundle)
				if err != nil {
					t.Fatal(err)
				}
				defer be.Close()
				for _, d := range res.Decodes {
					got, err := generate.Decode(be, z, B, generate.Options{Temperature: d.Temperature, Seed: 1234})
					if err != nil {
						t.Fatal(err)
					}
					want := d.Tokens.Float32()
					if !slices.Equal(got, want) {
						i := firstDiff(got, want)
						t.Errorf("T=%g: tokens differ from magenta.js's from value %d (sequence %d, step %d)", d.Temperature, i, i/(c.T()*c.InputSize), i/c.InputSize%c.T())
					} else {
						t.Logf("T=%g: %d sequences × %d steps identical to magenta.js's", d.Temperature, B, c.T())
					}
				}
			})
		})
	}
}

// TestMagentaJSFlatEncoderNative checks magenta.js's encodeTensors on the
// flat one-layer encoders (mel_2bar, and the groove families on the
// encoder input their converter gives: plain, humanized, tapified) against
// each runtime's encoder. Today's runtimes run the spec's network only, so
// the encoder weights (converted with magentaToCanonical) are put in a spec
// model of the same encoder with a conductor and random decoder weights;
// only mu is compared, within 1e-5. The drums roll (D_in 10) and the
// hierarchical encoders wait for the family runtimes (compareMagentaJS).
func TestMagentaJSFlatEncoderNative(t *testing.T) {
	h := magentajs.Find(t)
	for _, name := range []string{"mel_2bar", "groove_4bar", "groove_2bar_humanize", "tap2drum_2bar"} {
		t.Run(name, func(t *testing.T) {
			c := model.TinyFamilies()[name]
			dir, _ := writeCheckpoint(t, h, c, 77, "", false)
			manifest, values, err := magentajs.ReadWeights(dir)
			if err != nil {
				t.Fatal(err)
			}
			mw, err := magentaToCanonical(manifest, values, c, nil)
			if err != nil {
				t.Fatal(err)
			}
			const B = 3
			rng := rand.New(rand.NewPCG(8, 9))
			x := encoderInput(c, generate.RandomWindows(c, B, rng), B)
			var res magentajs.RunResponse
			if err := h.Do(&magentajs.RunRequest{Op: "run", Dir: dir, Encode: x}, &res); err != nil {
				t.Fatal(err)
			}
			if res.Error != "" || res.Mu == nil {
				t.Fatalf("magenta.js: %q", res.Error)
			}
			// The spec model: the same encoder on x itself, a conductor.
			sc := *c
			sc.Magenta, sc.GrooveFeedback, sc.EncoderInput, sc.EncoderInputSize = nil, "", "", 0
			sc.Conductor, sc.Segments = model.LSTMSize{Hidden: 5, Layers: 1}, c.Bars
			w := model.Weights{}
			for _, p := range sc.Params() {
				if t0, ok := mw[p.Name]; ok && strings.HasPrefix(p.Name, "encoder.") {
					w[p.Name] = t0
					continue
				}
				a := npy.New(p.Shape...)
				for i := range a.Data {
					a.Data[i] = float32(rng.NormFloat64() * 0.3)
				}
				w[p.Name] = a
			}
			bundle := model.NewBundle(model.Manifest{Config: &sc}, w, nil)
			forEachRuntime(t, func(t *testing.T, rt opener) {
				be, err := rt.open(bundle)
				if err != nil {
					t.Fatal(err)
				}
				defer be.Close()
				mu, _, err := generate.Encode(be, x.Float32(), B)
				if err != nil {
					t.Fatal(err)
				}
				d := generate.MaxAbsDiff(mu, res.Mu.Float32())
				if d > 1e-5 {
					t.Errorf("mu differs from magenta.js's by %g", d)
				}
				t.Logf("mu of %d windows within %.2g of magenta.js's", B, d)
			})
		})
	}
}

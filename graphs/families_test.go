package graphs_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/model"
)

// randomWeights fills every canonical parameter of c with uniform values.
func randomWeights(c *model.Config, seed uint64) model.Weights {
	rng := rand.New(rand.NewPCG(seed, 7))
	w := model.Weights{}
	for _, p := range c.Params() {
		t := model.NewTensorOf(p.Shape)
		for i := range t.Data {
			t.Data[i] = float32(rng.Float64() - 0.5)
		}
		w[p.Name] = t
	}
	return w
}

func familyNames() []string {
	var names []string
	for n := range model.TinyFamilies() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestBuildAllFamilies: every family builds its graphs (graphs.NamesOf: no
// conductor graph without a conductor, decoder_init_k and decoder_step_k for
// split decoders), each declaring the inputs and outputs graphs.Inputs and
// graphs.Outputs name, with the shapes of the config.
func TestBuildAllFamilies(t *testing.T) {
	want := map[string][]string{
		"mel_2bar":  {"decoder_init", "decoder_step", "encoder", "full"},
		"trio_hier": {"conductor", "decoder_init_0", "decoder_init_1", "decoder_init_2", "decoder_step_0", "decoder_step_1", "decoder_step_2", "encoder", "full"},
		"mel_hier":  {"conductor", "decoder_init", "decoder_step", "encoder", "full"},
	}
	for i, name := range familyNames() {
		c := model.TinyFamilies()[name]
		gs, err := graphs.BuildAll(c, randomWeights(c, uint64(i)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for n := range gs {
			got = append(got, n)
		}
		sort.Strings(got)
		if w, ok := want[name]; ok && !slices.Equal(got, w) {
			t.Errorf("%s: graphs %v, want %v", name, got, w)
		}
		for n, data := range gs {
			m, err := graphs.ReadModel(data)
			if err != nil {
				t.Fatalf("%s %s: %v", name, n, err)
			}
			var ins, outs []string
			for _, v := range m.Graph.Inputs {
				ins = append(ins, v.Name)
			}
			for _, v := range m.Graph.Outputs {
				outs = append(outs, v.Name)
			}
			if !slices.Equal(ins, graphs.Inputs(c, n)) || !slices.Equal(outs, graphs.Outputs(c, n)) {
				t.Errorf("%s %s: inputs %v and outputs %v, want %v and %v", name, n, ins, outs, graphs.Inputs(c, n), graphs.Outputs(c, n))
			}
			if n == graphs.Encoder && m.Graph.Inputs[0].Dims[2] != int64(c.EncoderIn()) {
				t.Errorf("%s: the encoder reads depth %d, want D_in %d", name, m.Graph.Inputs[0].Dims[2], c.EncoderIn())
			}
			if n == graphs.Full && graphs.HasEncoderInput(c) && m.Graph.Inputs[2].Dims[2] != int64(c.EncoderIn()) {
				t.Errorf("%s: the full graph's x_in has depth %d, want %d", name, m.Graph.Inputs[2].Dims[2], c.EncoderIn())
			}
		}
		for k, D := range c.SplitDepths() {
			m, _ := graphs.ReadModel(gs[graphs.DecoderStepOf(c, k)])
			if d := m.Graph.Inputs[0].Dims[1]; d != int64(D) {
				t.Errorf("%s: split %d's prev has depth %d, want %d", name, k, d, D)
			}
		}
	}
	if graphs.Inputs(model.TinyFamilies()["mel_2bar"], graphs.Conductor) != nil {
		t.Error("a model without a conductor has conductor inputs")
	}
}

// TestBuildRefusesUndefinedLevels: a hierarchical encoder of 3 levels is not
// defined by docs/FAMILIES.md; BuildAll says so.
func TestBuildRefusesUndefinedLevels(t *testing.T) {
	c := model.TinyFamilies()["mel_hier"]
	c.EncoderLevels = append(c.EncoderLevels, model.LSTMSize{Hidden: 3, Layers: 1})
	if err := c.Validate(); err != nil {
		t.Skipf("the config is refused before: %v", err)
	}
	if _, err := graphs.BuildAll(c, randomWeights(c, 1)); err == nil || !strings.Contains(err.Error(), "3 levels") {
		t.Errorf("BuildAll: %v", err)
	}
}

func bundleOf(t *testing.T, c *model.Config, w model.Weights, gs map[string][]byte) *model.Bundle {
	t.Helper()
	var buf bytes.Buffer
	if err := model.WriteBundle(&buf, model.NewBundle(model.Manifest{Config: c}, w, gs), false); err != nil {
		t.Fatal(err)
	}
	b, err := model.ReadBundle(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestForBundleFamilies: ForBundle accepts the graphs BuildAll stores for
// every family, and refuses a graph the family does not have or a split
// decoder's graph that disagrees with its weights.
func TestForBundleFamilies(t *testing.T) {
	for i, name := range familyNames() {
		c := model.TinyFamilies()[name]
		w := randomWeights(c, uint64(i))
		gs, err := graphs.BuildAll(c, w)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		err = graphs.ForBundle(bundleOf(t, c, w, gs), graphs.NamesOf(c), func(n string, onnx []byte) error {
			if !bytes.Equal(onnx, gs[n]) {
				t.Errorf("%s: ForBundle built another %s", name, n)
			}
			got = append(got, n)
			return nil
		})
		if err != nil || !slices.Equal(got, graphs.NamesOf(c)) {
			t.Errorf("%s: ForBundle gave %v, %v", name, got, err)
		}
	}
	// mel_2bar has no conductor: a stored conductor graph is refused.
	fs := model.TinyFamilies()
	mel, hier := fs["mel_2bar"], fs["hierdec_mel"]
	w := randomWeights(mel, 1)
	gs, _ := graphs.BuildAll(mel, w)
	hgs, _ := graphs.BuildAll(hier, randomWeights(hier, 1))
	gs[graphs.Conductor] = hgs[graphs.Conductor]
	err := graphs.ForBundle(bundleOf(t, mel, w, gs), graphs.NamesOf(mel), func(string, []byte) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `"conductor"`) {
		t.Errorf("a conductor graph without a conductor: %v", err)
	}
	// trio: split 2's step graph built from other weights.
	trio := fs["trio_hier"]
	w = randomWeights(trio, 2)
	gs, _ = graphs.BuildAll(trio, w)
	ogs, _ := graphs.BuildAll(trio, randomWeights(trio, 3))
	gs["decoder_step_2"] = ogs["decoder_step_2"]
	err = graphs.ForBundle(bundleOf(t, trio, w, gs), graphs.NamesOf(trio), func(string, []byte) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "graph decoder_step_2") || !strings.Contains(err.Error(), "decoders.2.") {
		t.Errorf("a split decoder's graph of other weights: %v", err)
	}
}

// TestSpecGraphsUnchanged: the graphs of a model of the spec are the bytes
// mvae has always built for it, so that bundles written before the families
// (whose stored graphs must be the ones built, ForBundle) keep opening.
func TestSpecGraphsUnchanged(t *testing.T) {
	want := map[string]string{
		"drums conductor":     "837ad00dd75c99d25001767123a4aea32b9a44e3aecbbff9101083cbbaac97e4",
		"drums decoder_init":  "94fafee70e6419da2c9e60f48abb083e8b47d2a766f733002e7e9dafc1df1d22",
		"drums decoder_step":  "de097f4cb346fdfdff5ea51a3841c85fbe0549b7e87534d461f8996b9982ff06",
		"drums encoder":       "c04cb7d776c92df4351c3839a0b7f3913e2fe67a03ceec3df4d78fc7008dd2d5",
		"drums full":          "e644d8b100f82d148a2fc736f2d04cec7b2f279b5bb2fb0d2d2d5caffe7ad324",
		"groove conductor":    "4023fd26189ba23d598945f76d1111979dea391cb75ce4d9f18d8639460c8371",
		"groove decoder_init": "eb20a9a154a08e2bdd9e11c5559b03fbd814b58f3236b159e39c925dcda2bc49",
		"groove decoder_step": "a8d0edbc1091736376c601e8c2e451e9d5227b48cef907f5b40e33e18f26229c",
		"groove encoder":      "4799af10e158d6eaadd3e30377a9e8a96247eb2896093cd306afcbb0c39bedb7",
		"groove full":         "a5531739971100292f0f25fd57f0ae11f20af965ba1a91e05f0e3c64614fde02",
		"melody conductor":    "5a22f6b7270fffa1062b3ae5864fc3a84bdd70cbdebb131878fa8890641b8ffa",
		"melody decoder_init": "267f50298f79a14347a8a445521f2787a4913e11769fbc380b8720154b2cf93d",
		"melody decoder_step": "a8c416e7100a589a5073b5a69e12720eae42fe80ca76a8b586553111e8e8e9b0",
		"melody encoder":      "8863010aefaf6a95e843ad2fe3671ec73f32037b7a59b8275e293a65fd5cfd6e",
		"melody full":         "b2c223174bad255c92c5086f6e2986c77b9114483a9897f2ba1c5a0741de624b",
	}
	for _, fx := range []string{"groove", "drums", "melody"} {
		r, err := importer.File(filepath.Join("../testdata/models", fx, "model.pt"), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		gs, err := graphs.BuildAll(r.Config, r.Weights)
		if err != nil {
			t.Fatal(err)
		}
		for n, g := range gs {
			key := fx + " " + n
			if got := fmt.Sprintf("%x", sha256.Sum256(g)); got != want[key] {
				t.Errorf("%s: the graph built is not the one mvae built before (sha256 %s); stored graphs of existing bundles would be refused", key, got)
			}
		}
	}
}

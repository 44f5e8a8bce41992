//go:build cgo

package runtime

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native"
)

// TestFamiliesParity: mvae parity (generate.Parity) between the native
// runtime and onnxruntime passes on every family of model.TinyFamilies with
// random weights: every output within 1e-4, identical tokens.
func TestFamiliesParity(t *testing.T) {
	initORT(t)
	for i, name := range familyNames() {
		c := model.TinyFamilies()[name]
		t.Run(name, func(t *testing.T) {
			w := randomWeights(c, uint64(300+i), 0.5)
			ort := openFamily(t, c, w)
			nat, err := native.New(c, w)
			if err != nil {
				t.Fatal(err)
			}
			defer nat.Close()
			rep, err := generate.Parity(nat, ort, 3, 42)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rep.Rows {
				t.Logf("%s %s: %g", r.Graph, r.Output, r.MaxAbs)
			}
			if !rep.OK {
				t.Errorf("parity fails: %+v", rep)
			}
		})
	}
}

// openOptions opens the bundle of c and w under onnxruntime with o.
func openOptions(t *testing.T, c *model.Config, w model.Weights, o Options) *ORT {
	t.Helper()
	var buf bytes.Buffer
	if err := model.WriteBundle(&buf, model.NewBundle(model.Manifest{Config: c}, w, nil), false); err != nil {
		t.Fatal(err)
	}
	b, err := model.ReadBundle(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	be, err := Open(b, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	return be
}

// TestTwoPassParity: the import check's parity (generate.RecordParity on
// the native runtime, then Compare on onnxruntime opened with ReleaseFull
// and NoPrepacking) passes on the model and fails, in the decoder's rows,
// on a model whose onnxruntime weights have one decoder tensor wrong.
func TestTwoPassParity(t *testing.T) {
	initORT(t)
	for i, name := range familyNames() {
		c := model.TinyFamilies()[name]
		t.Run(name, func(t *testing.T) {
			w := randomWeights(c, uint64(300+i), 0.5)
			nat, err := native.New(c, w)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := generate.RecordParity(nat, 2, 5)
			if err != nil {
				t.Fatal(err)
			}
			o := Options{Threads: 1, NoPrepacking: true, ReleaseFull: true}
			rep, err := rec.Compare(openOptions(t, c, w, o))
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK {
				t.Errorf("parity fails: %+v", rep)
			}
			wrong := model.Weights{}
			for n, tn := range w {
				wrong[n] = tn
			}
			pname := c.DecoderPrefix(0) + ".lstm.weight_hh_l0"
			if w[pname] == nil {
				t.Fatalf("no %s", pname)
			}
			p := model.NewTensorOf(w[pname].Shape)
			for k, v := range w[pname].Data {
				p.Data[k] = v + 0.25
			}
			wrong[pname] = p
			rep, err = rec.Compare(openOptions(t, c, wrong, o))
			if err != nil {
				t.Fatal(err)
			}
			bad := map[string]bool{}
			for _, r := range rep.Rows {
				if !r.OK {
					bad[r.Graph+"."+r.Output] = true
				}
			}
			if rep.OK || !bad["decoder_init+decoder_step.logits"] || !bad["full.logits"] || bad["encoder.mu"] {
				t.Errorf("%s wrong under onnxruntime: %+v", pname, rep)
			}
		})
	}
}

// TestReleaseFull: with Options.ReleaseFull, Forward loads the full graph
// each time and lets it go after: two calls give the same outputs as a
// backend that keeps it.
func TestReleaseFull(t *testing.T) {
	initORT(t)
	c := model.TinyFamilies()["hierdec_mel"]
	w := randomWeights(c, 17, 0.5)
	keep := openOptions(t, c, w, Options{Threads: 1})
	rel := openOptions(t, c, w, Options{Threads: 1, ReleaseFull: true})
	x := generate.RandomWindows(c, 2, rand.New(rand.NewPCG(1, 2)))
	eps := make([]float32, 2*c.ZSize)
	for i := range eps {
		eps[i] = float32(i%7) / 7
	}
	want, _, _, err := generate.Forward(keep, x, eps, 2)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, _, _, err := generate.Forward(rel, x, eps, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("logits differ by %g", generate.MaxAbsDiff(got, want))
		}
		if rel.full != nil {
			t.Fatal("the full graph's session is kept")
		}
	}
}

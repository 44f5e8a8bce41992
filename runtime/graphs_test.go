//go:build cgo

package runtime

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/npy"
)

// fixtureDirs lists every folder with a model.pt and golden.npz: the
// repository's own always, the shared ones where present.
func fixtureDirs(t *testing.T) []string { return testenv.ModelFixtures(t) }

func mustSession(t *testing.T, onnx []byte, ins, outs []string) *Session {
	t.Helper()
	s, err := NewSession(onnx, ins, outs, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestBuiltGraphsMatchGoldens rebuilds every graph from each fixture's
// state_dict and runs it under onnxruntime on the goldens' inputs: the full
// graph reproduces PyTorch's logits, mu and sigma; the generation graphs,
// stepped by hand with teacher forcing, reproduce the logits too.
func TestBuiltGraphsMatchGoldens(t *testing.T) {
	initORT(t)
	for _, dir := range fixtureDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			r, err := importer.File(filepath.Join(dir, "model.pt"), importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			g, err := npy.ReadNPZFile(filepath.Join(dir, "golden.npz"))
			if err != nil {
				t.Fatal(err)
			}
			c := r.Config
			gs, err := graphs.BuildAll(c, r.Weights)
			if err != nil {
				t.Fatal(err)
			}
			full := mustSession(t, gs[graphs.Full], []string{"x", "eps"}, []string{"logits", "mu", "sigma"})
			out, err := full.Run(g["x"], g["eps"])
			if err != nil {
				t.Fatal(err)
			}
			for i, name := range []string{"logits", "mu", "sigma"} {
				if d := generate.MaxAbsDiff(out[i].Data, g[name].Data); d > 1e-4 {
					t.Errorf("full graph: %s differs from PyTorch by %g", name, d)
				}
			}
			// The full graph imports back to the same weights.
			back, err := importer.FromONNXBytes(gs[graphs.Full], importer.Options{})
			if err != nil {
				t.Fatalf("re-import of the built graph: %v", err)
			}
			for name, want := range r.Weights {
				if generate.MaxAbsDiff(back.Weights[name].Data, want.Data) != 0 {
					t.Errorf("re-import: %s differs", name)
				}
			}

			enc := mustSession(t, gs[graphs.Encoder], []string{"x"}, []string{"mu", "sigma"})
			cond := mustSession(t, gs[graphs.Conductor], []string{"z"}, []string{"cond"})
			dinit := mustSession(t, gs[graphs.DecoderInit], []string{"c"}, []string{"h", "c0"})
			step := mustSession(t, gs[graphs.DecoderStep], []string{"prev", "cu", "h", "c"}, []string{"logits", "h_out", "c_out"})
			ms, err := enc.Run(g["x"])
			if err != nil {
				t.Fatal(err)
			}
			if d := generate.MaxAbsDiff(ms[0].Data, g["mu"].Data); d > 1e-4 {
				t.Errorf("encoder: mu differs by %g", d)
			}
			// z = mu + sigma * eps, as PyTorch computed it.
			B, Z := g["eps"].Shape[0], c.ZSize
			z := npy.New(B, Z)
			for i := range z.Data {
				z.Data[i] = g["mu"].Data[i] + g["sigma"].Data[i]*g["eps"].Data[i]
			}
			cs, err := cond.Run(z)
			if err != nil {
				t.Fatal(err)
			}
			T, D, U, S, Hc := c.T(), c.InputSize, c.Segments, c.S(), c.Conductor.Hidden
			x := g["x"]
			worst := 0.0
			for u := 0; u < U; u++ {
				cu := npy.New(B, Hc)
				for b := 0; b < B; b++ {
					copy(cu.Data[b*Hc:(b+1)*Hc], cs[0].Data[(b*U+u)*Hc:(b*U+u+1)*Hc])
				}
				st, err := dinit.Run(cu)
				if err != nil {
					t.Fatal(err)
				}
				h, cc := st[0], st[1]
				for s := 0; s < S; s++ {
					tt := u*S + s
					prev := npy.New(B, D)
					if tt > 0 {
						for b := 0; b < B; b++ {
							copy(prev.Data[b*D:(b+1)*D], x.Data[(b*T+tt-1)*D:(b*T+tt)*D])
						}
					}
					o, err := step.Run(prev, cu, h, cc)
					if err != nil {
						t.Fatal(err)
					}
					h, cc = o[1], o[2]
					for b := 0; b < B; b++ {
						for k := 0; k < D; k++ {
							d := math.Abs(float64(o[0].Data[b*D+k] - g["logits"].Data[(b*T+tt)*D+k]))
							worst = math.Max(worst, d)
						}
					}
				}
			}
			if worst > 1e-4 {
				t.Errorf("stepped generation graphs: logits differ from PyTorch by %g", worst)
			}
			t.Logf("%s: stepped logits within %g", fmt.Sprint(c.Representation), worst)
		})
	}
}

package conformance

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native"
	"github.com/musicvae-go/mvae/npy"
	"github.com/musicvae-go/mvae/runtime"
)

type fixture struct {
	name   string
	bundle *model.Bundle
	golden map[string]*npy.Array
}

// fixtures imports every fixture: the seven of testdata/models always, the
// shared ones where present (testenv.ModelFixtures).
func fixtures(t *testing.T) []fixture {
	t.Helper()
	var out []fixture
	for _, dir := range testenv.ModelFixtures(t) {
		r, err := importer.File(filepath.Join(dir, "model.pt"), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		g, err := npy.ReadNPZFile(filepath.Join(dir, "golden.npz"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fixture{name: filepath.Base(dir), bundle: model.NewBundle(model.Manifest{Config: r.Config}, r.Weights, nil), golden: g})
	}
	if len(out) < 7 {
		t.Fatalf("only %d fixtures (testdata/models holds 7)", len(out))
	}
	return out
}

type opener struct {
	name string
	open func(b *model.Bundle) (generate.Backend, error)
}

// runtimes lists both runtimes. The native one always runs; a test of the
// ort one calls requireORT first.
var runtimes = []opener{
	{"native", func(b *model.Bundle) (generate.Backend, error) {
		w, err := b.Weights()
		if err != nil {
			return nil, err
		}
		return native.New(b.Config(), w)
	}},
	{"ort", func(b *model.Bundle) (generate.Backend, error) {
		return runtime.OpenBackend(b, runtime.Options{Threads: 1})
	}},
}

// requireORT skips the test where this build has no onnxruntime (no cgo, or
// no shared library found), or fails it in CI (testenv.Missing).
func requireORT(t *testing.T) {
	t.Helper()
	if _, err := runtime.Init(""); err != nil {
		if !runtime.Available || errors.Is(err, runtime.ErrUnavailable) {
			testenv.Missing(t, "onnxruntime ("+err.Error()+")")
		}
		t.Fatal(err)
	}
}

// forEachRuntime runs f as a subtest per runtime ("native", "ort"); the ort
// subtest is skipped (failed in CI) where onnxruntime is missing.
func forEachRuntime(t *testing.T, f func(t *testing.T, rt opener)) {
	for _, rt := range runtimes {
		t.Run(rt.name, func(t *testing.T) {
			if rt.name == "ort" {
				requireORT(t)
			}
			f(t, rt)
		})
	}
}

// TestTeacherForced: logits, mu and sigma within 1e-4 of PyTorch's.
func TestTeacherForced(t *testing.T) {
	fxs := fixtures(t)
	forEachRuntime(t, func(t *testing.T, rt opener) {
		for _, fx := range fxs {
			t.Run(fx.name, func(t *testing.T) {
				be, err := rt.open(fx.bundle)
				if err != nil {
					t.Fatal(err)
				}
				defer be.Close()
				x, eps := fx.golden["x"], fx.golden["eps"]
				logits, mu, sigma, err := generate.Forward(be, x.Data, eps.Data, x.Shape[0])
				if err != nil {
					t.Fatal(err)
				}
				for name, got := range map[string][]float32{"logits": logits, "mu": mu, "sigma": sigma} {
					if d := generate.MaxAbsDiff(got, fx.golden[name].Data); d > 1e-4 {
						t.Errorf("%s differs from PyTorch by %g", name, d)
					}
				}
				// The encoder alone gives the same mu and sigma.
				mu2, sigma2, err := generate.Encode(be, x.Data, x.Shape[0])
				if err != nil {
					t.Fatal(err)
				}
				if d := max(generate.MaxAbsDiff(mu2, fx.golden["mu"].Data), generate.MaxAbsDiff(sigma2, fx.golden["sigma"].Data)); d > 1e-4 {
					t.Errorf("encoder differs from PyTorch by %g", d)
				}
			})
		}
	})
}

// TestGeneratedTokens: decoding the goldens' mu at temperatures 0, 0.5, 1
// with seed 42, and sampling the prior with seed 7, gives PyTorch's tokens:
// hits and classes identical, velocities and offsets within 1e-5.
func TestGeneratedTokens(t *testing.T) {
	fxs := fixtures(t)
	forEachRuntime(t, func(t *testing.T, rt opener) {
		n := 0
		for _, fx := range fxs {
			if _, ok := fx.golden["gen_mu_T0.0_seed42"]; !ok {
				continue // forward goldens only
			}
			n++
			t.Run(fx.name, func(t *testing.T) {
				be, err := rt.open(fx.bundle)
				if err != nil {
					t.Fatal(err)
				}
				defer be.Close()
				rep := fx.bundle.Config().Representation
				mu := fx.golden["mu"]
				for _, temp := range []float64{0, 0.5, 1} {
					key := fmt.Sprintf("gen_mu_T%.1f_seed42", temp)
					tok, err := generate.Decode(be, mu.Data, mu.Shape[0], generate.Options{Temperature: temp, Seed: 42})
					if err != nil {
						t.Fatal(err)
					}
					sameTokens(t, key, tok, fx.golden[key], rep)
				}
				z, tok, err := generate.Sample(be, 4, generate.Options{Temperature: 1, Seed: 7})
				if err != nil {
					t.Fatal(err)
				}
				sameTokens(t, "prior z", z, fx.golden["prior_seed7_z"], "z")
				sameTokens(t, "prior tokens", tok, fx.golden["prior_seed7_T1.0"], rep)
			})
		}
		// groove, drums and melody (and the shared torch211-tiny) carry them.
		if n < 3 {
			t.Errorf("only %d fixtures with generation goldens", n)
		}
	})
}

func sameTokens(t *testing.T, what string, got []float32, want *npy.Array, rep string) {
	t.Helper()
	D := want.Shape[len(want.Shape)-1]
	if len(got) != len(want.Data) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want.Data))
	}
	for i, v := range got {
		w := want.Data[i]
		exact := rep != "groove" || i%D < 9
		if (exact && v != w) || math.Abs(float64(v-w)) > 1e-5 {
			t.Fatalf("%s: value %d (column %d) = %v, PyTorch %v", what, i, i%D, v, w)
		}
	}
}

// TestRuntimesAgreeStepByStep: the conductor and every decoder step agree
// between the runtimes on random inputs, and whole sequences sampled with
// the same seed are identical.
func TestRuntimesAgreeStepByStep(t *testing.T) {
	requireORT(t)
	rts := runtimes
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			var bes []generate.Backend
			for _, rt := range rts {
				be, err := rt.open(fx.bundle)
				if err != nil {
					t.Fatal(err)
				}
				defer be.Close()
				bes = append(bes, be)
			}
			c := fx.bundle.Config()
			B := 3
			z := make([]float32, B*c.ZSize)
			rng := generate.NewSplitMix64(11)
			buf := make([]float64, len(z))
			rng.Normals(buf)
			for i := range z {
				z[i] = float32(buf[i])
			}
			U, Hc, D := c.Segments, c.Conductor.Hidden, c.InputSize
			conds := make([][]float32, len(bes))
			for i, be := range bes {
				conds[i] = make([]float32, B*U*Hc)
				if err := be.Conduct(z, B, conds[i]); err != nil {
					t.Fatal(err)
				}
			}
			if d := generate.MaxAbsDiff(conds[0], conds[1]); d > 1e-5 {
				t.Errorf("conductor outputs differ by %g", d)
			}
			sts := make([]generate.State, len(bes))
			for i, be := range bes {
				st, err := be.NewState(B)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				sts[i] = st
			}
			cu := make([]float32, B*Hc)
			prev := make([]float32, B*D)
			logits := [][]float32{make([]float32, B*D), make([]float32, B*D)}
			worst := 0.0
			for u := 0; u < U; u++ {
				for b := 0; b < B; b++ {
					copy(cu[b*Hc:(b+1)*Hc], conds[0][(b*U+u)*Hc:(b*U+u+1)*Hc])
				}
				for i, be := range bes {
					be.DecoderInit(sts[i], 0, cu)
				}
				for s := 0; s < c.S(); s++ {
					for i, be := range bes {
						if err := be.DecoderStep(sts[i], 0, prev, cu, logits[i]); err != nil {
							t.Fatal(err)
						}
					}
					worst = max(worst, generate.MaxAbsDiff(logits[0], logits[1]))
					// Feed a valid random token next.
					for b := 0; b < B; b++ {
						row := prev[b*D : (b+1)*D]
						clear(row)
						row[int(rng.Next()%uint64(D))] = 1
					}
				}
			}
			if worst > 1e-4 {
				t.Errorf("decoder steps differ by %g", worst)
			}
			var toks [][]float32
			for _, be := range bes {
				_, tok, err := generate.Sample(be, 4, generate.Options{Temperature: 1, Seed: 99})
				if err != nil {
					t.Fatal(err)
				}
				toks = append(toks, tok)
			}
			if d := generate.MaxAbsDiff(toks[0], toks[1]); d > 1e-5 {
				t.Errorf("sampled sequences differ (max %g)", d)
			}
		})
	}
}

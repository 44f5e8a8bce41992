package native

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/npy"
)

// TestLossAndGradMatchPyTorch: on every fixture with loss goldens, the loss
// within 1e-4 relative and every gradient within 1e-3 relative (max-norm).
func TestLossAndGradMatchPyTorch(t *testing.T) {
	dirs, err := filepath.Glob("../testdata/models/*/golden.npz")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, gp := range dirs {
		dir := filepath.Dir(gp)
		g, err := npy.ReadNPZFile(gp)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := g["loss"]; !ok {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			r, err := importer.File(filepath.Join(dir, "model.pt"), importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			m, err := New(r.Config, r.Weights)
			if err != nil {
				t.Fatal(err)
			}
			x, eps := g["x"], g["eps"]
			grads := NewGrads(r.Config)
			parts, err := m.LossAndGrad(x.Data, eps.Data, x.Shape[0], float64(g["beta"].Data[0]), float64(g["free_bits"].Data[0]), grads)
			if err != nil {
				t.Fatal(err)
			}
			for name, got := range map[string]float64{"loss": parts.Loss, "reconstruction": parts.Reconstruction, "kl": parts.KL} {
				want := float64(g[name].Data[0])
				if rel := math.Abs(got-want) / math.Max(math.Abs(want), 1e-6); rel > 1e-4 {
					t.Errorf("%s = %v, PyTorch %v (relative %g)", name, got, want, rel)
				}
			}
			checked, worst := 0, 0.0
			for key, want := range g {
				if !strings.HasPrefix(key, "grad/") {
					continue
				}
				name := strings.TrimPrefix(key, "grad/")
				got := grads[name]
				if got == nil {
					t.Errorf("no gradient for %s", name)
					continue
				}
				maxRef, maxDiff := 0.0, 0.0
				for i, w := range want.Data {
					maxRef = math.Max(maxRef, math.Abs(float64(w)))
					maxDiff = math.Max(maxDiff, math.Abs(float64(got.Data[i]-w)))
				}
				if maxDiff > 1e-3*math.Max(maxRef, 1e-8) && maxDiff > 1e-7 {
					t.Errorf("grad %s: max difference %g, max |grad| %g", name, maxDiff, maxRef)
				}
				checked++
				worst = math.Max(worst, maxDiff/math.Max(maxRef, 1e-8))
			}
			t.Logf("loss %.6g (PyTorch %.6g); worst gradient relative difference %.2g", parts.Loss, g["loss"].Data[0], worst)
			if checked != len(r.Config.Params()) {
				t.Errorf("checked %d gradients of %d parameters", checked, len(r.Config.Params()))
			}
		})
	}
	if n < 3 {
		t.Errorf("only %d fixtures with loss goldens", n)
	}
}

// TestParallelTrainerAgrees: splitting a batch between goroutines gives the
// whole batch's loss and gradients.
func TestParallelTrainerAgrees(t *testing.T) {
	m := fixture(t, "groove")
	g, err := npy.ReadNPZFile("../testdata/models/groove/golden.npz")
	if err != nil {
		t.Fatal(err)
	}
	x, eps := g["x"], g["eps"]
	B := x.Shape[0]
	one, three := NewGrads(m.Config()), NewGrads(m.Config())
	p1, err := m.LossAndGrad(x.Data, eps.Data, B, 0.7, 4.75, one)
	if err != nil {
		t.Fatal(err)
	}
	p3, err := (&Trainer{M: m, Workers: 3}).LossAndGrad(x.Data, eps.Data, B, 0.7, 4.75, three)
	if err != nil {
		t.Fatal(err)
	}
	trainerAgrees(t, "groove", p1, p3, one, three)
}

// trainerAgrees holds a Trainer's loss (within 1e-9, relative) and
// gradients (1e-5) to LossAndGrad's on the same batch: they differ only in
// float32 summation order.
func trainerAgrees(t *testing.T, what string, p1, p3 LossParts, one, three model.Weights) {
	t.Helper()
	if math.Abs(p1.Loss-p3.Loss) > 1e-9*math.Abs(p1.Loss) {
		t.Errorf("%s: loss %v vs %v", what, p1.Loss, p3.Loss)
	}
	for name, a := range one {
		for i, v := range a.Data {
			if math.Abs(float64(v-three[name].Data[i])) > 1e-5*math.Max(1, math.Abs(float64(v))) {
				t.Fatalf("%s: %s[%d]: %v vs %v", what, name, i, v, three[name].Data[i])
			}
		}
	}
}
